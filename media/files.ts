import { createHash, randomUUID } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Subject, SubjectVault } from '../crypto/vault';
import type { MediaStore } from './store';

/**
 * Sealed files in the media store, as streams both ways: a file is sealed under its subject's key
 * while it arrives (size cap and sha256 checked on the way, never buffered whole) and opened while
 * it is read. Used by the worker (Meta's downloads, uploads to Meta) and the API (agents' files,
 * the media route).
 */

/** The field name files are sealed under (associated data with the subject). */
export const MEDIA_FIELD = 'media.file';
/** WhatsApp's largest media file (documents). */
export const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

export interface FileDeps {
  vault: SubjectVault;
  media: MediaStore;
}

export class MediaTooLargeError extends Error {
  override name = 'MediaTooLargeError';
  constructor(readonly limit: number) {
    super(`the file exceeds ${limit} bytes`);
  }
}

export class MediaIntegrityError extends Error {
  override name = 'MediaIntegrityError';
}

export interface SealedFile {
  storageKey: string;
  sizeBytes: number;
  /** Hex sha256 of the plaintext. */
  sha256: string;
}

/** Meta gives sha256 as hex in some places and base64 in others; either form is accepted. */
function sha256Matches(digest: Buffer, expected: string): boolean {
  return expected.toLowerCase() === digest.toString('hex') || expected === digest.toString('base64');
}

/**
 * Streams `source` into the store, sealed under the subject's key. Fails with MediaTooLargeError as
 * soon as more than `maxBytes` arrived, and with MediaIntegrityError when the whole file does not
 * match `expectedSha256`; either way nothing is left under any key. `onProgress` sees the bytes so
 * far (heartbeats, stall detection).
 */
export async function sealIntoStore(
  deps: FileDeps,
  subject: Subject,
  source: Readable,
  opts: {
    maxBytes: number;
    expectedSha256?: string;
    onProgress?: (bytes: number) => void;
    signal?: AbortSignal;
  },
): Promise<SealedFile> {
  const storageKey = `${subject.clientId}/${subject.subjectHash.slice(0, 32)}/${randomUUID()}`;
  const hash = createHash('sha256');
  let size = 0;
  let sha256 = '';
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > opts.maxBytes) return done(new MediaTooLargeError(opts.maxBytes));
      hash.update(chunk);
      opts.onProgress?.(size);
      done(null, chunk);
    },
    flush(done) {
      const digest = hash.digest();
      if (opts.expectedSha256 && !sha256Matches(digest, opts.expectedSha256))
        return done(new MediaIntegrityError('sha256 mismatch'));
      sha256 = digest.toString('hex');
      done();
    },
  });
  let failure: Error | undefined;
  const sealed = pipeline(source, meter, await deps.vault.sealStream(subject, MEDIA_FIELD), (err) => {
    if (err) failure ??= err;
  });
  try {
    await deps.media.write(storageKey, sealed, opts.signal);
  } catch (err) {
    throw failure ?? err;
  }
  if (failure) throw failure;
  return { storageKey, sizeBytes: size, sha256 };
}

/**
 * The plaintext of a stored file as a stream (undefined when the file is gone). Files sealed before
 * streaming (`whole`: one sealed string) are opened whole, as they always were; every newer file
 * streams, and the stream errors if the file was tampered with or truncated.
 */
export async function openFromStore(
  deps: FileDeps,
  subject: Subject,
  file: { storageKey: string; sealedAs: 'whole' | 'stream' },
): Promise<Readable | undefined> {
  const raw = await deps.media.read(file.storageKey);
  if (!raw) return undefined;
  if (file.sealedAs === 'whole') {
    const sealed = (await buffer(raw)).toString('utf8');
    return Readable.from([await deps.vault.open(subject, MEDIA_FIELD, sealed)]);
  }
  let opener: Transform;
  try {
    opener = await deps.vault.openStream(subject, MEDIA_FIELD);
  } catch (err) {
    raw.destroy();
    throw err;
  }
  // Errors reach the returned stream (pipeline destroys it with them); the callback only observes.
  return pipeline(raw, opener, () => undefined);
}
