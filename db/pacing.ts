import type { Queryable } from './pool';

/**
 * Reserves the next send slot under `key` with the generic cell rate algorithm: one slot every
 * `intervalMs`, bursts of up to `burst` slots. One atomic statement on the database clock, so every
 * worker shares the same buckets and concurrent reservations queue up instead of racing. Returns how
 * long to wait before using the slot (0 when it is free now).
 */
export async function reserveSendSlot(
  db: Queryable,
  key: string,
  intervalMs: number,
  burst: number,
  subject?: { clientId: string; subjectHash: string },
): Promise<number> {
  // A recipient's bucket names its subject (client_id + subject_hash), so erasure and retention find it.
  const { rows } = await db.query<{ previous: number; now: number }>(
    `WITH clock AS (SELECT extract(epoch FROM clock_timestamp()) * 1000 AS now)
     INSERT INTO send_pacing AS p (key, tat, client_id, subject_hash)
       SELECT $1, clock.now + $2, $3, $4 FROM clock
     ON CONFLICT (key) DO UPDATE SET tat = GREATEST(p.tat, (SELECT now FROM clock)) + $2, updated_at = now()
     RETURNING p.tat - $2 AS previous, (SELECT now FROM clock) AS now`,
    [key, intervalMs, subject?.clientId ?? null, subject?.subjectHash ?? null],
  );
  const row = rows[0]!;
  return Math.max(0, row.previous - (burst - 1) * intervalMs - row.now);
}
