import type { Queryable } from './pool';

/** A bucket to take a slot from: one slot every `intervalMs`, bursts of up to `burst` slots. */
export interface SendSlot {
  key: string;
  intervalMs: number;
  burst: number;
  /** A recipient's bucket names its subject (client_id + subject_hash), so erasure and retention find it. */
  subject?: { clientId: string; subjectHash: string };
}

/**
 * Reserves the next slot of every bucket in `slots` with the generic cell rate algorithm, in one
 * atomic statement on the database clock, so every worker shares the same buckets and concurrent
 * reservations queue up instead of racing. Returns how long to wait before using the slots: the
 * longest wait of any bucket (0 when all are free now). Callers list buckets in one fixed order
 * (the number's, then the recipient's), so two statements never lock them crosswise.
 */
export async function reserveSendSlots(db: Queryable, slots: readonly SendSlot[]): Promise<number> {
  const { rows } = await db.query<{ key: string; tat: number; now: number }>(
    `WITH clock AS (SELECT extract(epoch FROM clock_timestamp()) * 1000 AS now)
     INSERT INTO send_pacing AS p (key, tat, client_id, subject_hash)
       SELECT s.key, clock.now + s.interval_ms, s.client_id, s.subject_hash
         FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[]) WITH ORDINALITY
              AS s(key, interval_ms, client_id, subject_hash, n), clock
        ORDER BY s.n
     ON CONFLICT (key) DO UPDATE
       SET tat = GREATEST(p.tat, (SELECT now FROM clock)) + (excluded.tat - (SELECT now FROM clock)),
           updated_at = now()
     RETURNING p.key, p.tat, (SELECT now FROM clock) AS now`,
    [
      slots.map((s) => s.key),
      slots.map((s) => s.intervalMs),
      slots.map((s) => s.subject?.clientId ?? null),
      slots.map((s) => s.subject?.subjectHash ?? null),
    ],
  );
  const byKey = new Map(slots.map((s) => [s.key, s]));
  return Math.max(
    0,
    ...rows.map((r) => {
      const { intervalMs, burst } = byKey.get(r.key)!;
      // The slot taken is one interval before the new arrival time; a burst may run that far ahead.
      return r.tat - burst * intervalMs - r.now;
    }),
  );
}
