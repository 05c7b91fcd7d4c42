import { Router } from 'express';
import { SCOPES } from '../../db/clients';
import type { Db } from '../../db/pool';
import { requireScope, type AuthContext } from '../auth';

/** `GET /v1/me`: which client and scopes an API key stands for (any valid key may ask). */
export function meRouter(deps: { db: Db }): Router {
  const router = Router();
  router.get('/v1/me', requireScope(deps.db, ...SCOPES), (_req, res) => {
    const auth = res.locals.auth as AuthContext;
    res.json({ clientId: auth.clientId, keyId: auth.keyId, scopes: auth.scopes });
  });
  return router;
}
