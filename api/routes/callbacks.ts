import { Router } from 'express';
import { z } from 'zod';
import { closeCallbackRequest, listCallbackRequests } from '../../db/conversations';
import type { Db } from '../../db/pool';
import { requireScope, type AuthContext } from '../auth';
import { notFound, parseOr400 } from '../errors';

export const callbacksQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });
export const callbackIdParam = z.strictObject({
  id: z.string().regex(/^\d{1,18}$/, 'must be a callback request id'),
});

/**
 * `GET /v1/callbacks` (scope `agent`): the customers who asked to be contacted after waiting the
 * maximum time, oldest first, each with its conversation ref (no PII) and language.
 * `POST /v1/callbacks/:id/done` closes one once an agent has called back.
 */
/** One callback request as `GET /v1/callbacks` lists it. */
export const callbackSchema = z.object({
  id: z.string(),
  conversation: z.string().meta({ description: 'the conversation ref (as in `GET /v1/conversations`)' }),
  requestedAt: z.string(),
  language: z.enum(['en', 'es', 'pt']).nullable(),
});

export function callbacksRouter(deps: { db: Db }): Router {
  const router = Router();
  const auth = requireScope(deps.db, 'agent');

  router.get('/v1/callbacks', auth, async (req, res) => {
    const { limit } = parseOr400(callbacksQuery, req.query, 'query');
    const rows = await listCallbackRequests(deps.db, (res.locals.auth as AuthContext).clientId, limit);
    res.json({
      callbacks: rows.map((r) => ({
        id: r.id,
        conversation: r.ref,
        requestedAt: r.requestedAt.toISOString(),
        language: r.language,
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
