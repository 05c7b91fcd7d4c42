import type { Queryable } from './pool';

/** The `subject_keys` table: one wrapped data key per client's end-user (crypto/vault.ts). */

export interface SubjectKeyRow {
  keyId: string;
  wrappedKey: string;
}

/** The subject's wrapped data key, if it has one (none: erased or never seen). */
export async function findSubjectKey(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<SubjectKeyRow | undefined> {
  const { rows } = await db.query<{ key_id: string; wrapped_key: string }>(
    'SELECT key_id, wrapped_key FROM subject_keys WHERE client_id = $1 AND subject_hash = $2',
    [clientId, subjectHash],
  );
  const r = rows[0];
  return r && { keyId: r.key_id, wrappedKey: r.wrapped_key };
}

/** Deletes the subject's key; whether there was one. */
export async function deleteSubjectKey(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<boolean> {
  const res = await db.query('DELETE FROM subject_keys WHERE client_id = $1 AND subject_hash = $2', [
    clientId,
    subjectHash,
  ]);
  return (res.rowCount ?? 0) > 0;
}

/** Up to `limit` keys not wrapped by the KMS key `kmsKeyId`. */
export async function keysNotWrappedBy(
  db: Queryable,
  kmsKeyId: string,
  limit: number,
): Promise<{ clientId: string; subjectHash: string; wrappedKey: string }[]> {
  const { rows } = await db.query<{ client_id: string; subject_hash: string; wrapped_key: string }>(
    'SELECT client_id, subject_hash, wrapped_key FROM subject_keys WHERE kms_key_id <> $1 LIMIT $2',
    [kmsKeyId, limit],
  );
  return rows.map((r) => ({ clientId: r.client_id, subjectHash: r.subject_hash, wrappedKey: r.wrapped_key }));
}

/** Replaces the subject's wrapped key if it is still `previous` (a concurrent re-wrap wins otherwise). */
export async function rewrapSubjectKey(
  db: Queryable,
  k: { clientId: string; subjectHash: string; previous: string; wrappedKey: string; kmsKeyId: string },
): Promise<void> {
  await db.query(
    'UPDATE subject_keys SET wrapped_key = $3, kms_key_id = $4 WHERE client_id = $1 AND subject_hash = $2 AND wrapped_key = $5',
    [k.clientId, k.subjectHash, k.wrappedKey, k.kmsKeyId, k.previous],
  );
}

/**
 * Stores a new key for the subject unless it has one, or an erasure of the subject is open (nothing
 * may be sealed for them under a fresh key before the erasure ends).
 */
export async function insertSubjectKey(
  db: Queryable,
  subject: { clientId: string; subjectHash: string },
  key: { keyId: string; wrappedKey: string; kmsKeyId: string },
): Promise<void> {
  await db.query(
    `INSERT INTO subject_keys(client_id, subject_hash, key_id, wrapped_key, kms_key_id)
     SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (
       SELECT 1 FROM privacy_requests r WHERE r.client_id = $1 AND r.subject_hash = $2
         AND r.status IN ('pending', 'running'))
     ON CONFLICT (client_id, subject_hash) DO NOTHING`,
    [subject.clientId, subject.subjectHash, key.keyId, key.wrappedKey, key.kmsKeyId],
  );
}
