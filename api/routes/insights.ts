import { Router } from 'express';
import { z } from 'zod';
import { SubjectErasedError, type SubjectVault } from '../../crypto/vault';
import { writeAudit } from '../../db/audit';
import { aggregateInsights } from '../../db/insights';
import { listReviewItems, REVIEW_TEXT_FIELD } from '../../db/nlu-review';
import type { Db } from '../../db/pool';
import { loadClientSettings } from '../../settings/client-settings';
import { requireScope, type AuthContext } from '../auth';
import { badRequest, parseOr400 } from '../errors';

const DAY_MS = 24 * 60 * 60 * 1000;
const period = {
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
};
export const querySchema = z.strictObject(period);
export const reviewQuerySchema = z.strictObject({
  ...period,
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** [from, to) from the query: the last 30 days by default, at most 366 days. */
function periodOf(q: { from?: string; to?: string }): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
  if (from >= to) throw badRequest('invalid query: from must be before to');
  if (to.getTime() - from.getTime() > 366 * DAY_MS)
    throw badRequest('invalid query: period exceeds 366 days');
  return { from, to };
}

/**
 * `GET /v1/insights?from&to` (scope admin or settings): the client's service metrics over a period.
 * `GET /v1/insights/no-match?from&to&limit`: the redacted no-match utterances kept for NLU review
 * (only where the client turned review on, only within retention), newest first; every read is
 * audited per end-user whose utterance it returned.
 */
export function insightsRouter(deps: { db: Db; vault: SubjectVault }): Router {
  const router = Router();
  const auth = requireScope(deps.db, 'settings');

  router.get('/v1/insights', auth, async (req, res) => {
    const { from, to } = periodOf(parseOr400(querySchema, req.query, 'query'));
    res.json(await aggregateInsights(deps.db, (res.locals.auth as AuthContext).clientId, from, to));
  });

  router.get('/v1/insights/no-match', auth, async (req, res) => {
    const q = parseOr400(reviewQuerySchema, req.query, 'query');
    const { from, to } = periodOf(q);
    const { clientId, keyId } = res.locals.auth as AuthContext;
    const enabled = (await loadClientSettings(deps.db, clientId))?.insights.reviewNoMatch ?? false;
    const rows = await listReviewItems(deps.db, clientId, from, to, q.limit);
    const items = [];
    for (const r of rows) {
      const text = await deps.vault
        .openText({ clientId, subjectHash: r.subjectHash }, REVIEW_TEXT_FIELD, r.textEnc)
        .catch((err: unknown) => {
          if (err instanceof SubjectErasedError) return undefined; // erased while we read
          throw err;
        });
      if (text !== undefined)
        items.push({ id: r.id, text, language: r.language, at: r.createdAt.toISOString() });
    }
    for (const subjectHash of new Set(rows.map((r) => r.subjectHash)))
      await writeAudit(deps.db, {
        clientId,
        actor: keyId,
        action: 'nlu_review.read',
        subjectHash,
        resource: 'nlu_review',
      });
    res.json({ from: from.toISOString(), to: to.toISOString(), enabled, items });
  });

  return router;
}
