import type { Queryable } from './pool';

export interface MediaRow {
  /** The message's id (`messages.id`): Meta's id hashed for inbound files, the send's idempotency key for outbound ones. */
  messageId: string;
  subjectHash: string;
  kind: string;
  mimeType: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  storageKey: string | null;
  status: 'stored' | 'failed';
  failure: string | null;
  direction?: 'in' | 'out';
  /** How the file is sealed: one sealed string (older files) or chunked AEAD (`crypto/stream.ts`). */
  sealedAs?: 'whole' | 'stream';
}

/** A stored file as the media route and the transcript see it. */
export interface MediaFileRow extends Required<MediaRow> {
  mediaId: string;
  graphMediaId: string | null;
}

/** Records the outcome of a media download once per message; a later call changes nothing. */
export async function insertMedia(
  db: Queryable,
  m: MediaRow & { clientId: string; mediaId: string },
): Promise<void> {
  await db.query(
    `INSERT INTO media(client_id, message_id, subject_hash, media_id, kind, mime_type, sha256, size_bytes,
                       storage_key, status, failure, direction, sealed_as)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (client_id, message_id) DO NOTHING`,
    [
      m.clientId,
      m.messageId,
      m.subjectHash,
      m.mediaId,
      m.kind,
      m.mimeType,
      m.sha256,
      m.sizeBytes,
      m.storageKey,
      m.status,
      m.failure,
      m.direction ?? 'in',
      m.sealedAs ?? 'stream',
    ],
  );
}

const COLUMNS = `message_id, subject_hash, media_id, kind, mime_type, sha256, size_bytes, storage_key,
  status, failure, direction, sealed_as, graph_media_id`;

interface Row {
  message_id: string;
  subject_hash: string;
  media_id: string;
  kind: string;
  mime_type: string | null;
  sha256: string | null;
  size_bytes: string | null;
  storage_key: string | null;
  status: 'stored' | 'failed';
  failure: string | null;
  direction: 'in' | 'out';
  sealed_as: 'whole' | 'stream';
  graph_media_id: string | null;
}

const fromRow = (r: Row): MediaFileRow => ({
  messageId: r.message_id,
  subjectHash: r.subject_hash,
  mediaId: r.media_id,
  kind: r.kind,
  mimeType: r.mime_type,
  sha256: r.sha256,
  sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
  storageKey: r.storage_key,
  status: r.status,
  failure: r.failure,
  direction: r.direction,
  sealedAs: r.sealed_as,
  graphMediaId: r.graph_media_id,
});

/** The media row of one message, if its file was stored or failed for good. */
export async function findMedia(
  db: Queryable,
  clientId: string,
  messageId: string,
): Promise<MediaFileRow | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM media WHERE client_id = $1 AND message_id = $2`,
    [clientId, messageId],
  );
  return rows[0] && fromRow(rows[0]);
}

/** A subject's file by its media id (the id the transcript shows), if that subject has it. */
export async function findSubjectMedia(
  db: Queryable,
  clientId: string,
  subjectHash: string,
  mediaId: string,
): Promise<MediaFileRow | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM media WHERE client_id = $1 AND subject_hash = $2 AND media_id = $3
     ORDER BY created_at LIMIT 1`,
    [clientId, subjectHash, mediaId],
  );
  return rows[0] && fromRow(rows[0]);
}

/** The media rows of some of a subject's messages, by message id (one query for a transcript). */
export async function mediaOfMessages(
  db: Queryable,
  clientId: string,
  subjectHash: string,
  messageIds: string[],
): Promise<Map<string, MediaFileRow>> {
  if (messageIds.length === 0) return new Map();
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM media WHERE client_id = $1 AND subject_hash = $2 AND message_id = ANY($3)`,
    [clientId, subjectHash, messageIds],
  );
  return new Map(rows.map((r) => [r.message_id, fromRow(r)]));
}

/** Remembers the id Meta's upload gave an outbound file, so a retried send reuses it. */
export async function setGraphMediaId(
  db: Queryable,
  clientId: string,
  messageId: string,
  graphMediaId: string,
): Promise<void> {
  await db.query('UPDATE media SET graph_media_id = $3 WHERE client_id = $1 AND message_id = $2', [
    clientId,
    messageId,
    graphMediaId,
  ]);
}

/** Forgets an outbound file whose send was refused (the caller deletes the file it names). */
export async function deleteMedia(db: Queryable, clientId: string, messageId: string): Promise<void> {
  await db.query('DELETE FROM media WHERE client_id = $1 AND message_id = $2', [clientId, messageId]);
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

/** The status of a file by its media id, whichever client has it (the benchmark waits on it). */
export async function mediaStatusById(db: Queryable, mediaId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ status: string }>('SELECT status FROM media WHERE media_id = $1', [
    mediaId,
  ]);
  return rows[0]?.status;
}
