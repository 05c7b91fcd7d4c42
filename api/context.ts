import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from '../logging';

/** The route of a request that matched none: its path is never logged (it may hold a phone number). */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The route pattern a request matched (`/v1/privacy/subjects/:userId`), never its raw path: paths
 * carry user ids and phone numbers. Static folders name their mount (`/console/*`, set by
 * `labelRoute`); anything else is `(unmatched)`.
 */
export function routeOf(req: Request, res: Response): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return route;
  return typeof res.locals.route === 'string' ? res.locals.route : UNMATCHED_ROUTE;
}

/** Names the requests a static mount serves by their mount, for `routeOf`. */
export const labelRoute =
  (label: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.route = label;
    next();
  };

/**
 * Requests a healthy deployment makes all the time (probes, scrapes, the Temporal UI's codec calls,
 * the sandbox page's polling, static files): their request lines are at debug level unless they fail
 * with a 5xx (a not-ready `/readyz` excepted), so the default log shows what people and clients did.
 */
const QUIET_ROUTES = new Set([
  '/healthz',
  '/readyz',
  '/metrics',
  '/codec/encode',
  '/codec/decode',
  '/codec/*',
  '/sandbox/api/conversation',
  '/sandbox/api/numbers',
  '/sandbox/*',
  '/console/*',
  '/docs/*',
  '/i18n/:file',
  '/',
  '/landing/*',
]);

/**
 * Gives every request an id (the caller's `X-Request-Id` when it is sane, else a new one), echoes it,
 * attaches a child logger and logs one line per request with its outcome and route pattern. No
 * bodies, no query strings, no raw paths.
 */
export function requestContext(log: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    const started = process.hrtime.bigint();
    res.locals.requestId = requestId;
    res.locals.log = log.child({ requestId });
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = routeOf(req, res);
      // `/readyz` answering 503 is its normal answer while a process starts (and readiness says why).
      const quiet =
        QUIET_ROUTES.has(route) && (res.statusCode < 500 || (route === '/readyz' && res.statusCode === 503));
      const line = { method: req.method, route, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      (res.locals.log as Logger)[quiet ? 'debug' : 'info']('request', line);
    });
    next();
  };
}

/**
 * Pages are static files calling the public API; a strict CSP keeps injected content inert. The same
 * policy is sent on every response (a JSON body is never a document, so it costs nothing there).
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  // The console plays a conversation's audio and video from blob: URLs (fetched with the key in a header).
  mediaSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};

/** Security headers on every response (helmet): the CSP above, no framing, no referrer, nosniff. */
export const securityHeaders: RequestHandler = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  // The Temporal UI (another origin) reads /codec with CORS; a same-site CORP would not stop it, but
  // say what is meant.
  crossOriginResourcePolicy: { policy: 'same-site' },
});
