import { Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import {
  findClient,
  findClientSummary,
  graphTokenAad,
  listApiKeys,
  listClients,
  PhoneNumberTakenError,
  revokeApiKey,
  updateClient,
  WabaTakenError,
} from '../../db/clients';
import type { Db } from '../../db/pool';
import { requireAdminToken } from '../auth';
import { jsonBody } from '../body';
import { labelRoute } from '../context';
import { conflict, notFound, parseOr400 } from '../errors';
import type { NumberDirectory } from '../number-directory';
import {
  apiKeyInputSchema,
  clientInputSchema,
  clientUpdateSchema,
  mintApiKey,
  provisionClient,
  withGraphToken,
} from '../provisioning';

export const clientIdParam = z.object({
  clientId: z.string().regex(/^cl_[0-9a-f]{20}$/, 'must be a client id'),
});
export const clientListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: clientIdParam.shape.clientId.optional(),
});

/**
 * `/admin/v1`: tenant provisioning and administration with the deployment's admin token — create,
 * list, show and update clients (name, numbers, Graph token rotation), mint, list and revoke keys.
 */
export function adminRouter(deps: {
  db: Db;
  secrets: SecretBox;
  adminToken: string;
  /** Forgets cached owners of numbers that moved, so this process routes them at once. */
  numbers?: Pick<NumberDirectory, 'forget'>;
  /** The local profile's sandbox Graph accepts any token: a client may be created without one. */
  sandboxGraph: boolean;
}): Router {
  const router = Router();
  router.use('/admin/v1', labelRoute('/admin/v1/*'), requireAdminToken(deps.adminToken), jsonBody('100kb'));

  router.post('/admin/v1/clients', async (req, res) => {
    const input = withGraphToken(parseOr400(clientInputSchema, req.body), deps.sandboxGraph);
    try {
      const { clientId, apiKey, keyId } = await provisionClient(deps, input);
      res.status(201).json({ clientId, apiKey, keyId });
    } catch (err) {
      if (err instanceof PhoneNumberTakenError || err instanceof WabaTakenError) throw conflict(err.message);
      throw err;
    }
  });

  router.get('/admin/v1/clients', async (req, res) => {
    const { limit, after } = parseOr400(clientListQuery, req.query, 'query');
    const clients = await listClients(deps.db, { limit, after });
    const next = clients.length === limit ? clients.at(-1)!.clientId : undefined;
    res.json({ clients, ...(next ? { next } : {}) });
  });

  router.get('/admin/v1/clients/:clientId', async (req, res) => {
    const { clientId } = parseOr400(clientIdParam, req.params, 'path');
    res.json(await summaryOr404(deps.db, clientId));
  });

  router.patch('/admin/v1/clients/:clientId', async (req, res) => {
    const { clientId } = parseOr400(clientIdParam, req.params, 'path');
    const { graphAccessToken, ...change } = parseOr400(clientUpdateSchema, req.body);
    const before = await summaryOr404(deps.db, clientId);
    const graphAccessTokenEnc =
      graphAccessToken && deps.secrets.seal(graphAccessToken, graphTokenAad(clientId));
    try {
      await updateClient(deps.db, clientId, { ...change, graphAccessTokenEnc });
    } catch (err) {
      if (err instanceof PhoneNumberTakenError || err instanceof WabaTakenError) throw conflict(err.message);
      throw err;
    }
    const after = await summaryOr404(deps.db, clientId);
    deps.numbers?.forget([...before.phoneNumberIds, ...after.phoneNumberIds]);
    res.json(after);
  });

  router.get('/admin/v1/clients/:clientId/keys', async (req, res) => {
    const { clientId } = parseOr400(clientIdParam, req.params, 'path');
    await summaryOr404(deps.db, clientId);
    res.json({ keys: await listApiKeys(deps.db, clientId) });
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

async function summaryOr404(db: Db, clientId: string) {
  const summary = await findClientSummary(db, clientId);
  if (!summary) throw notFound('client');
  return summary;
}
