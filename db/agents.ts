import type { Queryable } from './pool';

/** Whether an agent key takes conversations now (`away`: not counted as a present agent). */
export type Availability = 'available' | 'away';

export interface AvailabilityRow {
  status: Availability;
  /** When the agent last changed it; null while it never did (available by default). */
  since: Date | null;
}

/** The key's availability; a key that never set one is available. */
export async function findAvailability(
  db: Queryable,
  clientId: string,
  keyId: string,
): Promise<AvailabilityRow> {
  const { rows } = await db.query<{ status: Availability; updated_at: Date }>(
    'SELECT status, updated_at FROM agent_availability WHERE client_id = $1 AND key_id = $2',
    [clientId, keyId],
  );
  const row = rows[0];
  return row ? { status: row.status, since: row.updated_at } : { status: 'available', since: null };
}

/** Sets the key's availability (the key is the caller's own, so it belongs to `clientId`). */
export async function setAvailability(
  db: Queryable,
  clientId: string,
  keyId: string,
  status: Availability,
): Promise<AvailabilityRow> {
  const { rows } = await db.query<{ updated_at: Date }>(
    `INSERT INTO agent_availability(key_id, client_id, status) VALUES ($1, $2, $3)
     ON CONFLICT (key_id) DO UPDATE SET status = EXCLUDED.status,
       updated_at = CASE WHEN agent_availability.status = EXCLUDED.status
                         THEN agent_availability.updated_at ELSE now() END
     RETURNING updated_at`,
    [keyId, clientId, status],
  );
  return { status, since: rows[0]!.updated_at };
}

/**
 * The client's agents and how many of them are not away. The SLA step of a handoff reads it: every
 * agent away means nobody will answer soon. An agent is a live key with the `agent` scope, or any
 * live key that set its availability; an `admin` key that never did is not counted (the client's
 * first key has every scope and is an integration's key, not a person at the console).
 */
export async function agentPresence(
  db: Queryable,
  clientId: string,
): Promise<{ agents: number; available: number }> {
  const { rows } = await db.query<{ agents: string; available: string }>(
    `SELECT count(*) AS agents, count(*) FILTER (WHERE a.status IS DISTINCT FROM 'away') AS available
     FROM api_keys k LEFT JOIN agent_availability a ON a.key_id = k.id
     WHERE k.client_id = $1 AND k.revoked_at IS NULL
       AND (a.key_id IS NOT NULL OR ('agent' = ANY(k.scopes) AND NOT 'admin' = ANY(k.scopes)))`,
    [clientId],
  );
  return { agents: Number(rows[0]?.agents ?? 0), available: Number(rows[0]?.available ?? 0) };
}
