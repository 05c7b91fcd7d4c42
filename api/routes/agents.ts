import { Router, type Response } from 'express';
import { z } from 'zod';
import { findAvailability, setAvailability, type AvailabilityRow } from '../../db/agents';
import type { Db } from '../../db/pool';
import { loadClientSettings } from '../../settings/client-settings';
import { requireScope, type AuthContext } from '../auth';
import { jsonBody } from '../body';
import { notFound, parseOr400 } from '../errors';

export const availabilityBody = z.strictObject({ status: z.enum(['available', 'away']) });

export const availabilitySchema = z.object({
  status: z.enum(['available', 'away']),
  since: z
    .string()
    .nullable()
    .meta({ description: 'when the agent last changed it; null: never (available)' }),
});

export const agentMeSchema = z.object({
  availability: availabilitySchema,
  handoff: z.object({
    slaMinutes: z.number().int().meta({ description: "the client's handoff SLA: the queue's colours" }),
  }),
});

const availabilityJson = (a: AvailabilityRow) => ({
  status: a.status,
  since: a.since?.toISOString() ?? null,
});

/**
 * `GET /v1/agents/me` and `PUT /v1/agents/me/availability` (scope `agent`): what the console needs
 * about the calling agent key (its availability, the client's handoff SLA), and setting itself
 * available or away. An away agent is not counted as present when a handoff passes its SLA.
 */
export function agentsRouter({ db }: { db: Db }): Router {
  const router = Router();
  const act = requireScope(db, 'agent');
  const auth = (res: Response) => res.locals.auth as AuthContext;

  router.get('/v1/agents/me', act, async (_req, res) => {
    const { clientId, keyId } = auth(res);
    const settings = await loadClientSettings(db, clientId);
    if (!settings) throw notFound('client');
    const availability = await findAvailability(db, clientId, keyId);
    res.json({
      availability: availabilityJson(availability),
      handoff: { slaMinutes: settings.handoff.slaMinutes },
    });
  });

  router.put('/v1/agents/me/availability', act, jsonBody('1kb'), async (req, res) => {
    const body = parseOr400(availabilityBody, req.body);
    const { clientId, keyId } = auth(res);
    res.json(availabilityJson(await setAvailability(db, clientId, keyId, body.status)));
  });

  return router;
}
