import type { RequestHandler, Response } from 'express';
import { hashApiKey, safeEqual } from '../crypto/keys';
import { findApiKeyByHash, type ApiKeyRow, type Scope } from '../db/clients';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import { forbidden, HttpError, unauthorized } from './errors';
import type { RateLimiter } from './rate-limit';

/** Who is calling: set on `res.locals.auth` by `requireScope`. Every /v1 handler scopes by `clientId`. */
export interface AuthContext {
  clientId: string;
  keyId: string;
  scopes: Scope[];
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** Admin routes: the deployment's admin token, compared in constant time. */
export function requireAdminToken(adminToken: string): RequestHandler {
  return (req, _res, next) => {
    const token = bearer(req.header('authorization'));
    if (!token) return next(unauthorized('missing bearer token'));
    if (!safeEqual(token, adminToken)) return next(unauthorized('invalid admin token'));
    next();
  };
}

/** The API key a request presented, resolved once per request (`null`: presented but unknown). */
async function presentedKey(db: Db, token: string, res: Response): Promise<ApiKeyRow | null> {
  if (res.locals.apiKey === undefined)
    res.locals.apiKey = (await findApiKeyByHash(db, hashApiKey(token))) ?? null;
  return res.locals.apiKey as ApiKeyRow | null;
}

/**
 * In front of `/v1`: resolves the presented API key and takes one request from its rate limit
 * (429 with `Retry-After` when spent). A request without a key, or with an unknown one, passes on
 * to its route's `requireScope` for the 401.
 */
export function rateLimitByKey(db: Db, limiter: RateLimiter): RequestHandler {
  return async (req, res, next) => {
    const token = bearer(req.header('authorization'));
    const key = token ? await presentedKey(db, token, res) : null;
    if (!key) return next();
    const retryAfter = await limiter(key.id);
    if (retryAfter === undefined) return next();
    res.setHeader('retry-after', String(retryAfter));
    next(new HttpError(429, 'rate_limited', 'too many requests for this API key'));
  };
}

/**
 * Client routes: resolves the API key to its client and checks that it carries one of `scopes`
 * (`admin` keys pass every scope check of their own client).
 */
export function requireScope(db: Db, ...scopes: Scope[]): RequestHandler {
  return async (req, res, next) => {
    const token = bearer(req.header('authorization'));
    if (!token) return next(unauthorized('missing API key'));
    const key = await presentedKey(db, token, res);
    if (!key) return next(unauthorized('invalid or revoked API key'));
    if (!key.scopes.includes('admin') && !scopes.some((s) => key.scopes.includes(s))) {
      return next(forbidden(`this API key lacks the scope ${scopes.join(' or ')}`));
    }
    res.locals.auth = { clientId: key.clientId, keyId: key.id, scopes: key.scopes } satisfies AuthContext;
    // Every later line of this request names the client too (the request id is already there).
    if (res.locals.log) res.locals.log = (res.locals.log as Logger).child({ clientId: key.clientId });
    next();
  };
}
