import { randomUUID } from 'node:crypto';
import type { Transform } from 'node:stream';
import type { Db } from '../db/pool';
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
    const res = await this.db.query('DELETE FROM subject_keys WHERE client_id = $1 AND subject_hash = $2', [
      subject.clientId,
      subject.subjectHash,
    ]);
    return (res.rowCount ?? 0) > 0;
  }

  /** Drops the subject's key from this process's cache (another process destroyed it). */
  forget(subject: Subject): void {
    this.cache.delete(cacheKey(subject));
  }

  /** Re-wraps every data key not wrapped by the KMS's current key; returns how many. Online, batched. */
  async rewrapAll(batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const { rows } = await this.db.query<{ client_id: string; subject_hash: string; wrapped_key: string }>(
        'SELECT client_id, subject_hash, wrapped_key FROM subject_keys WHERE kms_key_id <> $1 LIMIT $2',
        [this.kms.currentKeyId, batchSize],
      );
      if (rows.length === 0) return total;
      for (const row of rows) {
        const subject = { clientId: row.client_id, subjectHash: row.subject_hash };
        const key = await this.kms.unwrap(row.wrapped_key, wrapAad(subject));
        await this.db.query(
          'UPDATE subject_keys SET wrapped_key = $3, kms_key_id = $4 WHERE client_id = $1 AND subject_hash = $2 AND wrapped_key = $5',
          [
            row.client_id,
            row.subject_hash,
            await this.kms.wrap(key, wrapAad(subject)),
            this.kms.currentKeyId,
            row.wrapped_key,
          ],
        );
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
      await this.db.query(
        `INSERT INTO subject_keys(client_id, subject_hash, key_id, wrapped_key, kms_key_id)
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (
           SELECT 1 FROM privacy_requests r WHERE r.client_id = $1 AND r.subject_hash = $2
             AND r.status IN ('pending', 'running'))
         ON CONFLICT (client_id, subject_hash) DO NOTHING`,
        [
          subject.clientId,
          subject.subjectHash,
          randomUUID(),
          await this.kms.wrap(newDataKey(), wrapAad(subject)),
          this.kms.currentKeyId,
        ],
      );
    }
    const { rows } = await this.db.query<{ key_id: string; wrapped_key: string }>(
      'SELECT key_id, wrapped_key FROM subject_keys WHERE client_id = $1 AND subject_hash = $2',
      [subject.clientId, subject.subjectHash],
    );
    const row = rows[0];
    if (!row) throw new SubjectErasedError('no data key for this subject (erased or never seen)');
    let key: Buffer;
    try {
      key = await this.kms.unwrap(row.wrapped_key, wrapAad(subject));
    } catch (err) {
      if (err instanceof DecryptionError) throw new DecryptionError('cannot unwrap the subject data key');
      throw err;
    }
    const entry = { keyId: row.key_id, key, at: Date.now() };
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(k, entry);
    return entry;
  }
}

const cacheKey = (s: Subject) => `${s.clientId}\u0000${s.subjectHash}`;
const aad = (s: Subject, field: string) => `${s.clientId}:${s.subjectHash}:${field}`;
const wrapAad = (s: Subject) => `data-key:${s.clientId}:${s.subjectHash}`;
