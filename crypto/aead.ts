import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM sealing with a key id. Sealed form: `v1.<keyId>.<iv>.<ciphertext+tag>` (base64url parts),
 * so a reader knows which key opens it and a rotation can find what still uses an old key.
 */
export interface SealingKey {
  readonly id: string;
  readonly key: Buffer;
}

/** GCM tags are always the full 16 bytes: a shorter tag is refused, never checked. */
export const TAG_BYTES = 16;

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

export function seal(k: SealingKey, plaintext: Buffer | string, aad = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return ['v1', k.id, iv.toString('base64url'), body.toString('base64url')].join('.');
}

/** The key id a sealed value names, or undefined when it is not in sealed form. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 4 && parts[0] === 'v1' ? parts[1] : undefined;
}

/** Opens a sealed value; throws DecryptionError when it was tampered with or the key is wrong. */
export function open(keys: (id: string) => Buffer | undefined, sealed: string, aad = ''): Buffer {
  const [version, keyId, ivText, bodyText] = sealed.split('.');
  const key = keyId === undefined ? undefined : keys(keyId);
  if (version !== 'v1' || !ivText || !bodyText || !key) throw new DecryptionError('cannot open sealed value');
  const body = Buffer.from(bodyText, 'base64url');
  // A shorter body would let GCM check a truncated tag (Node accepts 4 to 16 bytes): forgeable.
  if (body.length < TAG_BYTES) throw new DecryptionError('cannot open sealed value');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptionError('cannot open sealed value');
  }
}
