import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { messagesNotification } from '../../whatsapp/envelope';
import { blindIndexKey } from '../../crypto/keys';
import { metaShapedWamid, wamidHash } from '../../whatsapp/wamid';
import { signBody } from '../../whatsapp/signature';
import { TEST_ADMIN_TOKEN, TEST_APP_SECRET } from './env';

/**
 * A fresh message id shaped as Meta's: it embeds the sender's number (`number`, else a random one),
 * so privacy scans that look for the number look inside the ids too.
 */
export const wamid = (number = `55119${randomInt(10_000_000, 99_999_999)}`) => metaShapedWamid(number);

/** Fresh numbers and clients over the admin API, as the chaos harness and the benchmark make them. */
export { phoneNumberId, provisionClient as provisionTestClient } from '../../sandbox/provision';

/** A new API key of `clientId` with `scopes` (and a label), minted over the admin API. */
export async function mintKey(
  apiUrl: string,
  clientId: string,
  scopes: readonly string[],
  label?: string,
): Promise<{ apiKey: string; keyId: string }> {
  const res = await fetch(`${apiUrl}/admin/v1/clients/${clientId}/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ scopes, ...(label ? { label } : {}) }),
  });
  assert.equal(res.status, 201, 'the admin API minted the key');
  return (await res.json()) as { apiKey: string; keyId: string };
}

export function textNotification(opts: {
  phoneNumberId: string;
  waId: string;
  text: string;
  id?: string;
  timestamp?: number;
  name?: string;
}): Record<string, unknown> {
  return messagesNotification(opts.phoneNumberId, {
    contacts: [{ profile: { name: opts.name ?? 'Test User' }, wa_id: opts.waId }],
    messages: [
      {
        from: opts.waId,
        id: opts.id ?? wamid(opts.waId),
        timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
        type: 'text',
        text: { body: opts.text },
      },
    ],
  });
}

/** POSTs a body to the webhook, signed as Meta signs it (or with `signature` when given). */
export function postWebhook(
  apiUrl: string,
  body: unknown,
  opts: { secret?: string; signature?: string | null } = {},
): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature =
    opts.signature === undefined ? signBody(raw, opts.secret ?? TEST_APP_SECRET) : opts.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(`${apiUrl}/webhooks/whatsapp`, { method: 'POST', headers, body: raw });
}

/** Polls `probe` until it returns a truthy value, or throws after `timeoutMs`. */
export async function waitUntil<T>(
  probe: () => Promise<T>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a wamid is stored and looked up by (its keyed hash), for tests that read rows. */
export const storedWamid = (masterKey: Buffer, clientId: string, id: string): string =>
  wamidHash(blindIndexKey(masterKey), clientId, id);
