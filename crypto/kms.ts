import { randomBytes } from 'node:crypto';
import { open, seal, sealedKeyId } from './aead';
import { deriveKey } from './keys';

/**
 * The KMS-shaped interface that wraps per-subject data keys. `LocalKms` wraps with keys derived from
 * `AURA_MASTER_KEY`; a cloud KMS (AWS KMS, Cloud KMS, Vault transit) can implement the same three
 * calls. Wrapped keys name the key that wrapped them, so rotation can re-wrap what uses an old one.
 */
export interface Kms {
  /** Id of the key new data keys are wrapped with. */
  readonly currentKeyId: string;
  wrap(dataKey: Buffer, aad: string): Promise<string>;
  unwrap(wrapped: string, aad: string): Promise<Buffer>;
  /** Which key a wrapped value was wrapped with. */
  keyIdOf(wrapped: string): string | undefined;
}

export class LocalKms implements Kms {
  private readonly keys: Map<string, Buffer>;
  readonly currentKeyId: string;

  /** `masters[0]` wraps new keys; the rest (previous master keys) only unwrap, during rotation. */
  constructor(masters: readonly Buffer[]) {
    if (masters.length === 0) throw new Error('LocalKms needs a master key');
    const entries = masters.map((m) => [localKeyId(m), deriveKey(m, 'kms-wrap')] as const);
    this.keys = new Map(entries);
    this.currentKeyId = entries[0]![0];
  }

  async wrap(dataKey: Buffer, aad: string): Promise<string> {
    return seal({ id: this.currentKeyId, key: this.keys.get(this.currentKeyId)! }, dataKey, aad);
  }

  async unwrap(wrapped: string, aad: string): Promise<Buffer> {
    return open((id) => this.keys.get(id), wrapped, aad);
  }

  keyIdOf(wrapped: string): string | undefined {
    return sealedKeyId(wrapped);
  }
}

/** A short, stable fingerprint of a master key (never the key itself). */
export function localKeyId(master: Buffer): string {
  return `mk-${deriveKey(master, 'key-id').subarray(0, 6).toString('hex')}`;
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}
