/**
 * A minimal client for the WhatsApp Cloud API (Graph API) over HTTP. It knows the wire contract and
 * nothing about workflows: callers (activities) decide what a failure means for retries.
 */

export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface SendResult {
  wamid: string;
}

/** A failure answered by the Graph API (or the network), with Meta's error code when it gave one. */
export class GraphError extends Error {
  override name = 'GraphError';
  constructor(
    message: string,
    readonly httpStatus: number | undefined,
    readonly code: number | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
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
  /** Downloads a media URL with the bearer token; refuses files over `maxBytes`. */
  downloadMedia(url: string, accessToken: string, maxBytes: number): Promise<Buffer>;
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
    if (!res.ok) {
      const error = (
        safeJson(await res.text()) as { error?: { code?: number; message?: string } } | undefined
      )?.error;
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new GraphError(
        `Graph API ${res.status}: ${error?.message ?? 'no error body'}`,
        res.status,
        error?.code,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      );
    }
    return res;
  }

  const api = (path: string) => `${opts.baseUrl}/${opts.version}/${path}`;
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

    async downloadMedia(url, accessToken, maxBytes) {
      const res = await call(url, accessToken);
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) {
        throw new GraphError(`media file of ${declared} bytes exceeds ${maxBytes}`, 413, undefined);
      }
      const bytes = Buffer.from(await res.arrayBuffer());
      if (bytes.length > maxBytes)
        throw new GraphError(`media file exceeds ${maxBytes} bytes`, 413, undefined);
      return bytes;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
