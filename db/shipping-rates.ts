import type { RateTable } from '../shipping/rate-table';
import type { Queryable } from './pool';

/** Replaces a client's rate table (validated by the caller). */
export async function putRateTable(db: Queryable, clientId: string, table: RateTable): Promise<void> {
  await db.query(
    `INSERT INTO shipping_rates(client_id, rate_table) VALUES ($1, $2)
     ON CONFLICT (client_id) DO UPDATE SET rate_table = EXCLUDED.rate_table, updated_at = now()`,
    [clientId, JSON.stringify(table)],
  );
}

/** The client's rate table, if it has set one. Stored tables were validated on write. */
export async function getRateTable(db: Queryable, clientId: string): Promise<RateTable | undefined> {
  const { rows } = await db.query<{ rate_table: RateTable }>(
    'SELECT rate_table FROM shipping_rates WHERE client_id = $1',
    [clientId],
  );
  return rows[0]?.rate_table;
}
