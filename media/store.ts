import { access, constants, mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where media files live. It stores opaque bytes under opaque keys: callers seal the content with the
 * subject's data key first (`SubjectVault`), so a store never holds a readable file and erasing the
 * subject's key makes every copy, backups included, unreadable. Local disk by default; an object
 * store (S3, GCS) implements the same calls.
 */
export interface MediaStore {
  put(key: string, data: Buffer): Promise<void>;
  /** The bytes under `key`, or undefined when there are none. */
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
    async put(key, data) {
      const target = file(key);
      await mkdir(path.dirname(target), { recursive: true });
      // Write then rename, so a crash never leaves a half-written file under the key.
      const temp = `${target}.${process.pid}.tmp`;
      await writeFile(temp, data, { mode: 0o600 });
      await rename(temp, target);
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
