import { Router } from 'express';
import { z } from 'zod';
import type { SubjectVault } from '../../crypto/vault';
import { writeAudits } from '../../db/audit';
import { contactNames } from '../../db/contacts';
import { closeCallbackRequest, listCallbackRequests, type CallbackRequestRow } from '../../db/conversations';
import type { Db } from '../../db/pool';
import { requireScope, type AuthContext } from '../auth';
import { notFound, parseOr400 } from '../errors';

export const callbacksQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });
export const callbackIdParam = z.strictObject({
  id: z.string().regex(/^\d{1,18}$/, 'must be a callback request id'),
});

/**
 * `GET /v1/callbacks` (scope `agent`): the customers who asked to be contacted after waiting the
 * maximum time, oldest first, each with its conversation ref, language and the customer's profile
 * name (personal data: each request shown with a name is audited as `conversation.preview`).
 * `POST /v1/callbacks/:id/done` closes one once an agent has called back.
 */
/** One callback request as `GET /v1/callbacks` lists it. */
export const callbackSchema = z.object({
  id: z.string(),
  conversation: z.string().meta({ description: 'the conversation ref (as in `GET /v1/conversations`)' }),
  requestedAt: z.string(),
  language: z.enum(['en', 'es', 'pt']).nullable(),
  contactName: z.string().optional(),
});

/** The profile names of the listed customers, by request id; one audit record per name shown. */
async function namesOf(
  deps: { db: Db; vault: SubjectVault },
  auth: AuthContext,
  rows: CallbackRequestRow[],
): Promise<Map<string, string>> {
  const { clientId } = auth;
  const sealed = await contactNames(
    deps.db,
    clientId,
    rows.map((r) => r.subjectHash),
  );
  const names = new Map<string, string>();
  for (const r of rows) {
    const name = sealed.get(r.subjectHash);
    if (name)
      names.set(
        r.id,
        await deps.vault.openText({ clientId, subjectHash: r.subjectHash }, 'contact.name', name),
      );
  }
  const shown = rows.filter((r) => names.has(r.id));
  await writeAudits(
    deps.db,
    { clientId, actor: auth.keyId, action: 'conversation.preview' },
    shown.map((r) => ({ subjectHash: r.subjectHash, resource: r.ref })),
  );
  return names;
}

export function callbacksRouter(deps: { db: Db; vault: SubjectVault }): Router {
  const router = Router();
  const auth = requireScope(deps.db, 'agent');

  router.get('/v1/callbacks', auth, async (req, res) => {
    const { limit } = parseOr400(callbacksQuery, req.query, 'query');
    const caller = res.locals.auth as AuthContext;
    const rows = await listCallbackRequests(deps.db, caller.clientId, limit);
    const names = await namesOf(deps, caller, rows);
    res.json({
      callbacks: rows.map((r) => ({
        id: r.id,
        conversation: r.ref,
        requestedAt: r.requestedAt.toISOString(),
        language: r.language,
        ...(names.has(r.id) ? { contactName: names.get(r.id) } : {}),
      })),
    });
  });

  router.post('/v1/callbacks/:id/done', auth, async (req, res) => {
    const { id } = parseOr400(callbackIdParam, req.params, 'path');
    if (!(await closeCallbackRequest(deps.db, (res.locals.auth as AuthContext).clientId, id)))
      throw notFound('callback request');
    res.status(204).end();
  });

  return router;
}
