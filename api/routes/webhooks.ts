import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import { writeAudit } from '../../db/audit';
import { inTransaction, type Db } from '../../db/pool';
import {
  deleteEndpoint,
  findEndpoint,
  insertEndpoint,
  insertRedelivery,
  listDeliveries,
  listEndpoints,
  updateEndpoint,
  webhookSecretAad,
  type DeliveryRow,
  type EndpointRow,
} from '../../db/webhooks';
import { EVENT_TYPES } from '../../events/catalogue';
import { endpointUrlProblem } from '../../events/endpoint-url';
import {
  WEBHOOK_ENDPOINT_WORKFLOW_TYPE,
  webhookEndpointStartOptions,
} from '../../workflows/webhook-endpoint/contract';
import { requireScope, type AuthContext } from '../auth';
import { jsonBody } from '../body';
import { conflict, notFound, parseOr400, unavailable } from '../errors';

export const endpointIdParam = z.strictObject({
  id: z.string().regex(/^whe_[0-9a-f]{24}$/, 'must be a webhook endpoint id'),
});
export const deliveryParams = endpointIdParam.extend({
  deliveryId: z.string().regex(/^\d{1,18}$/, 'must be a delivery id'),
});
export const deliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be a delivery id')
    .optional(),
});

const eventsField = z
  .array(z.enum(EVENT_TYPES))
  .min(1)
  .refine((a) => new Set(a).size === a.length, 'must not repeat an event')
  .meta({ description: `the events to deliver: ${EVENT_TYPES.join(', ')}` });

/** The URL field: https (or http to localhost where the deployment allows it), checked as the route checks it. */
const urlField = (allowLoopbackHttp: boolean) =>
  z
    .string()
    .max(2000)
    .superRefine((url, ctx) => {
      const problem = endpointUrlProblem(url, allowLoopbackHttp);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      description: 'https; plain http only to localhost where AURA_WEBHOOKS_ALLOW_LOOPBACK_HTTP is on',
    });

const createSchema = (allow: boolean) => z.strictObject({ url: urlField(allow), events: eventsField });
const updateSchema = (allow: boolean) =>
  z
    .strictObject({
      url: urlField(allow).optional(),
      events: eventsField.optional(),
      enabled: z.boolean().optional(),
    })
    .refine((b) => Object.keys(b).length > 0, 'name at least one of url, events, enabled');

export const endpointCreateSchema = createSchema(false);
export const endpointUpdateSchema = updateSchema(false);

export const endpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(EVENT_TYPES)),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z.string().nullable().meta({
    description: '`by_client`, or why deliveries stopped (`retry_window_passed` after 24 h of failures)',
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const endpointWithSecret = endpointSchema.extend({
  secret: z.string().meta({ description: 'the signing secret: shown only now (and on rotation)' }),
});
export const deliverySchema = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.enum(EVENT_TYPES),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable().meta({ description: "the receiver's last HTTP status" }),
  lastError: z.string().nullable().meta({ description: '`HTTP 503`, `timeout`, `unreachable`' }),
  lastAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  redeliveryOf: z.string().nullable(),
  createdAt: z.string(),
  payload: z.looseObject({ id: z.string(), type: z.string() }).meta({ description: 'the body delivered' }),
});

const iso = (d: Date | null) => d && d.toISOString();
const endpointView = (e: EndpointRow) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  status: e.status,
  disabledReason: e.disabledReason,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});
const deliveryView = (d: DeliveryRow) => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  lastAttemptAt: iso(d.lastAttemptAt),
  deliveredAt: iso(d.deliveredAt),
  redeliveryOf: d.redeliveryOf,
  createdAt: d.createdAt.toISOString(),
  payload: d.payload,
});

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export interface WebhooksDeps {
  db: Db;
  temporal: Client;
  secrets: SecretBox;
  taskQueue: string;
  /** `config.webhooks.allowLoopbackHttp`. */
  allowLoopbackHttp: boolean;
}

/**
 * `/v1/webhooks` (scope `settings`): the client's event endpoints (docs/events.md). The signing
 * secret is shown once, on creation and on rotation, and kept sealed. Every change is audited as
 * `webhooks.update`; another client's endpoint is a 404.
 */
