import { Router } from 'express';
import { z } from 'zod';
import { auditPage } from '../../db/audit';
import type { Db } from '../../db/pool';
import { requireScope, type AuthContext } from '../auth';
import { parseOr400 } from '../errors';

export const pageQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * `GET /v1/audit?after=<id>&limit=<n>` (scope `admin`): the client's audit records in id order;
 * `nextCursor` is the `after` of the next page, null on the last one. `actorLabel` is the label of
 * the acting key (its agent's name), null for unlabelled keys and for the admin token.
 */
export function auditRouter(deps: { db: Db }): Router {
  const router = Router();
  router.get('/v1/audit', requireScope(deps.db, 'admin'), async (req, res) => {
    const { after, limit } = parseOr400(pageQuery, req.query, 'query');
    const rows = await auditPage(deps.db, (res.locals.auth as AuthContext).clientId, after, limit + 1);
    const page = rows.slice(0, limit);
    res.json({ records: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null });
  });
  return router;
}
