import express, { Router, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { keyedHash, safeEqual } from '../../crypto/keys';
import { jsonBody } from '../body';
import { labelRoute } from '../context';
import { badRequest, parseOr400, unauthorized } from '../errors';

/**
 * `/codec/encode` and `/codec/decode`: Temporal's remote codec protocol, so an operator reads
 * histories in clear in the Temporal UI (or `temporal workflow show --codec-endpoint`). Only the
 * operator may call it: `Authorization: Bearer <AURA_ADMIN_TOKEN>`, or the session cookie that
 * `POST /codec/login` sets for the browser (the UI's "Include cross-origin credentials" option sends
 * it). Client API keys never qualify: payloads are sealed with a deployment key that spans tenants.
 * A session is bound to the admin token it was opened with: rotating `AURA_ADMIN_TOKEN` ends every
 * session. Behind a TLS proxy, `AURA_TRUST_PROXY` lets `req.secure` see HTTPS, so the cookie is
 * `Secure` (and `SameSite=None` for a UI on another site).
 */
export interface CodecDeps {
  codec: PayloadCodec;
  adminToken: string;
  /** Key that signs codec session cookies. */
  sessionKey: Buffer;
  corsOrigins: readonly string[];
}

const SESSION_COOKIE = 'aura_codec';
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
export const payloadsSchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
    .max(1000),
});

export function codecRouter(deps: CodecDeps): Router {
  const router = Router();
  router.use('/codec', labelRoute('/codec/*'), cors(deps.corsOrigins));
  router.get('/codec/login', (_req, res) => {
    res.type('html').send(LOGIN_PAGE);
  });
  router.post('/codec/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const token = String((req.body as { token?: unknown }).token ?? '');
    if (!safeEqual(token, deps.adminToken)) throw unauthorized('invalid admin token');
    const expires = String(Date.now() + SESSION_TTL_MS);
    res.cookie(SESSION_COOKIE, `${expires}.${sessionMac(deps, expires)}`, {
      httpOnly: true,
      // Over HTTPS the UI may live on another site (SameSite=None needs Secure); locally the UI on
      // localhost:8233 is the same site as the API, so Lax suffices.
      sameSite: req.secure ? 'none' : 'lax',
      secure: req.secure,
      maxAge: SESSION_TTL_MS,
      path: '/codec',
    });
    res.type('text/plain').send('Signed in: the Temporal UI can now decode payloads for 8 hours.\n');
  });
  const json = jsonBody('4mb');
  const auth = operatorAuth(deps);
  for (const op of ['encode', 'decode'] as const) {
    router.post(`/codec/${op}`, auth, json, async (req, res) => {
      const { payloads } = parseOr400(payloadsSchema, req.body);
      let out: Payload[];
      try {
        out = await deps.codec[op](payloads.map(fromJson));
      } catch {
        throw badRequest(`cannot ${op} these payloads (unknown key id or tampered data)`);
      }
      res.json({ payloads: out.map(toJson) });
    });
  }
  return router;
}

function operatorAuth(deps: CodecDeps): RequestHandler {
  return (req, _res, next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
    if (token !== undefined)
      return next(safeEqual(token, deps.adminToken) ? undefined : unauthorized('invalid token'));
    const cookie = readCookie(req.header('cookie'), SESSION_COOKIE);
    const [expires, mac] = (cookie ?? '').split('.');
    const valid =
      expires !== undefined &&
      mac !== undefined &&
      Number(expires) > Date.now() &&
      safeEqual(mac, sessionMac(deps, expires));
    next(valid ? undefined : unauthorized('the codec needs the operator token or a codec session'));
  };
}

/** CORS for the Temporal UI: only the configured origins, with credentials, preflight answered here. */
function cors(origins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.header('origin');
    if (origin && origins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-allow-headers', 'X-Namespace, Authorization, Content-Type');
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader('access-control-max-age', '600');
    }
    res.vary('Origin');
    if (req.method === 'OPTIONS') {
      res.status(origin && origins.includes(origin) ? 204 : 403).end();
      return;
    }
    next();
  };
}

/** A session's MAC covers its expiry and the admin token it was opened with. */
const sessionMac = (deps: CodecDeps, expires: string) => keyedHash(deps.sessionKey, expires, deps.adminToken);

/** A cookie's value; undefined when absent or not decodable (a malformed cookie is no session). */
function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function fromJson(p: { metadata?: Record<string, string>; data?: string }): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    ),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

const LOGIN_PAGE = `<!doctype html><meta charset="utf-8"><title>Aura codec sign-in</title>
<form method="post" action="/codec/login"><label>Operator token <input type="password" name="token"></label>
<button>Sign in</button></form>`;
