import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/pool';

/** Takes one request from a key's allowance: `undefined` when allowed, else seconds until it refills. */
export type RateLimiter = (keyId: string) => Promise<number | undefined>;

/**
 * Per-API-key request limit shared by every API process (rate-limiter-flexible over the
 * `rate_limits` table): `perMinute` requests in each key's fixed window (60 s; tests shorten it), however many
 * replicas serve them. Only resolved keys are counted (an unknown key costs one indexed lookup and a
 * 401, and writes nothing). A key over its limit is then refused from memory until its window ends,
 * so a flood costs PostgreSQL nothing; if PostgreSQL fails, each process falls back to the same limit
 * in memory rather than refusing everyone.
 */
export function createRateLimiter(db: Db, perMinute: number, windowSeconds = 60): RateLimiter {
  const limiter = new RateLimiterPostgres({
    storeClient: db,
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true, // migration 150
    keyPrefix: 'v1',
    points: perMinute,
    duration: windowSeconds,
    inMemoryBlockOnConsumed: perMinute + 1,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: 'v1', points: perMinute, duration: windowSeconds }),
  });
  return async (keyId) => {
    try {
      await limiter.consume(keyId);
      return undefined;
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      return Math.max(1, Math.ceil(refused.msBeforeNext / 1000));
    }
  };
}
