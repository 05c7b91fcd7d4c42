import { Sema } from 'async-sema';

/**
 * How much work one webhook notification may fan out to at once, per request and across requests.
 * A signed envelope may carry 20,000 statuses (or messages) within its 3 MB: run all at once, they
 * queue on the PostgreSQL pool ahead of every other route and time out there (a 503 Meta retries for
 * 7 days). Bounded, they wait here instead, in order, while other routes keep their connections.
 */
export interface FanOutLimits {
  /** Database statements the webhook runs at once in this process (batched statuses, ignored items). */
  readonly db: Sema;
  /** Temporal calls (signal-with-start, follow-up starts) the webhook runs at once in this process. */
  readonly temporal: Sema;
  /** Of those, how many one request may hold at once, so one envelope cannot take them all. */
  readonly perRequest: number;
}

/**
 * The process's limits: 2 of the pool's 10 connections, 256 Temporal calls, 4 per request. Temporal
 * calls share one multiplexed gRPC connection and hold no pool connection, so their bound is about
 * memory, not starvation. Meta posts one message per request, so the bound is also how many
 * messages the process hands to Temporal at once: at 80 msg/s with signal-with-start taking
 * hundreds of milliseconds under load, 16 would queue webhooks behind each other.
 */
export function createFanOutLimits(
  opts: { db?: number; temporal?: number; perRequest?: number } = {},
): FanOutLimits {
  return {
    db: new Sema(opts.db ?? 2),
    temporal: new Sema(opts.temporal ?? 256),
    perRequest: opts.perRequest ?? 4,
  };
}

/**
 * Runs `fn` for every item, at most `lanes` at once for this call, each run holding one slot of
 * `shared`. Rejects with the first failure once the runs in flight have finished; after a failure
 * no new item starts (the notification is answered 503 and redelivered: every step is idempotent).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  lanes: number,
  shared: Sema,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      await shared.acquire();
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      } finally {
        shared.release();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  if (failure) throw failure.err;
}

/** `items` in consecutive slices of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
