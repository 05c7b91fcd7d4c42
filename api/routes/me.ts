import { Router } from 'express';
import { findApiKeyLabel, SCOPES } from '../../db/clients';
import type { Db } from '../../db/pool';
import { requireScope, type AuthContext } from '../auth';

/** `GET /v1/me`: which client, label and scopes an API key stands for (any valid key may ask). */
export function meRouter(deps: { db: Db }): Router {
  const router = Router();
  router.get('/v1/me', requireScope(deps.db, ...SCOPES), async (_req, res) => {
    const auth = res.locals.auth as AuthContext;
    const label = (await findApiKeyLabel(deps.db, auth.clientId, auth.keyId)) ?? null;
    res.json({ clientId: auth.clientId, keyId: auth.keyId, label, scopes: auth.scopes });
  });
  return router;
}
