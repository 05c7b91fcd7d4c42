import { randomBytes } from 'node:crypto';
import { keyedHash } from '../crypto/keys';

/**
 * WhatsApp message ids (wamids) are personal data: Meta's ids are base64 of a structure that holds
 * the end-user's phone number (`wamid.HBgLMTY1MDUwNzY1MjAV…` decodes to `…16505076520…`). They are
 * stored, looked up and named (workflow ids, idempotency keys, insight keys) only by this keyed hash;
 * the id itself travels in Temporal payloads, which the codec encrypts, where Meta needs it back
 * (marking a message read).
 */

/** A keyed hash of `wamid` under the blind-index key, scoped to one client: 64 hex characters. */
export function wamidHash(indexKey: Buffer, clientId: string, wamid: string): string {
  return keyedHash(indexKey, 'wamid', clientId, wamid);
}

/**
 * What a send carries as `biz_opaque_callback_data`, which Meta echoes in that message's statuses:
 * a keyed hash of the send's idempotency key (never personal data), so a send whose answer was lost
 * is found by its statuses (`sendMessage`).
 */
export function sendCallback(indexKey: Buffer, clientId: string, idempotencyKey: string): string {
  return keyedHash(indexKey, 'send-callback', clientId, idempotencyKey);
}

/** Whether a stored value is already a wamid hash (rather than an id kept in clear before hashing). */
export const isWamidHash = (value: string): boolean => /^[0-9a-f]{64}$/.test(value);

/** Whether a status's callback data is one of ours (anything else another app set is not kept). */
export const isSendCallback = isWamidHash;

/**
 * A message id shaped as Meta's, embedding `number` as Meta's do: for the sandbox Graph and tests,
 * so privacy scans look for a number that really is inside the ids.
 */
export function metaShapedWamid(number: string): string {
  const digits = Buffer.from(number.replace(/\D/g, '').slice(0, 20));
  const tail = Buffer.from(randomBytes(9).toString('hex').toUpperCase());
  const body = Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]),
    digits,
    Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, tail.length]),
    tail,
    Buffer.from([0x00]),
  ]);
  return `wamid.${body.toString('base64')}`;
}
