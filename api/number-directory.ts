import { findClientIdByPhoneNumber } from '../db/clients';
import type { Queryable } from '../db/pool';

/**
 * Which client owns a WhatsApp business number, as the webhook needs it on every message.
 *
 * Why a cache: the webhook must keep accepting messages while PostgreSQL is briefly down (Temporal
 * holds them; the worker's activities retry until the database is back). A number seen while the
 * database was up is remembered for `ttlMs`; after that it is looked up again, and if the database
 * cannot answer, the last known owner is used. Unknown numbers are never cached, so a client
 * provisioned a moment ago is routed at once; with the database down and no entry, the lookup
 * throws and the webhook answers 503 so that Meta retries. Entries exist only for provisioned
 * numbers, so the map is bounded by the `client_phone_numbers` table.
 */
export interface NumberDirectory {
  clientIdFor(phoneNumberId: string): Promise<string | undefined>;
  /** Drops what is known of these numbers (an admin moved them): the next lookup asks the database. */
  forget(phoneNumberIds: readonly string[]): void;
}

export const NUMBER_DIRECTORY_TTL_MS = 60_000;

export function createNumberDirectory(
  db: Queryable,
  opts: { ttlMs?: number; now?: () => number } = {},
): NumberDirectory {
  const ttlMs = opts.ttlMs ?? NUMBER_DIRECTORY_TTL_MS;
  const now = opts.now ?? Date.now;
  const known = new Map<string, { clientId: string; freshUntil: number }>();
  return {
    async clientIdFor(phoneNumberId) {
      const entry = known.get(phoneNumberId);
      if (entry && now() < entry.freshUntil) return entry.clientId;
      let clientId: string | undefined;
      try {
        clientId = await findClientIdByPhoneNumber(db, phoneNumberId);
      } catch (err) {
        if (entry) return entry.clientId;
        throw err;
      }
      if (clientId) known.set(phoneNumberId, { clientId, freshUntil: now() + ttlMs });
      else known.delete(phoneNumberId);
      return clientId;
    },
    forget(phoneNumberIds) {
      for (const id of phoneNumberIds) known.delete(id);
    },
  };
}
