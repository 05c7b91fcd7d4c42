import type pg from 'pg';
import { isWamidHash, wamidHash } from '../whatsapp/wamid';
import type { Db } from './pool';

/**
 * Hashes the WhatsApp message ids that were stored in clear before migration 170 (which renamed the
 * columns but could not hash: SQL does not have the blind-index key). The API and the worker run it
 * at start, before they serve; it works only on the tables still listed in `wamid_rehash_pending`,
 * so once done it costs one query. Idempotent and safe to run from several processes at once (an
 * advisory lock serialises them; each update is guarded by the value it replaces).
 */

/** Which values of a column are wamids: the whole value, or `wamid.…` tokens inside a longer key. */
type Mode = 'whole' | 'tokens';

interface Target {
  table: string;
  column: string;
  mode: Mode;
  /** Narrows the rows (e.g. inbound messages, whose id is Meta's). */
  where?: string;
}

/** Every place a wamid was kept in clear. Outbound message ids are idempotency keys that embed one. */
const TARGETS: readonly Target[] = [
  { table: 'messages', column: 'wamid_hash', mode: 'whole' },
  { table: 'messages', column: 'id', mode: 'whole', where: "direction = 'in'" },
  { table: 'messages', column: 'id', mode: 'tokens', where: "direction = 'out'" },
  { table: 'message_status_events', column: 'wamid_hash', mode: 'whole' },
  { table: 'order_notifications', column: 'wamid_hash', mode: 'whole' },
  { table: 'media', column: 'message_id', mode: 'whole', where: "direction = 'in'" },
  { table: 'media', column: 'message_id', mode: 'tokens', where: "direction = 'out'" },
  { table: 'nlu_results', column: 'message_id', mode: 'whole' },
  { table: 'nlu_review', column: 'message_id', mode: 'whole' },
  { table: 'insight_events', column: 'event_key', mode: 'tokens' },
  // A catalogue order's content hash is `message:<message id>`.
  { table: 'orders', column: 'content_hash', mode: 'tokens', where: "source = 'catalogue'" },
];

const BATCH = 500;
const LOCK = 727_170;
/** A wamid inside a longer key: Meta's prefix, then base64. */
const WAMID_TOKEN = /wamid\.[A-Za-z0-9+/=_-]+/g;

/** Runs the backfill; returns how many values it hashed per table (empty once everything is done). */
export async function hashStoredWamids(db: Db, indexKey: Buffer): Promise<Record<string, number>> {
  const conn = await db.connect();
  const counts: Record<string, number> = {};
  try {
    await conn.query('SELECT pg_advisory_lock($1)', [LOCK]);
    const pending = await pendingTables(conn);
    for (const target of TARGETS.filter((t) => pending.has(t.table))) {
      counts[target.table] = (counts[target.table] ?? 0) + (await hashTarget(conn, indexKey, target));
    }
    for (const table of pending)
      await conn.query('DELETE FROM wamid_rehash_pending WHERE table_name = $1', [table]);
  } finally {
    await conn.query('SELECT pg_advisory_unlock($1)', [LOCK]).catch(() => undefined);
    conn.release();
  }
  return counts;
}

async function pendingTables(conn: pg.PoolClient): Promise<Set<string>> {
  const { rows } = await conn.query<{ table_name: string }>('SELECT table_name FROM wamid_rehash_pending');
  return new Set(rows.map((r) => r.table_name));
}

/** The SQL condition that selects the values of a target still in clear. */
function clearCondition(t: Target): string {
  const column = `"${t.column}"`;
  // The token pattern is WAMID_TOKEN's, so every value selected has a token to replace (no loop).
  const clear =
    t.mode === 'whole' ? `${column} !~ '^[0-9a-f]{64}$'` : `${column} ~ 'wamid\\.[A-Za-z0-9+/=_-]'`;
  return `${column} IS NOT NULL AND ${clear}${t.where ? ` AND ${t.where}` : ''}`;
}

/** The hashed form of a stored value: the whole value, or each wamid token in it. */
function hashedValue(indexKey: Buffer, clientId: string, value: string, mode: Mode): string {
  if (mode === 'whole') return isWamidHash(value) ? value : wamidHash(indexKey, clientId, value);
  return value.replace(WAMID_TOKEN, (token) => wamidHash(indexKey, clientId, token));
}

async function hashTarget(conn: pg.PoolClient, indexKey: Buffer, t: Target): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await conn.query<{ ctid: string; client_id: string; value: string }>(
      `SELECT ctid::text AS ctid, client_id, "${t.column}" AS value FROM ${t.table}
       WHERE ${clearCondition(t)} LIMIT ${BATCH}`,
    );
    if (rows.length === 0) return total;
    for (const row of rows) {
      const hashed = hashedValue(indexKey, row.client_id, row.value, t.mode);
      await replaceValue(conn, t, row, hashed);
      total += 1;
    }
  }
}

/**
 * Replaces one clear value by its hash. Where the hashed value exists already (Meta redelivered the
 * message after the upgrade, before this ran), the clear row is the duplicate and goes.
 */
async function replaceValue(
  conn: pg.PoolClient,
  t: Target,
  row: { ctid: string; value: string },
  hashed: string,
): Promise<void> {
  try {
    await conn.query(`UPDATE ${t.table} SET "${t.column}" = $1 WHERE ctid = $2::tid AND "${t.column}" = $3`, [
      hashed,
      row.ctid,
      row.value,
    ]);
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    await conn.query(`DELETE FROM ${t.table} WHERE ctid = $1::tid AND "${t.column}" = $2`, [
      row.ctid,
      row.value,
    ]);
  }
}
