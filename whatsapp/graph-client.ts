import {
  META_MEDIA_HOSTS,
  openMediaDownload,
  postMultipart,
  type MediaDownload,
  type MediaUpload,
} from './graph-media';

import { GraphError } from './graph-error';
import { TEMPLATE_FIELDS, templatePageSchema } from './templates';

export { GraphError } from './graph-error';
export type { MediaDownload, MediaUpload } from './graph-media';

/**
 * A minimal client for the WhatsApp Cloud API (Graph API) over HTTP. It knows the wire contract and
 * nothing about workflows: callers (activities) decide what a failure means for retries.
 */

export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  /**
   * Hosts a media download URL may name (`lookaside.fbsbx.com`, or `*.example` for subdomains):
   * the bearer token is sent to no other, and only over HTTPS. The Graph URL's own origin is
   * always allowed (the sandbox serves both).
   */
  mediaHosts?: readonly string[];
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface SendResult {
  wamid: string;
}

/** What `GET /<media-id>` answers: a short-lived download URL and the file's facts. */
export interface MediaInfo {
  url: string;
  mimeType?: string;
  sha256?: string;
  fileSize?: number;
}

export interface GraphClient {
  sendMessage(
    phoneNumberId: string,
    accessToken: string,
    message: Record<string, unknown>,
  ): Promise<SendResult>;
  /** Marks an inbound message read (blue ticks), optionally showing a typing indicator (≤ 25 s). */
  markRead(phoneNumberId: string, accessToken: string, messageId: string, typing: boolean): Promise<void>;
  getMedia(mediaId: string, accessToken: string): Promise<MediaInfo>;
  /**
   * Opens a media URL with the bearer token once its host is one of Meta's (`UntrustedMediaHost`
   * otherwise, before anything is sent); the body streams, the caller reads it under `signal`.
   * Refuses a declared size over `maxBytes` (413); the caller enforces it while reading.
   */
  openMedia(url: string, accessToken: string, maxBytes: number, signal: AbortSignal): Promise<MediaDownload>;
  /** Uploads a file for sending (`POST /<phone_number_id>/media`, multipart, streamed); its media id. */
  uploadMedia(phoneNumberId: string, accessToken: string, file: MediaUpload): Promise<{ id: string }>;
  /**
   * One page of the account's templates (`GET /<waba_id>/message_templates`), raw items; `after` is
   * the cursor of the next page, absent on the last one.
   */
  listTemplates(
    wabaId: string,
    accessToken: string,
    page: { limit: number; after?: string },
  ): Promise<{ templates: unknown[]; after?: string }>;
}

export function createGraphClient(opts: GraphClientOptions): GraphClient {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 15_000;

  async function call(url: string, accessToken: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new GraphError(`Graph API unreachable: ${(err as Error).message}`, undefined, undefined);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  const api = (path: string) => `${opts.baseUrl}/${opts.version}/${path}`;
  const media = {
    fetch: doFetch,
    timeoutMs,
    graphOrigin: new URL(opts.baseUrl).origin,
    hosts: opts.mediaHosts ?? META_MEDIA_HOSTS,
    failure: errorOf,
  };
  const post = async (path: string, accessToken: string, body: unknown) =>
    safeJson(await (await call(api(path), accessToken, body)).text());

  return {
    async sendMessage(phoneNumberId, accessToken, message) {
      const json = (await post(`${phoneNumberId}/messages`, accessToken, {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        ...message,
      })) as { messages?: { id?: string }[] } | undefined;
      const wamid = json?.messages?.[0]?.id;
      if (!wamid)
        throw new GraphError('Graph API accepted the send but returned no message id', 200, undefined);
      return { wamid };
    },

    async markRead(phoneNumberId, accessToken, messageId, typing) {
      await post(`${phoneNumberId}/messages`, accessToken, {
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: messageId,
        ...(typing ? { typing_indicator: { type: 'text' } } : {}),
      });
    },

    async getMedia(mediaId, accessToken) {
      const json = safeJson(await (await call(api(encodeURIComponent(mediaId)), accessToken)).text()) as
        { url?: unknown; mime_type?: unknown; sha256?: unknown; file_size?: unknown } | undefined;
      if (typeof json?.url !== 'string')
        throw new GraphError('Graph media lookup returned no url', 200, undefined);
      return {
        url: json.url,
        mimeType: typeof json.mime_type === 'string' ? json.mime_type : undefined,
        sha256: typeof json.sha256 === 'string' ? json.sha256 : undefined,
        fileSize: json.file_size === undefined ? undefined : Number(json.file_size),
      };
    },

    openMedia: (url, accessToken, maxBytes, signal) =>
      openMediaDownload(media, { url, accessToken, maxBytes, signal }),

    async uploadMedia(phoneNumberId, accessToken, file) {
      const json = (await postMultipart(media, api(`${phoneNumberId}/media`), accessToken, file)) as
        { id?: unknown } | undefined;
      if (typeof json?.id !== 'string')
        throw new GraphError('Graph media upload returned no id', 200, undefined);
      return { id: json.id };
    },

    async listTemplates(wabaId, accessToken, page) {
      const query = new URLSearchParams({ fields: TEMPLATE_FIELDS, limit: String(page.limit) });
      if (page.after) query.set('after', page.after);
      const url = api(`${encodeURIComponent(wabaId)}/message_templates?${query}`);
      const parsed = templatePageSchema.safeParse(safeJson(await (await call(url, accessToken)).text()));
      if (!parsed.success)
        throw new GraphError('Graph template list is not a page of templates', 200, undefined);
      const after = parsed.data.paging?.next ? parsed.data.paging.cursors?.after : undefined;
      return { templates: parsed.data.data, ...(after ? { after } : {}) };
    },
  };
}

/** The GraphError for a non-2xx answer, with Meta's code and Retry-After when given. */
async function errorOf(res: Response): Promise<GraphError> {
  const error = (safeJson(await res.text()) as { error?: { code?: number; message?: string } } | undefined)
    ?.error;
  const retryAfter = Number(res.headers.get('retry-after'));
  return new GraphError(
    `Graph API ${res.status}: ${error?.message ?? 'no error body'}`,
    res.status,
    error?.code,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
