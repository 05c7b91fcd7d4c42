import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Key derivation and keyed hashes. Purpose-specific keys are derived from the master key with HKDF so
 * that one compromised purpose (say, the blind index) says nothing about another (say, sealing).
 */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `aura-engage:${purpose}`, 32));
}

/** A keyed hash (blind index) of identifying values, hex; stable for the same key and parts. */
export function keyedHash(key: Buffer, ...parts: string[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(`${Buffer.byteLength(part)}:${part};`);
  return mac.digest('hex');
}

/** A fresh API key: a recognisable prefix, the key id, and 32 random bytes. */
export function generateApiKey(): { keyId: string; apiKey: string } {
  const keyId = randomBytes(6).toString('hex');
  return { keyId, apiKey: `aura_${keyId}_${randomBytes(32).toString('base64url')}` };
}

/** API keys are high-entropy, so a plain SHA-256 is the right stored form (no slow hash needed). */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/** Constant-time comparison of two strings of possibly different length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * The blind-index key: end-user ids and WhatsApp message ids are looked up by keyed hashes under it.
 * The API and the worker both take it from here.
 */
export function blindIndexKey(masterKey: Buffer): Buffer {
  return deriveKey(masterKey, 'blind-index');
}
