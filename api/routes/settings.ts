import { Router, type Request } from 'express';
import { apply as applyMergePatch } from 'json-merge-patch';
import { writeAudit } from '../../db/audit';
import { lockClientSettings, saveClientSettings } from '../../db/clients';
import { deleteReviewItems } from '../../db/nlu-review';
import { inTransaction, type Db, type Queryable } from '../../db/pool';
import { listTemplates, templateAccount } from '../../db/templates';
import {
  clientSettingsSchema,
  loadClientSettings,
  settingsFrom,
  type ClientSettings,
} from '../../settings/client-settings';
import { templateProblems } from '../../settings/template-check';
import { requireScope, type AuthContext } from '../auth';
import { jsonBody } from '../body';
import { badRequest, notFound, parseOr400 } from '../errors';

/**
 * `GET|PUT|PATCH /v1/settings` (scope `settings`). `PATCH` is a JSON merge patch (RFC 7396: objects
 * merge, `null` removes a field back to its default, arrays and values replace); `PUT` takes only a
 * complete document and answers 400 naming every missing field. Nothing a change does not mention
 * moves, and the one destructive side effect — turning `insights.reviewNoMatch` off deletes the
 * utterances kept for review — happens only when a change turns it from on to off. Audited.
 */
export function settingsRouter(deps: { db: Db }): Router {
  const router = Router();
  const auth = requireScope(deps.db, 'settings');
  // application/json and application/merge-patch+json (jsonBody takes every application/*+json).
  const json = jsonBody('100kb');

  router.get('/v1/settings', auth, async (_req, res) => {
    const settings = await loadClientSettings(deps.db, (res.locals.auth as AuthContext).clientId);
    if (!settings) throw notFound('client');
    res.json(settings);
  });

  router.put('/v1/settings', auth, json, async (req, res) => {
    const missing = missingFields(objectBody(req), DEFAULTS);
    if (missing.length)
      throw badRequest(
        `incomplete settings: missing ${missing.join(', ')}; use PATCH to change some fields`,
        {
          missing,
        },
      );
    res.json(await update(deps.db, res.locals.auth as AuthContext, () => req.body));
  });

  router.patch('/v1/settings', auth, json, async (req, res) => {
    const patch = objectBody(req);
    // json-merge-patch stops (silently) at these keys; no settings field has such a name.
    if (/"(?:__proto__|constructor|prototype)"\s*:/.test(JSON.stringify(patch)))
      throw badRequest('invalid body: __proto__, constructor and prototype are not settings fields');
    res.json(
      await update(deps.db, res.locals.auth as AuthContext, (current) =>
        applyMergePatch(structuredClone(current), patch),
      ),
    );
  });

  return router;
}

const DEFAULTS = clientSettingsSchema.parse({});

function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest(
      'invalid body: must be a JSON object (application/json or application/merge-patch+json)',
    );
  return body as Record<string, unknown>;
}

/**
 * The dotted paths of fields a complete document has (every field with a default, recursively
 * through objects of fields) that `body` lacks. Maps keyed by the client (templates) are leaves.
 */
export function missingFields(body: unknown, full: object, prefix = ''): string[] {
  const given =
    body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  return Object.entries(full).flatMap(([key, value]) => {
    const path = `${prefix}${key}`;
    if (!(key in given)) return [path];
    const nested =
      value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0;
    return nested ? missingFields(given[key], value as object, `${path}.`) : [];
  });
}

/** Validates the next document (nothing is written unless it is valid), stores it, applies its effects. */
async function update(
  db: Db,
  auth: AuthContext,
  next: (current: ClientSettings) => unknown,
): Promise<ClientSettings> {
  return inTransaction(db, async (tx) => {
    const stored = await lockClientSettings(tx, auth.clientId);
    if (stored === undefined) throw notFound('client');
    const current = settingsFrom(stored);
    const settings = parseOr400(clientSettingsSchema, next(current));
    await checkTemplates(tx, auth.clientId, settings, current);
    await saveClientSettings(tx, auth.clientId, settings);
    // Review is consent to keep utterances: turning it off deletes what was kept.
    if (current.insights.reviewNoMatch && !settings.insights.reviewNoMatch)
      await deleteReviewItems(tx, auth.clientId);
    await writeAudit(tx, {
      clientId: auth.clientId,
      actor: auth.keyId,
      action: 'settings.update',
      resource: 'settings',
    });
    return settings;
  });
}

/**
 * Once the client's account has been synced, templates the change names must be there, approved,
 * and fit what the send fills: a 400 naming each template field and its problem otherwise. Before
 * the first sync (or without an account) the names are taken as given, as they always were.
 */
async function checkTemplates(
  db: Queryable,
  clientId: string,
  next: ClientSettings,
  current: ClientSettings,
): Promise<void> {
  const account = await templateAccount(db, clientId);
  if (!account?.syncedAt) return;
  const fields = templateProblems(next, current, await listTemplates(db, clientId));
  if (fields.length)
    throw badRequest(`invalid body: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
}
