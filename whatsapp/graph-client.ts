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

export interface GraphClient {
  sendMessage(
    phoneNumberId: string,
    accessToken: string,
    message: Record<string, unknown>,
  ): Promise<SendResult>;
}

export function createGraphClient(opts: GraphClientOptions): GraphClient {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 15_000;

  async function post(path: string, accessToken: string, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await doFetch(`${opts.baseUrl}/${opts.version}/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new GraphError(`Graph API unreachable: ${(err as Error).message}`, undefined, undefined);
    }
    const text = await res.text();
    const json = safeJson(text);
    if (!res.ok) {
      const error = (json as { error?: { code?: number; message?: string } } | undefined)?.error;
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new GraphError(
        `Graph API ${res.status}: ${error?.message ?? 'no error body'}`,
        res.status,
        error?.code,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      );
    }
    return json;
  }

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
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