export function webhooksRouter(deps: WebhooksDeps): Router {
  const router = Router();
  const { db } = deps;
  const auth = requireScope(db, 'settings');
  const json = jsonBody('16kb');
  const create = createSchema(deps.allowLoopbackHttp);
  const update = updateSchema(deps.allowLoopbackHttp);
  const caller = (res: { locals: Record<string, unknown> }) => res.locals.auth as AuthContext;
  const audited = (a: AuthContext, resource: string) =>
    writeAudit(db, { clientId: a.clientId, actor: a.keyId, action: 'webhooks.update', resource });
  // What was recorded stays recorded; the next event wakes the endpoint if this call cannot.
  const wake = (clientId: string, endpointId: string) =>
    deps.temporal.workflow
      .signalWithStart(
        WEBHOOK_ENDPOINT_WORKFLOW_TYPE,
        webhookEndpointStartOptions({ clientId, endpointId }, deps.taskQueue),
      )
      .catch(() => {
        throw unavailable('the delivery is recorded but could not be started now; retry the request');
      });
  const owned = async (a: AuthContext, params: unknown) => {
    const { id } = parseOr400(endpointIdParam, params, 'path');
    const endpoint = await findEndpoint(db, a.clientId, id);
    if (!endpoint) throw notFound('webhook endpoint');
    return endpoint;
  };

  router.post('/v1/webhooks', auth, json, async (req, res) => {
    const a = caller(res);
    const body = parseOr400(create, req.body);
    const id = `whe_${randomBytes(12).toString('hex')}`;
    const secret = newSecret();
    const secretEnc = deps.secrets.seal(secret, webhookSecretAad(id));
    const endpoint = await inTransaction(db, async (tx) => {
      const row = await insertEndpoint(tx, { id, clientId: a.clientId, ...body, secretEnc });
      await writeAudit(tx, { clientId: a.clientId, actor: a.keyId, action: 'webhooks.update', resource: id });
      return row;
    });
    res.status(201).json({ ...endpointView(endpoint), secret });
  });

  router.get('/v1/webhooks', auth, async (_req, res) => {
    res.json({ endpoints: (await listEndpoints(db, caller(res).clientId)).map(endpointView) });
  });

  router.get('/v1/webhooks/:id', auth, async (req, res) => {
    res.json(endpointView(await owned(caller(res), req.params)));
  });

  router.patch('/v1/webhooks/:id', auth, json, async (req, res) => {
    const a = caller(res);
    const { id } = await owned(a, req.params);
    const { enabled, ...rest } = parseOr400(update, req.body);
    const status = enabled === undefined ? undefined : enabled ? 'enabled' : 'disabled';
    const endpoint = await updateEndpoint(db, a.clientId, id, { ...rest, status });
    if (!endpoint) throw notFound('webhook endpoint');
    await audited(a, id);
    // Enabled again: what waited behind the failure (or the disable) goes out now.
    if (status === 'enabled') await wake(a.clientId, id);
    res.json(endpointView(endpoint));
  });

  router.post('/v1/webhooks/:id/rotate-secret', auth, async (req, res) => {
    const a = caller(res);
    const { id } = await owned(a, req.params);
    const secret = newSecret();
    const endpoint = await updateEndpoint(db, a.clientId, id, {
      secretEnc: deps.secrets.seal(secret, webhookSecretAad(id)),
    });
    if (!endpoint) throw notFound('webhook endpoint');
    await audited(a, id);
    res.json({ ...endpointView(endpoint), secret });
  });

  router.delete('/v1/webhooks/:id', auth, async (req, res) => {
    const a = caller(res);
    const { id } = parseOr400(endpointIdParam, req.params, 'path');
    if (!(await deleteEndpoint(db, a.clientId, id))) throw notFound('webhook endpoint');
    await audited(a, id);
    res.status(204).end();
  });

  router.get('/v1/webhooks/:id/deliveries', auth, async (req, res) => {
    const endpoint = await owned(caller(res), req.params);
    const query = parseOr400(deliveriesQuery, req.query, 'query');
    res.json({ deliveries: (await listDeliveries(db, endpoint.id, query)).map(deliveryView) });
  });

  router.post('/v1/webhooks/:id/deliveries/:deliveryId/redeliver', auth, async (req, res) => {
    const a = caller(res);
    const { id, deliveryId } = parseOr400(deliveryParams, req.params, 'path');
    const endpoint = await findEndpoint(db, a.clientId, id);
    if (!endpoint) throw notFound('webhook endpoint');
    if (endpoint.status !== 'enabled')
      throw conflict('the endpoint is disabled: enable it (PATCH {"enabled": true}) to redeliver');
    const again = await insertRedelivery(db, a.clientId, id, deliveryId);
    if (!again) throw notFound('delivery');
    await audited(a, id);
    await wake(a.clientId, id);
    res.status(202).json(deliveryView(again));
  });

  return router;
}
