import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, constants, mkdir, open, readFile, rm, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where media files live. It stores opaque bytes under opaque keys: callers seal the content with the
 * subject's data key first (`SubjectVault`), so a store never holds a readable file and erasing the
 * subject's key makes every copy, backups included, unreadable. Local disk by default; an object
 * store (S3, GCS) implements the same calls.
 */
export interface MediaStore {
  /**
   * Writes a file from a stream, with backpressure; the file appears under `key` whole or not at
   * all (a failed or aborted stream leaves nothing). Resolves with the number of bytes written.
   */
  write(key: string, data: Readable, signal?: AbortSignal): Promise<number>;
  /** A stream of the bytes under `key`, or undefined when there are none. */
  read(key: string): Promise<Readable | undefined>;
  /** All bytes under `key` at once (small files, tests, scans), or undefined when there are none. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
  /** Cheap readiness probe for `/readyz`: rejects when the store cannot take files. */
  check(): Promise<void>;
}

const KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** A media store in a folder on local disk (`<AURA_DATA_DIR>/media` by default). */
export function createLocalMediaStore(dir: string): MediaStore {
  const file = (key: string) => {
    if (!KEY.test(key)) throw new Error('invalid media key');
    return path.join(dir, ...key.split('/'));
  };
  return {
    async write(key, data, signal) {
      const target = file(key);
      await mkdir(path.dirname(target), { recursive: true });
      // Write then rename, so a crash never leaves a half-written file under the key.
      const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      const out = createWriteStream(temp, { mode: 0o600 });
      try {
        await (signal ? pipeline(data, out, { signal }) : pipeline(data, out));
        await rename(temp, target);
        return out.bytesWritten;
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async read(key) {
      try {
        // Opened first, so a missing file is undefined rather than an error on the stream later.
        return (await open(file(key), 'r')).createReadStream();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async get(key) {
      try {
        return await readFile(file(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async delete(key) {
      await rm(file(key), { force: true });
    },
    async check() {
      // The folder is created on first write; until then its parent must be writable.
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
    },
  };
}
