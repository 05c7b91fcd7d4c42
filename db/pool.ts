import pg from 'pg';

export type Db = pg.Pool;
/** Query functions take either the pool or a transaction's client. */
export type Queryable = Pick<pg.Pool, 'query'>;

/** A connection pool; `sslmode` and the rest come from the URL as libpq would read them. */
export function createPool(url: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `fn` in a transaction, committing on success and rolling back on any error. */
export async function inTransaction<T>(pool: Db, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Opens every connection the pool may hold (so the first burst does not pay for connecting) and runs
 * `reads` (read-only query functions) a few times on each, which also warms the driver's code: part
 * of a process warm-up.
 */
export async function warmPool(
  pool: Db,
  reads: readonly ((db: Queryable) => Promise<unknown>)[],
  rounds = 20,
): Promise<void> {
  const clients = await Promise.all(Array.from({ length: pool.options.max ?? 10 }, () => pool.connect()));
  try {
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < rounds; i++) for (const read of reads) await read(client);
      }),
    );
  } finally {
    for (const client of clients) client.release();
  }
}

/** One round trip: PostgreSQL answers (readiness). */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

/** The database's size on disk in bytes (the benchmark's footprint). */
export async function databaseBytes(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
  return Number(rows[0]!.bytes);
}
