import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TAG_BYTES } from '../crypto/aead';
import { deriveKey } from '../crypto/keys';

const ENCODING = 'binary/encrypted';

/** A payload key by its id, as payload metadata names it. */
export interface PayloadKey {
  readonly id: string;
  readonly key: Buffer;
}
const KEY_ID_KEY = 'encryption-key-id';
const IV_BYTES = 12;

/**
 * Encrypts every Temporal payload (inputs, results, signals, queries, memos) with AES-256-GCM under a
 * deployment key derived from the master key, so workflow histories hold no PII in clear. The key id
 * travels in the payload metadata; decoding with an unknown key id fails loudly rather than passing
 * ciphertext through.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly currentKeyId: string;

  /**
   * `masterKeys[0]` encrypts; every master key and every retired payload key (one of a master key
   * rotated away, kept wrapped in `deployment_keys` by `rotate-keys`) decrypts.
   */
  constructor(masterKeys: { id: string; master: Buffer }[], retired: readonly PayloadKey[] = []) {
    const first = masterKeys[0];
    if (!first) throw new Error('AesGcmPayloadCodec needs at least one master key');
    this.keys = new Map([
      ...retired.map((k) => [k.id, k.key] as const),
      ...masterKeys.map((k) => [k.id, payloadKeyOf(k.master)] as const),
    ]);
    this.currentKeyId = first.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCODING),
          [KEY_ID_KEY]: Buffer.from(this.currentKeyId),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID_KEY] ?? []).toString();
      const key = this.keys.get(keyId);
      if (!key || !payload.data) throw new Error(`cannot decrypt payload: unknown key id "${keyId}"`);
      const data = Buffer.from(payload.data);
      // Shorter data would make part of the IV the tag, and Node checks tags as short as 4 bytes.
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('cannot decrypt payload: it is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The codec's key id for a master key: a short fingerprint, so rotating the master key changes it. */
export function masterKeyId(master: Buffer): string {
  return deriveKey(master, 'key-id').subarray(0, 6).toString('hex');
}

/** The payload key a master key gives, under the id the codec names it by. */
export function payloadKeyOf(master: Buffer): Buffer {
  return deriveKey(master, 'temporal-payloads');
}
