import { deriveKey, keyedHash } from '../../crypto/keys';
import { LocalKms } from '../../crypto/kms';
import { SubjectVault } from '../../crypto/vault';
import { setOptOut, upsertContact } from '../../db/contacts';
import type { Stack } from '../support/stack';
import { RATES } from './fixtures';

/** Calls the API with a bearer key; returns status and parsed JSON (loosely typed: tests probe it). */
export async function call(
  stack: Stack,
  apiKey: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

export const subjectHashOf = (stack: Stack, clientId: string, userId: string) =>
  keyedHash(deriveKey(stack.config.masterKey, 'blind-index'), clientId, userId);

export const vaultOf = (stack: Stack) =>
  new SubjectVault(stack.db.pool, new LocalKms([stack.config.masterKey]));

/**
 * Creates the contact a customer becomes when they first write: sealed reply address, the 24-hour
 * window's start (`lastInboundAt`; null for never), and optionally opted out.
 */
export async function seedContact(
  stack: Stack,
  clientId: string,
  userId: string,
  opts: { lastInboundAt?: Date | null; optedOut?: boolean } = {},
): Promise<string> {
  const subjectHash = subjectHashOf(stack, clientId, userId);
  const subject = { clientId, subjectHash };
  await upsertContact(stack.db.pool, {
    ...subject,
    recipientEnc: await vaultOf(stack).seal(subject, 'contact.recipient', userId),
    nameEnc: null,
    inboundAt: new Date(0),
  });
  // Set exactly (upsertContact only moves the window forward); null means never wrote.
  await stack.db.pool.query(
    'UPDATE contacts SET last_inbound_at = $3 WHERE client_id = $1 AND subject_hash = $2',
    [clientId, subjectHash, opts.lastInboundAt === undefined ? new Date() : opts.lastInboundAt],
  );
  if (opts.optedOut) await setOptOut(stack.db.pool, { ...subject, optedOut: true, source: 'test' });
  return subjectHash;
}

export async function putRates(stack: Stack, apiKey: string, table = RATES): Promise<void> {
  const res = await call(stack, apiKey, 'PUT', '/v1/shipping/rates', table);
  if (res.status !== 200) throw new Error(`rates: ${res.status} ${JSON.stringify(res.json)}`);
}

let counter = 0;
/** A fresh order body for `userId`, shipped to Lisbon (EUR 3.00 shipping for light parcels). */
export function orderBody(userId: string, overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    orderId: `T-${Date.now().toString(36)}-${counter}`,
    customer: { userId, name: 'Ana Silva' },
    currency: 'EUR',
    items: [{ sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1250, weightGrams: 400 }],
    deliveryAddress: {
      name: 'Ana Silva',
      lines: ['Rua Augusta 1'],
      city: 'Lisboa',
      postalCode: '1100-048',
      country: 'PT',
    },
    ...overrides,
  };
}

/** Polls until `fn` returns a truthy value (the workflow writes records and sends asynchronously). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
