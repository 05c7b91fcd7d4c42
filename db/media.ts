import type { Queryable } from './pool';

export interface MediaRow {
  messageWamid: string;
  subjectHash: string;
  kind: string;
  mimeType: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  storageKey: string | null;
  status: 'stored' | 'failed';
  failure: string | null;
}

/** Records the outcome of a media download once per message; a later call changes nothing. */
export async function insertMedia(
  db: Queryable,
  m: MediaRow & { clientId: string; mediaId: string },
): Promise<void> {
  await db.query(
    `INSERT INTO media(client_id, message_wamid, subject_hash, media_id, kind, mime_type, sha256, size_bytes,
                       storage_key, status, failure)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (client_id, message_wamid) DO NOTHING`,
    [
      m.clientId,
      m.messageWamid,
      m.subjectHash,
      m.mediaId,
      m.kind,
      m.mimeType,
      m.sha256,
      m.sizeBytes,
      m.storageKey,
      m.status,
      m.failure,
    ],
  );
}

export async function findMedia(
  db: Queryable,
  clientId: string,
  messageWamid: string,
): Promise<MediaRow | undefined> {
  const { rows } = await db.query<{
    message_wamid: string;
    subject_hash: string;
    kind: string;
    mime_type: string | null;
    sha256: string | null;
    size_bytes: number | null;
    storage_key: string | null;
    status: 'stored' | 'failed';
    failure: string | null;
  }>(
    `SELECT message_wamid, subject_hash, kind, mime_type, sha256, size_bytes, storage_key, status, failure
     FROM media WHERE client_id = $1 AND message_wamid = $2`,
    [clientId, messageWamid],
  );
  const r = rows[0];
  return (
    r && {
      messageWamid: r.message_wamid,
      subjectHash: r.subject_hash,
      kind: r.kind,
      mimeType: r.mime_type,
      sha256: r.sha256,
      sizeBytes: r.size_bytes,
      storageKey: r.storage_key,
      status: r.status,
      failure: r.failure,
    }
  );
}

/** Deletes a subject's media rows and returns the storage keys their files were kept under. */
export async function deleteSubjectMedia(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<string[]> {
  const { rows } = await db.query<{ storage_key: string | null }>(
    'DELETE FROM media WHERE client_id = $1 AND subject_hash = $2 RETURNING storage_key',
    [clientId, subjectHash],
  );
  return rows.flatMap((r) => (r.storage_key ? [r.storage_key] : []));
}

/** The message a client's media id arrived with (the id Meta put in the message's payload). */
export async function findMessageOfMedia(
  db: Queryable,
  clientId: string,
  subjectHash: string,
  mediaId: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ message_wamid: string }>(
    'SELECT message_wamid FROM media WHERE client_id = $1 AND subject_hash = $2 AND media_id = $3 LIMIT 1',
    [clientId, subjectHash, mediaId],
  );
  return rows[0]?.message_wamid;
}
