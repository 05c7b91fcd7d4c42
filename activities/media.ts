import { buffer } from 'node:stream/consumers';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { Sema } from 'async-sema';
import type { SecretBox } from '../crypto/secret-box';
import type { SubjectVault, Subject } from '../crypto/vault';
import {
  deleteSubjectMedia,
  findMedia,
  findSubjectMedia,
  insertMedia,
  setGraphMediaId,
  type MediaRow,
} from '../db/media';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import {
  MAX_MEDIA_BYTES,
  MediaIntegrityError,
  MediaTooLargeError,
  openFromStore,
  sealIntoStore,
} from '../media/files';
import type { MediaStore } from '../media/store';
import type { Metrics } from '../metrics';
import { classifyGraphError } from '../whatsapp/errors';
import { GraphError, type GraphClient } from '../whatsapp/graph-client';
import { UntrustedMediaHostError } from '../whatsapp/graph-media';
import { sendableMedia } from '../whatsapp/media-limits';
import type { MediaType } from '../whatsapp/message-types';
import { clientWithToken } from './graph-token';

export interface MediaDeps {
  db: Db;
  graph: GraphClient;
  secrets: SecretBox;
  vault: SubjectVault;
  media: MediaStore;
  log: Logger;
  metrics: Metrics;
  /** Media downloads one worker runs at once (default 4); more wait, heartbeating, for a slot. */
  mediaDownloads?: number;
  /** A download with no bytes for this long is aborted and retried (default 30 s). */
  mediaStallMs?: number;
}

/** What became of a message's media: stored (sealed) or failed for good, with a reason free of PII. */
export interface InboundMediaRef {
  kind: MediaType;
  status: 'stored' | 'failed';
  mimeType?: string;
  failure?: string;
}

/** The file an inbound message names (Meta's media id and what the message says about it). */
export interface InboundMediaRequest {
  kind: MediaType;
  id: string;
  mimeType?: string;
  sha256?: string;
}

export interface StoreInboundMediaInput {
  clientId: string;
  subjectHash: string;
  /** The inbound message's id: the media row is recorded under it, once. */
  messageId: string;
  media: InboundMediaRequest;
}

/** Attempts that may download; the attempt after them records the file as failed without trying. */
export const MEDIA_ATTEMPTS = 4;
const DEFAULT_DOWNLOADS = 4;
const DEFAULT_STALL_MS = 30_000;
const SLOT_HEARTBEAT_MS = 5_000;

/**
 * Media activities. `storeInboundMedia` runs as a remote activity (see `MEDIA_ACTIVITY_OPTIONS` in
 * `workflows/activity-options.ts`): a 100 MB download takes far longer than a workflow task may, so
 * it must not be local; it heartbeats its progress, so a dead worker is noticed within the
 * heartbeat timeout rather than the 10-minute start-to-close timeout.
 */
export function createMediaActivities(deps: MediaDeps) {
  const slots = new Sema(deps.mediaDownloads ?? DEFAULT_DOWNLOADS);
  return {
    /**
     * Downloads an inbound message's file from Graph (lookup, then Meta's short-lived URL with the
     * bearer token, only once its host is Meta's), streaming: the 100 MB cap is enforced while
     * reading, sha256 checked on the way, sealed as it streams (chunked AEAD) into the media store.
     * At most `mediaDownloads` run at once per worker; the others wait for a slot, heartbeating.
     * Idempotent per message. Transient faults throw (the activity retries); a permanent fault, any
     * fault on attempt `MEDIA_ATTEMPTS`, or any later attempt records the file as failed and
     * returns, so a bad file never fails the conversation.
     */
    async storeInboundMedia(input: StoreInboundMediaInput): Promise<InboundMediaRef> {
      const existing = await findMedia(deps.db, input.clientId, input.messageId);
      if (existing) return refOf(input.media.kind, existing);
      const attempt = Context.current().info.attempt;
      if (attempt > MEDIA_ATTEMPTS) return recordFailed(deps, input, 'gave_up');
      const { token } = await clientWithToken(deps.db, deps.secrets, input.clientId);
      return withSlot(slots, () => download(deps, input, token, attempt));
    },
  };
}

