import { Router } from 'express';
import { writeAudit } from '../../db/audit';
import { deleteReviewItems } from '../../db/nlu-review';
import { inTransaction, type Db } from '../../db/pool';
import { clientSettingsSchema, loadClientSettings } from '../../settings/client-settings';
import { jsonBody } from '../body';
import { requireScope, type AuthContext } from '../auth';
import { notFound, parseOr400 } from '../errors';

/**
 * `GET|PUT /v1/settings` (scope `settings`): the client's settings; every change is audited. A PUT
 * with `insights.reviewNoMatch` off deletes the no-match utterances kept for review.
 */
export function settingsRouter(deps: { db: Db }): Router {
  const router = Router();
  const auth = requireScope(deps.db, 'settings');

  router.get('/v1/settings', auth, async (_req, res) => {
    const settings = await loadClientSettings(deps.db, (res.locals.auth as AuthContext).clientId);
    if (!settings) throw notFound('client');
    res.json(settings);
  });

  router.put('/v1/settings', auth, jsonBody('100kb'), async (req, res) => {
    const settings = parseOr400(clientSettingsSchema, req.body);
    const { clientId, keyId } = res.locals.auth as AuthContext;
    await inTransaction(deps.db, async (tx) => {
      await tx.query('UPDATE clients SET settings = $2 WHERE id = $1', [clientId, settings]);
      // Review is consent to keep utterances: turning it off deletes what was kept.
      if (!settings.insights.reviewNoMatch) await deleteReviewItems(tx, clientId);
      await writeAudit(tx, { clientId, actor: keyId, action: 'settings.update', resource: 'settings' });
    });
    res.json(settings);
  });

  return router;
}
