import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { GraphError } from './graph-error';

/**
 * The Graph API's media transfers, which stream: downloads (checked against Meta's hosts before the
 * bearer token goes out) and uploads (multipart, written as the file is read).
 */

/** Where Meta serves media downloads (its CDN, behind the bearer token). */
export const META_MEDIA_HOSTS: readonly string[] = ['lookaside.fbsbx.com'];
const MAX_REDIRECTS = 3;

export interface MediaDownload {
  body: Readable;
  /** The size the server declared (Content-Length), if it did. */
  declaredBytes: number | undefined;
}

export interface MediaUpload {
  body: AsyncIterable<Uint8Array>;
  mimeType: string;
  /** A file name extension for the upload's part (`pdf`); the real name travels in the message. */
  extension: string;
  signal?: AbortSignal;
}

/** The download URL names a host that is not Meta's: the token was not sent, and never will be. */
export class UntrustedMediaHostError extends Error {
  override name = 'UntrustedMediaHostError';
}

export interface MediaHttp {
  fetch: typeof fetch;
  timeoutMs: number;
  /** The Graph API's origin: media URLs on it are trusted as the API itself is. */
  graphOrigin: string;
  hosts: readonly string[];
  failure(res: Response): Promise<GraphError>;
}

const hostMatches = (host: string, pattern: string) =>
  pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;

/** The URL, once its host is trusted with the token (Meta's CDN over HTTPS, or the Graph origin). */
export function trustedMediaUrl(url: string, http: Pick<MediaHttp, 'graphOrigin' | 'hosts'>): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UntrustedMediaHostError('the media URL is not a URL');
  }
  if (parsed.origin === http.graphOrigin) return parsed;
  if (parsed.protocol === 'https:' && http.hosts.some((h) => hostMatches(parsed.hostname, h))) return parsed;
  throw new UntrustedMediaHostError(`media host ${parsed.hostname} is not one of Meta's`);
}

/**
 * Opens a download: redirects are followed by hand (at most 3), each target checked like the first,
 * so the token never follows a redirect elsewhere. `timeoutMs` bounds the wait for headers; the body
 * then streams under the caller's `signal`.
 */
export async function openMediaDownload(
  http: MediaHttp,
  req: { url: string; accessToken: string; maxBytes: number; signal: AbortSignal },
): Promise<MediaDownload> {
  const ctrl = new AbortController();
  req.signal.addEventListener('abort', () => ctrl.abort(req.signal.reason), { once: true });
  const headersTimer = setTimeout(() => ctrl.abort(new Error('no answer in time')), http.timeoutMs);
  try {
    let url = trustedMediaUrl(req.url, http);
    for (let hop = 0; ; hop++) {
      const res = await http
        .fetch(url, {
          headers: { authorization: `Bearer ${req.accessToken}` },
          redirect: 'manual',
          signal: ctrl.signal,
        })
        .catch((err: unknown) => {
          throw new GraphError(`media download unreachable: ${(err as Error).message}`, undefined, undefined);
        });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location && hop < MAX_REDIRECTS) {
        await res.body?.cancel();
        url = trustedMediaUrl(new URL(location, url).toString(), http);
        continue;
      }
      if (!res.ok) throw await http.failure(res);
      const declared = Number(res.headers.get('content-length') ?? Number.NaN);
      if (declared > req.maxBytes || !res.body) {
        await res.body?.cancel();
        throw new GraphError(`media file of ${declared} bytes exceeds ${req.maxBytes}`, 413, undefined);
      }
      return {
        body: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
        declaredBytes: Number.isFinite(declared) ? declared : undefined,
      };
    }
  } finally {
    clearTimeout(headersTimer);
  }
}

/**
 * `POST` of one file as Meta's media upload wants it (`messaging_product`, `type`, `file`), streamed
 * with chunked transfer encoding. The part's file name is generic: the name a customer sees is the
 * message's `document.filename`, so the upload carries none of ours.
 */
export async function postMultipart(
  http: MediaHttp,
  url: string,
  accessToken: string,
  file: MediaUpload,
): Promise<unknown> {
  const boundary = `aura-${randomBytes(16).toString('hex')}`;
  const part = (headers: string) => `--${boundary}\r\n${headers}\r\n\r\n`;
  const mime = file.mimeType.replace(/[^\w.+/-]/g, '');
  const extension = file.extension.replace(/\W/g, '').slice(0, 8) || 'bin';
  const head = Buffer.from(
    `${part('Content-Disposition: form-data; name="messaging_product"')}whatsapp\r\n` +
      `${part('Content-Disposition: form-data; name="type"')}${mime}\r\n` +
      part(
        `Content-Disposition: form-data; name="file"; filename="file.${extension}"\r\nContent-Type: ${mime}`,
      ),
  );
  async function* body(): AsyncGenerator<Uint8Array> {
    yield head;
    yield* file.body;
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  let res: Response;
  try {
    res = await http.fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      body: Readable.from(body()) as unknown as RequestInit['body'],
      duplex: 'half',
      signal: file.signal,
    } as RequestInit);
  } catch (err) {
    throw new GraphError(`Graph media upload failed: ${(err as Error).message}`, undefined, undefined);
  }
  if (!res.ok) throw await http.failure(res);
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
