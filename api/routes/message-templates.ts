import { WorkflowFailedError, type Client } from '@temporalio/client';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/pool';
import { listTemplates, templateAccount, type TemplateRow } from '../../db/templates';
import type { TemplateSyncResult } from '../../activities/templates';
import { templateSlots } from '../../whatsapp/templates';
import { TEMPLATE_SYNC_WORKFLOW_TYPE, templateSyncWorkflowId } from '../../workflows/templates/contract';
import type { templateSyncWorkflow } from '../../workflows/templates/workflow';
import { requireScope, type AuthContext } from '../auth';
import { HttpError, parseOr400, unavailable } from '../errors';

/** How long the API waits for an on-demand sync before answering 503 (it goes on in Temporal). */
const SYNC_DEADLINE_MS = 30_000;

export const templateListQuery = z.strictObject({
  refresh: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'sync from the Graph API first (as `POST /v1/templates/sync`)' }),
});

const slotsSchema = z.object({
  header: z.enum(['text', 'image', 'video', 'document', 'location']).optional(),
  body: z.number().int(),
  bodyNames: z
    .array(z.string())
    .optional()
    .meta({ description: "the body placeholders' names, when the template names them ({{first_name}})" }),
  buttons: z.array(
    z.object({ index: z.number().int(), type: z.enum(['url', 'quick_reply']), base: z.string().optional() }),
  ),
});

/** A template as `GET /v1/templates` lists it. */
export const accountTemplateSchema = z.object({
  name: z.string(),
  language: z.string(),
  category: z.string().nullable(),
  status: z.string().meta({ description: "Meta's status: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …" }),
  quality: z.string().nullable().meta({ description: "Meta's quality score: GREEN, YELLOW, RED, UNKNOWN" }),
  components: z.array(z.looseObject({ type: z.string() })).meta({ description: "Meta's components" }),
  slots: slotsSchema.meta({ description: 'the parameters a send fills: header, body count, buttons' }),
  statusAt: z.string(),
});

export const templateListSchema = z.object({
  wabaId: z.string().nullable(),
  syncedAt: z.string().nullable(),
  templates: z.array(accountTemplateSchema),
});

export const templateSyncSchema = z.object({
  templates: z.number().int(),
  pages: z.number().int(),
  syncedAt: z.string(),
});

const view = (t: TemplateRow): z.infer<typeof accountTemplateSchema> => ({
  name: t.name,
  language: t.language,
  category: t.category,
  status: t.status,
  quality: t.quality,
  components: t.components,
  slots: templateSlots(t.components),
  statusAt: t.statusAt.toISOString(),
});

/**
 * Runs the client's sync in Temporal (one at a time per client: a second request joins the running
 * one) and waits for it. No account: 409; Meta refused the list: 502 naming why; Temporal
 * unreachable or the sync slower than the deadline: 503 (a running sync goes on).
 */
export async function syncNow(db: Db, temporal: Client, taskQueue: string, clientId: string) {
  const account = await templateAccount(db, clientId);
  if (!account?.wabaId)
    throw new HttpError(
      409,
      'no_waba',
      'this client has no WhatsApp Business Account id: an operator sets wabaId (PATCH /admin/v1/clients/:id)',
    );
  try {
    const handle = await temporal.workflow.start(TEMPLATE_SYNC_WORKFLOW_TYPE, {
      workflowId: templateSyncWorkflowId(clientId),
      taskQueue,
      args: [{ clientId }] satisfies Parameters<typeof templateSyncWorkflow>,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return await temporal.withDeadline(
      Date.now() + SYNC_DEADLINE_MS,
      () => handle.result() as Promise<TemplateSyncResult>,
    );
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const type = (err.cause?.cause as { type?: string } | undefined)?.type ?? 'unknown';
      throw new HttpError(502, 'template_sync_failed', `the Graph API did not list the templates (${type})`, {
        type,
      });
    }
    throw unavailable('the template sync could not finish now; retry later');
  }
}

/**
 * `GET /v1/templates` (scopes `settings` or `agent`): the client's account's templates as last synced
 * and updated by Meta's webhooks; `?refresh=true` syncs first. `POST /v1/templates/sync` (scope
 * `settings`): sync now, from every page of Meta's list.
 */
export function messageTemplatesRouter(deps: { db: Db; temporal: Client; taskQueue: string }): Router {
  const router = Router();
  const { db, temporal, taskQueue } = deps;
  const clientOf = (res: Response) => (res.locals.auth as AuthContext).clientId;

  router.get('/v1/templates', requireScope(db, 'settings', 'agent'), async (req, res) => {
    const query = parseOr400(templateListQuery, req.query, 'query');
    const clientId = clientOf(res);
    if (query.refresh === 'true') await syncNow(db, temporal, taskQueue, clientId);
    const account = await templateAccount(db, clientId);
    res.json({
      wabaId: account?.wabaId ?? null,
      syncedAt: account?.syncedAt?.toISOString() ?? null,
      templates: (await listTemplates(db, clientId)).map(view),
    });
  });

  router.post('/v1/templates/sync', requireScope(db, 'settings'), async (_req, res) => {
    res.json(await syncNow(db, temporal, taskQueue, clientOf(res)));
  });

  return router;
}
