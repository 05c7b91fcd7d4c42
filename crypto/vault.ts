import { randomUUID } from 'node:crypto';
import type { Transform } from 'node:stream';
import type { Db } from '../db/pool';
import {
  deleteSubjectKey,
  findSubjectKey,
  insertSubjectKey,
  keysNotWrappedBy,
  rewrapSubjectKey,
} from '../db/subject-keys';
import { DecryptionError, open, seal } from './aead';
import { newDataKey, type Kms } from './kms';
import { createOpenStream, createSealStream } from './stream';

/** Whose data: a client's end-user, by keyed hash. */
export interface Subject {
  clientId: string;
  subjectHash: string;
}

/** The subject's data key was destroyed (erasure): what was sealed under it is gone for good. */
export class SubjectErasedError extends Error {
  override name = 'SubjectErasedError';
}

const CACHE_LIMIT = 5_000;
const CACHE_TTL_MS = 60_000;

/**
 * Envelope encryption per subject: one data key per end-user per client, created on first use,
 * wrapped by the KMS and stored in `subject_keys`. Every PII field is sealed with AES-256-GCM under
 * that key, with the field name and subject as associated data (a sealed value cannot be moved to
 * another row or column). Unwrapped keys are cached briefly; `destroy` is what erasure calls.
 */
export class SubjectVault {
  private readonly cache = new Map<string, { keyId: string; key: Buffer; at: number }>();

  constructor(
    private readonly db: Db,
    private readonly kms: Kms,
  ) {}

  async seal(subject: Subject, field: string, plaintext: string | Buffer): Promise<string> {
    const { keyId, key } = await this.dataKey(subject, true);
    return seal({ id: keyId, key }, plaintext, aad(subject, field));
  }

  async open(subject: Subject, field: string, sealed: string): Promise<Buffer> {
    const { keyId, key } = await this.dataKey(subject, false);
    return open((id) => (id === keyId ? key : undefined), sealed, aad(subject, field));
  }

  async openText(subject: Subject, field: string, sealed: string): Promise<string> {
    return (await this.open(subject, field, sealed)).toString('utf8');
  }

  /** A transform that seals a file as it streams (chunked AEAD, see `crypto/stream.ts`). */
  async sealStream(subject: Subject, field: string): Promise<Transform> {
    const { keyId, key } = await this.dataKey(subject, true);
    return createSealStream({ id: keyId, key }, aad(subject, field));
  }

  /** A transform that opens a file sealed by `sealStream`; it errors on any tampering. */
  async openStream(subject: Subject, field: string): Promise<Transform> {
    const { keyId, key } = await this.dataKey(subject, false);
    return createOpenStream((id) => (id === keyId ? key : undefined), aad(subject, field));
  }

  /** Destroys the subject's data key; everything sealed under it becomes unreadable. */
  async destroy(subject: Subject): Promise<boolean> {
    this.cache.delete(cacheKey(subject));
    return deleteSubjectKey(this.db, subject.clientId, subject.subjectHash);
  }

  /** Drops the subject's key from this process's cache (another process destroyed it). */
  forget(subject: Subject): void {
    this.cache.delete(cacheKey(subject));
  }

  /** Re-wraps every data key not wrapped by the KMS's current key; returns how many. Online, batched. */
  async rewrapAll(batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await keysNotWrappedBy(this.db, this.kms.currentKeyId, batchSize);
      if (rows.length === 0) return total;
      for (const row of rows) {
        const subject = { clientId: row.clientId, subjectHash: row.subjectHash };
        const key = await this.kms.unwrap(row.wrappedKey, wrapAad(subject));
        await rewrapSubjectKey(this.db, {
          ...subject,
          previous: row.wrappedKey,
          wrappedKey: await this.kms.wrap(key, wrapAad(subject)),
          kmsKeyId: this.kms.currentKeyId,
        });
        total += 1;
      }
    }
  }

  private async dataKey(subject: Subject, create: boolean): Promise<{ keyId: string; key: Buffer }> {
    const k = cacheKey(subject);
    const cached = this.cache.get(k);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached;
    if (create) {
      // No new key while an erasure of the subject is open: nothing may be sealed for them under a
      // fresh key before the erasure ends (the seal fails, its activity retries after).
      await insertSubjectKey(this.db, subject, {
        keyId: randomUUID(),
        wrappedKey: await this.kms.wrap(newDataKey(), wrapAad(subject)),
        kmsKeyId: this.kms.currentKeyId,
      });
    }
    const row = await findSubjectKey(this.db, subject.clientId, subject.subjectHash);
    if (!row) throw new SubjectErasedError('no data key for this subject (erased or never seen)');
    let key: Buffer;
    try {
      key = await this.kms.unwrap(row.wrappedKey, wrapAad(subject));
    } catch (err) {
      if (err instanceof DecryptionError) throw new DecryptionError('cannot unwrap the subject data key');
      throw err;
    }
    const entry = { keyId: row.keyId, key, at: Date.now() };
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(k, entry);
    return entry;
  }
}

const cacheKey = (s: Subject) => `${s.clientId}\u0000${s.subjectHash}`;
const aad = (s: Subject, field: string) => `${s.clientId}:${s.subjectHash}:${field}`;
const wrapAad = (s: Subject) => `data-key:${s.clientId}:${s.subjectHash}`;
