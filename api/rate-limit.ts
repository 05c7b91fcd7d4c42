import type { RequestHandler } from 'express';
import { hashApiKey } from '../crypto/keys';
import { HttpError } from './errors';

const MAX_BUCKETS = 50_000;

/**
 * Per-key request rate limit: a token bucket per presented API key (by hash, so an unknown key is
 * limited too), refilled at `perMinute` per minute with a burst of the same size. Kept in memory per
 * API process: N API replicas allow up to N × the limit, which bounds abuse without a shared store.
 * Over the limit → 429 with Retry-After in seconds. Requests without a key pass on to get their 401.
 */
export function rateLimit(perMinute: number, now: () => number = Date.now): RequestHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const ratePerMs = perMinute / 60_000;
  return (req, res, next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
    if (!token) return next();
    const id = hashApiKey(token);
    const t = now();
    const bucket = buckets.get(id) ?? { tokens: perMinute, at: t };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * ratePerMs);
    bucket.at = t;
    buckets.delete(id);
    if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
    buckets.set(id, bucket);
    if (bucket.tokens < 1) {
      res.setHeader('retry-after', String(Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000))));
      return next(new HttpError(429, 'rate_limited', 'too many requests for this API key'));
    }
    bucket.tokens -= 1;
    next();
  };
}
