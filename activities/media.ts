import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { SubjectVault, Subject } from '../crypto/vault';
import { deleteSubjectMedia, findMedia, findMessageOfMedia, insertMedia, type MediaRow } from '../db/media';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import type { MediaStore } from '../media/store';
import type { Metrics } from '../metrics';
import { classifyGraphError } from '../whatsapp/errors';
import { GraphError, type GraphClient } from '../whatsapp/graph-client';
import type { MediaType } from '../whatsapp/message-types';

export interface MediaDeps {
  db: Db;
  graph: GraphClient;
  vault: SubjectVault;
  media: MediaStore;
  log: Logger;
  metrics: Metrics;
}

/** What became of a message's media: stored (sealed) or failed for good, with a reason free of PII. */
export interface InboundMediaRef {
  kind: MediaType;
  status: 'stored' | 'failed';
  mimeType?: string;
  failure?: string;
}

/** WhatsApp's limit on media files. */
const MAX_MEDIA_BYTES = 100 * 1024 * 1024;
/** Attempts of the calling activity before a transiently failing download counts as failed for good. */
export const MEDIA_ATTEMPTS = 4;

class MediaIntegrityError extends Error {
  override name = 'MediaIntegrityError';
}

/**
 * Downloads an inbound message's media through the Graph media endpoints (lookup, then the short-lived
 * URL with the bearer token), checks its sha256, seals it under the subject's key into the media store
 * and links it to the message. Idempotent per message. Transient faults throw (the activity retries);
 * a permanent fault, or any fault on the last attempt, is recorded as failed media and returned, so a
 * bad file never fails the conversation.
 */
export async function storeInboundMedia(
  deps: MediaDeps,
  input: {
    subject: Subject;
    wamid: string;
    accessToken: string;
    media: { kind: MediaType; id: string; mimeType?: string; sha256?: string };
    attempt: number;
  },
): Promise<InboundMediaRef> {
  const { subject, media } = input;
  const existing = await findMedia(deps.db, subject.clientId, input.wamid);
  if (existing) return refOf(media.kind, existing);
  const row = {
    messageWamid: input.wamid,
    subjectHash: subject.subjectHash,
    kind: media.kind,
    mediaId: media.id,
  };
  try {
    const info = await deps.graph.getMedia(media.id, input.accessToken);
    const bytes = await deps.graph.downloadMedia(info.url, input.accessToken, MAX_MEDIA_BYTES);
    const expected = info.sha256 ?? media.sha256;
    if (expected && !sha256Matches(bytes, expected)) throw new MediaIntegrityError('sha256 mismatch');
    const storageKey = `${subject.clientId}/${subject.subjectHash.slice(0, 32)}/${randomUUID()}`;
    await deps.media.put(storageKey, Buffer.from(await deps.vault.seal(subject, 'media.file', bytes)));
    const stored: MediaRow & { mediaId: string } = {
      ...row,
      mimeType: info.mimeType ?? media.mimeType ?? null,
      sha256: expected ?? null,
      sizeBytes: bytes.length,
      storageKey,
      status: 'stored',
      failure: null,
    };
    await insertMedia(deps.db, { ...stored, clientId: subject.clientId });
    return refOf(media.kind, stored);
  } catch (err) {
    if (err instanceof GraphError)
      deps.metrics.graphErrors.inc({
        code: String(err.code ?? err.httpStatus ?? 'none'),
        type: classifyGraphError(err).type,
      });
    const failure = failureOf(err);
    if (!failure.permanent && input.attempt < MEDIA_ATTEMPTS) {
      throw ApplicationFailure.retryable(`media download failed: ${failure.reason}`, 'MediaDownloadFailed');
    }
    deps.log.warn('media failed for good', { clientId: subject.clientId, reason: failure.reason });
    const failed: MediaRow & { mediaId: string } = {
      ...row,
      mimeType: media.mimeType ?? null,
      sha256: media.sha256 ?? null,
      sizeBytes: null,
      storageKey: null,
      status: 'failed',
      failure: failure.reason,
    };
    await insertMedia(deps.db, { ...failed, clientId: subject.clientId });
    return refOf(media.kind, failed);
  }
}

/** The decrypted bytes of a message's stored media (for voice understanding, exports), if any. */
export async function openStoredMedia(
  deps: Pick<MediaDeps, 'db' | 'vault' | 'media'>,
  clientId: string,
  wamid: string,
): Promise<{ bytes: Buffer; mimeType: string | null } | undefined> {
  const row = await findMedia(deps.db, clientId, wamid);
  if (row?.status !== 'stored' || !row.storageKey) return undefined;
  const sealed = await deps.media.get(row.storageKey);
  if (!sealed) return undefined;
  const subject = { clientId, subjectHash: row.subjectHash };
  return {
    bytes: await deps.vault.open(subject, 'media.file', sealed.toString('utf8')),
    mimeType: row.mimeType,
  };
}

/**
 * Reads a stored media file by the media id its message carried (`payload.id` of an audio message),
 * for voice understanding. Throws a non-retryable `MediaUnavailable` when the file failed to
 * download or was erased: retrying cannot bring it back.
 */
export function createMediaReader(deps: Pick<MediaDeps, 'db' | 'vault' | 'media'>) {
  return async (ref: { clientId: string; subjectHash: string; mediaId: string }): Promise<Buffer> => {
    const wamid = await findMessageOfMedia(deps.db, ref.clientId, ref.subjectHash, ref.mediaId);
    const opened = wamid ? await openStoredMedia(deps, ref.clientId, wamid) : undefined;
    if (!opened) throw ApplicationFailure.nonRetryable('media is not stored', 'MediaUnavailable');
    return opened.bytes;
  };
}

/**
 * Erasure and retention: deletes every media file and row of a subject; returns how many files. Rows
 * go first, so a crash halfway leaves at worst unreferenced sealed files (unreadable once the
 * subject's key is destroyed), never rows pointing at nothing.
 */
export async function eraseSubjectMedia(
  deps: Pick<MediaDeps, 'db' | 'media'>,
  subject: Subject,
): Promise<number> {
  const keys = await deleteSubjectMedia(deps.db, subject.clientId, subject.subjectHash);
  for (const key of keys) await deps.media.delete(key);
  return keys.length;
}

/** Meta gives sha256 as hex in some places and base64 in others; either form is accepted. */
function sha256Matches(bytes: Buffer, expected: string): boolean {
  const digest = createHash('sha256').update(bytes).digest();
  return expected.toLowerCase() === digest.toString('hex') || expected === digest.toString('base64');
}

function failureOf(err: unknown): { permanent: boolean; reason: string } {
  if (err instanceof MediaIntegrityError) return { permanent: false, reason: 'sha256_mismatch' };
  if (err instanceof GraphError) {
    if (err.httpStatus === 413) return { permanent: true, reason: 'too_large' };
    if (err.httpStatus === 404) return { permanent: true, reason: 'not_found' };
    const verdict = classifyGraphError(err);
    return { permanent: !verdict.retryable, reason: err.code ? `graph:${err.code}` : verdict.type };
  }
  return { permanent: false, reason: 'store_unavailable' };
}

function refOf(kind: MediaType, row: Pick<MediaRow, 'status' | 'mimeType' | 'failure'>): InboundMediaRef {
  return {
    kind,
    status: row.status,
    ...(row.mimeType ? { mimeType: row.mimeType } : {}),
    ...(row.failure ? { failure: row.failure } : {}),
  };
}
