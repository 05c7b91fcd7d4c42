import { Router } from 'express';
import { z } from 'zod';
import { aggregateInsights } from '../../db/insights';
import type { Db } from '../../db/pool';
import { requireScope, type AuthContext } from '../auth';
import { badRequest, parseOr400 } from '../errors';

const DAY_MS = 24 * 60 * 60 * 1000;
const querySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

/** `GET /v1/insights?from&to` (scope admin or settings): the client's service metrics over a period. */
export function insightsRouter(deps: { db: Db }): Router {
  const router = Router();
  router.get('/v1/insights', requireScope(deps.db, 'settings'), async (req, res) => {
    const q = parseOr400(querySchema, req.query, 'query');
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw badRequest('invalid query: from must be before to');
    if (to.getTime() - from.getTime() > 366 * DAY_MS)
      throw badRequest('invalid query: period exceeds 366 days');
    res.json(await aggregateInsights(deps.db, (res.locals.auth as AuthContext).clientId, from, to));
  });
  return router;
}