/** Runs `fn` once a download slot is free, heartbeating while it waits. */
async function withSlot<T>(slots: Sema, fn: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat(), SLOT_HEARTBEAT_MS);
  try {
    await slots.acquire();
  } finally {
    clearInterval(beat);
  }
  try {
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    return await fn();
  } finally {
    slots.release();
  }
}

async function download(
  deps: MediaDeps,
  input: StoreInboundMediaInput,
  token: string,
  attempt: number,
): Promise<InboundMediaRef> {
  const ctx = Context.current();
  const subject = { clientId: input.clientId, subjectHash: input.subjectHash };
  const stall = new AbortController();
  const watchdog = setTimeout(
    () => stall.abort(new Error('no bytes arrived in time')),
    deps.mediaStallMs ?? DEFAULT_STALL_MS,
  );
  try {
    const info = await deps.graph.getMedia(input.media.id, token);
    if ((info.fileSize ?? 0) > MAX_MEDIA_BYTES) throw new MediaTooLargeError(MAX_MEDIA_BYTES);
    watchdog.refresh();
    const signal = AbortSignal.any([ctx.cancellationSignal, stall.signal]);
    const file = await deps.graph.openMedia(info.url, token, MAX_MEDIA_BYTES, signal);
    const sealed = await sealIntoStore(deps, subject, file.body, {
      maxBytes: MAX_MEDIA_BYTES,
      expectedSha256: info.sha256 ?? input.media.sha256,
      signal,
      onProgress: (bytes) => {
        watchdog.refresh();
        ctx.heartbeat(bytes);
      },
    });
    const stored: MediaRow = {
      messageId: input.messageId,
      subjectHash: input.subjectHash,
      kind: input.media.kind,
      mimeType: info.mimeType ?? input.media.mimeType ?? null,
      sha256: sealed.sha256,
      sizeBytes: sealed.sizeBytes,
      storageKey: sealed.storageKey,
      status: 'stored',
      failure: null,
      sealedAs: 'stream',
    };
    await insertMedia(deps.db, { ...stored, clientId: input.clientId, mediaId: input.media.id });
    return refOf(input.media.kind, stored);
  } catch (err) {
    if (err instanceof GraphError)
      deps.metrics.graphErrors.inc({
        code: String(err.code ?? err.httpStatus ?? 'none'),
        type: classifyGraphError(err).type,
      });
    const failure = failureOf(err, stall.signal.aborted);
    if (!failure.permanent && attempt < MEDIA_ATTEMPTS) {
      throw ApplicationFailure.retryable(`media download failed: ${failure.reason}`, 'MediaDownloadFailed');
    }
    return recordFailed(deps, input, failure.reason);
  } finally {
    clearTimeout(watchdog);
  }
}

async function recordFailed(
  deps: MediaDeps,
  input: StoreInboundMediaInput,
  reason: string,
): Promise<InboundMediaRef> {
  deps.log.warn('media failed for good', { clientId: input.clientId, reason });
  const failed: MediaRow = {
    messageId: input.messageId,
    subjectHash: input.subjectHash,
    kind: input.media.kind,
    mimeType: input.media.mimeType ?? null,
    sha256: input.media.sha256 ?? null,
    sizeBytes: null,
    storageKey: null,
    status: 'failed',
    failure: reason,
  };
  await insertMedia(deps.db, { ...failed, clientId: input.clientId, mediaId: input.media.id });
  return refOf(input.media.kind, failed);
}

/**
 * The Graph media id of an agent's stored file, uploading it (streamed from the store while it is
 * unsealed) on first use and remembering the id, so a retried send does not upload again. Throws a
 * non-retryable `MediaUnavailable` when the file is gone; Graph faults throw as GraphError.
 */
