import { Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import { findClient, PhoneNumberTakenError, revokeApiKey } from '../../db/clients';
import type { Db } from '../../db/pool';
import { requireAdminToken } from '../auth';
import { jsonBody } from '../body';
import { labelRoute } from '../context';
import { conflict, notFound, parseOr400 } from '../errors';
import { apiKeyInputSchema, clientInputSchema, mintApiKey, provisionClient } from '../provisioning';

export const clientIdParam = z.object({
  clientId: z.string().regex(/^cl_[0-9a-f]{20}$/, 'must be a client id'),
});

/** `/admin/v1`: tenant provisioning with the deployment's admin token. */
export function adminRouter(deps: { db: Db; secrets: SecretBox; adminToken: string }): Router {
  const router = Router();
  router.use('/admin/v1', labelRoute('/admin/v1/*'), requireAdminToken(deps.adminToken), jsonBody('100kb'));

  router.post('/admin/v1/clients', async (req, res) => {
    const input = parseOr400(clientInputSchema, req.body);
    try {
      const { clientId, apiKey, keyId } = await provisionClient(deps, input);
      res.status(201).json({ clientId, apiKey, keyId });
    } catch (err) {
      if (err instanceof PhoneNumberTakenError) throw conflict(err.message);
      throw err;
    }
  });

  router.post('/admin/v1/clients/:clientId/keys', async (req, res) => {
    const { clientId } = parseOr400(clientIdParam, req.params, 'path');
    const input = parseOr400(apiKeyInputSchema, req.body);
    if (!(await findClient(deps.db, clientId))) throw notFound('client');
    res.status(201).json(await mintApiKey(deps.db, clientId, input));
  });

  router.delete('/admin/v1/clients/:clientId/keys/:keyId', async (req, res) => {
    const { clientId } = parseOr400(clientIdParam, req.params, 'path');
    if (!(await revokeApiKey(deps.db, clientId, String(req.params.keyId)))) throw notFound('API key');
    res.status(204).end();
  });

  return router;
}
