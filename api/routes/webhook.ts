import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Metrics } from '../../metrics';
import { safeEqual } from '../../crypto/keys';
import { SignatureCheck } from '../../whatsapp/signature';
import { notificationSchema } from '../../whatsapp/webhook-schema';
import { badRequest, HttpError, unauthorized, unavailable } from '../errors';
import { ingestNotification, type InboundDeps } from '../inbound';

/** Meta allows webhook payloads up to 3 MB. */
const BODY_LIMIT = 3 * 1024 * 1024;

const OUTCOMES: Record<number, string> = {
  200: 'accepted',
  400: 'bad_request',
  401: 'unauthorized',
  413: 'too_large',
  415: 'unsupported_encoding',
  503: 'unavailable',
};

/**
 * Counts every POST and times it to the answer, by outcome. Taken from the status when the response
 * finishes, so refusals thrown anywhere (the body parser's 413 included) are counted the same way.
 */
function observeWebhook(metrics: Metrics): RequestHandler {
  return (_req, res, next) => {
    const stop = metrics.webhookDuration.startTimer();
    res.on('finish', () => {
      const outcome = OUTCOMES[res.statusCode] ?? `status_${res.statusCode}`;
      metrics.webhookRequests.inc({ outcome });
      stop({ outcome });
    });
    next();
  };
}

/**
 * Compressed bodies are refused before a byte is read: inflating costs work (and memory: a 3 KB
 * gzip bomb inflates to the 3 MB limit) before the sender is authenticated, and Meta sends its
 * webhooks uncompressed.
 */
const identityEncodingOnly: RequestHandler = (req, _res, next) => {
  const encoding = (req.header('content-encoding') ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return next();
  next(
    new HttpError(
      415,
      'unsupported_encoding',
      'Content-Encoding must be identity: compressed bodies are refused',
    ),
  );
};

/**
 * Reads the raw body up to the 3 MB limit, feeding the signature check chunk by chunk as it
 * arrives (no second pass over 3 MB in one go). Over the limit — declared or read — is a 413 that
 * also closes the connection, so nothing more of that body is read.
 */
async function readBody(req: Request, res: Response, check: SignatureCheck): Promise<Buffer> {
  const tooLarge = () => {
    res.setHeader('connection', 'close');
    return new HttpError(413, 'payload_too_large', 'request body too large');
  };
  if (Number(req.header('content-length') ?? 0) > BODY_LIMIT) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        req.off('data', onData).pause(); // the answer closes the connection; the rest is never read
        return reject(tooLarge());
      }
      check.update(chunk);
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/**
 * `GET|POST /webhooks/whatsapp`. The POST verifies the signature over the raw bytes before anything
 * else, answers 200 only once every message is durably in Temporal and every status in PostgreSQL, and
 * 503 when either cannot be reached so that Meta retries. Bad bodies are 4xx, never 5xx.
 */
export function webhookRouter(
  deps: InboundDeps & { appSecrets: readonly string[]; verifyToken: string; metrics: Metrics },
): Router {
  const router = Router();

  router.get('/webhooks/whatsapp', (req, res) => {
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    if (
      mode === 'subscribe' &&
      typeof token === 'string' &&
      safeEqual(token, deps.verifyToken) &&
      typeof challenge === 'string'
    ) {
      res.status(200).type('text/plain').send(challenge);
      return;
    }
    res.status(403).json({ error: { code: 'forbidden', message: 'verification failed' } });
  });

  router.post('/webhooks/whatsapp', observeWebhook(deps.metrics), identityEncodingOnly, async (req, res) => {
    const check = new SignatureCheck(deps.appSecrets);
    const raw = await readBody(req, res, check);
    if (!(await check.verify(req.header('x-hub-signature-256')))) {
      throw unauthorized('missing or invalid X-Hub-Signature-256');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw badRequest('body is not valid JSON');
    }
    const parsed = notificationSchema.safeParse(json);
    if (!parsed.success) throw badRequest('body is not a WhatsApp notification');
    try {
      const outcome = await ingestNotification(deps, parsed.data);
      // The request line says it was accepted; the counts are for debugging.
      res.locals.log?.debug('webhook accepted', { ...outcome });
    } catch (err) {
      if (err instanceof HttpError) throw err;
      // Temporal or PostgreSQL could not take the work: Meta retries a non-200 for up to 7 days.
      res.locals.log?.error('webhook not accepted: a durable store is unavailable', { err: err as Error });
      throw unavailable('could not store the notification durably; retry later');
    }
    res.status(200).json({ ok: true });
  });

  return router;
}