export async function graphIdOfStoredMedia(
  deps: Pick<MediaDeps, 'db' | 'graph' | 'vault' | 'media'>,
  input: { subject: Subject; phoneNumberId: string; token: string; mediaId: string },
): Promise<string> {
  const { subject } = input;
  const row = await findSubjectMedia(deps.db, subject.clientId, subject.subjectHash, input.mediaId);
  const body = row?.storageKey
    ? await openFromStore(deps, subject, { ...row, storageKey: row.storageKey })
    : undefined;
  if (!row || !body) throw ApplicationFailure.nonRetryable('media is not stored', 'MediaUnavailable');
  if (row.graphMediaId) {
    body.destroy();
    return row.graphMediaId;
  }
  const ctx = Context.current();
  const mimeType = row.mimeType ?? 'application/octet-stream';
  async function* withHeartbeats(): AsyncGenerator<Uint8Array> {
    for await (const chunk of body!) {
      ctx.heartbeat();
      yield chunk as Buffer;
    }
  }
  const { id } = await deps.graph.uploadMedia(input.phoneNumberId, input.token, {
    body: withHeartbeats(),
    mimeType,
    extension: sendableMedia(mimeType)?.extension ?? 'bin',
    signal: ctx.cancellationSignal,
  });
  await setGraphMediaId(deps.db, subject.clientId, row.messageId, id);
  return id;
}

/** The decrypted bytes of a message's stored media (for voice understanding), if any. */
export async function openStoredMedia(
  deps: Pick<MediaDeps, 'db' | 'vault' | 'media'>,
  clientId: string,
  messageId: string,
): Promise<{ bytes: Buffer; mimeType: string | null } | undefined> {
  const row = await findMedia(deps.db, clientId, messageId);
  if (row?.status !== 'stored' || !row.storageKey) return undefined;
  const subject = { clientId, subjectHash: row.subjectHash };
  const stream = await openFromStore(deps, subject, { ...row, storageKey: row.storageKey });
  return stream && { bytes: await buffer(stream), mimeType: row.mimeType };
}

/**
 * Reads a stored media file by the media id its message carried (`payload.id` of an audio message),
 * for voice understanding. Throws a non-retryable `MediaUnavailable` when the file failed to
 * download or was erased: retrying cannot bring it back.
 */
export function createMediaReader(deps: Pick<MediaDeps, 'db' | 'vault' | 'media'>) {
  return async (ref: { clientId: string; subjectHash: string; mediaId: string }): Promise<Buffer> => {
    const row = await findSubjectMedia(deps.db, ref.clientId, ref.subjectHash, ref.mediaId);
    const opened = row ? await openStoredMedia(deps, ref.clientId, row.messageId) : undefined;
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

function failureOf(err: unknown, stalled: boolean): { permanent: boolean; reason: string } {
  if (err instanceof MediaTooLargeError) return { permanent: true, reason: 'too_large' };
  if (err instanceof UntrustedMediaHostError) return { permanent: true, reason: 'untrusted_host' };
  if (err instanceof MediaIntegrityError) return { permanent: false, reason: 'sha256_mismatch' };
  if (stalled) return { permanent: false, reason: 'stalled' };
  if (err instanceof GraphError) {
    if (err.httpStatus === 413) return { permanent: true, reason: 'too_large' };
    if (err.httpStatus === 404) return { permanent: true, reason: 'not_found' };
    const verdict = classifyGraphError(err);
    return { permanent: !verdict.retryable, reason: err.code ? `graph:${err.code}` : verdict.type };
  }
  return { permanent: false, reason: 'transfer_failed' };
}

function refOf(kind: MediaType, row: Pick<MediaRow, 'status' | 'mimeType' | 'failure'>): InboundMediaRef {
  return {
    kind,
    status: row.status,
    ...(row.mimeType ? { mimeType: row.mimeType } : {}),
    ...(row.failure ? { failure: row.failure } : {}),
  };
}
