import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DecryptionError } from './aead';

/**
 * Streaming AEAD for files: the segmented construction of Tink's `AesGcmHkdfStreaming` (the STREAM
 * construction of Hoang, Reyhanitabar, Rogaway and Vizár, "Online Authenticated-Encryption and its
 * Nonce-Reuse Misuse-Resistance", CRYPTO 2015), as age's payload format also uses it.
 *
 * Layout: `header ‖ segment₀ ‖ … ‖ segmentₙ`, where
 * - header = magic `AES\x01` ‖ len(keyId) (1 byte) ‖ keyId ‖ salt (32 bytes) ‖ nonce prefix (7 bytes);
 * - the file key = HKDF-SHA256(data key, salt, info = `aura-engage:stream-v1:` ‖ keyId ‖ `:` ‖ aad),
 *   fresh per file, so the associated data (subject and field) binds every segment and nonces never
 *   repeat under one key;
 * - segmentᵢ = AES-256-GCM(file key, nonce = prefix ‖ uint32be(i) ‖ last, plaintextᵢ) ‖ 16-byte tag,
 *   with 64 KiB of plaintext per segment and `last` = 1 only on the final one.
 *
 * The index in the nonce detects reordering and dropped segments; the last-segment flag detects
 * truncation at a segment boundary and appended data; the per-file key detects splicing segments from
 * another file. Each segment is released only once its tag verified, so memory stays at two segments.
 */
const STREAM_MAGIC = Buffer.from([0x41, 0x45, 0x53, 0x01]);
export const SEGMENT_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const SALT_BYTES = 32;
const PREFIX_BYTES = 7;
const CIPHER_SEGMENT = SEGMENT_BYTES + TAG_BYTES;
const MAX_SEGMENTS = 2 ** 32;

function fileKey(key: Buffer, keyId: string, salt: Buffer, aad: string): Buffer {
  const info = Buffer.from(`aura-engage:stream-v1:${keyId}:${aad}`);
  return Buffer.from(hkdfSync('sha256', key, salt, info, 32));
}

function nonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, PREFIX_BYTES);
  n[11] = last ? 1 : 0;
  return n;
}

/** Bytes gathered until a caller takes a fixed amount: no concatenation per incoming chunk. */
class ByteQueue {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer) {
    if (b.length === 0) return;
    this.parts.push(b);
    this.length += b.length;
  }
  take(n: number): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.parts = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return head;
  }
}

/** A transform that seals what passes through it under `key` (named `keyId` in the header). */
export function createSealStream(k: { id: string; key: Buffer }, aad: string): Transform {
  const keyIdBytes = Buffer.from(k.id);
  if (keyIdBytes.length > 255) throw new Error('key id too long for the stream header');
  const salt = randomBytes(SALT_BYTES);
  const prefix = randomBytes(PREFIX_BYTES);
  const key = fileKey(k.key, k.id, salt, aad);
  const pending = new ByteQueue();
  let index = 0;
  const segment = (plain: Buffer, last: boolean) => {
    if (index >= MAX_SEGMENTS) throw new Error('file too large for the stream format');
    const cipher = createCipheriv('aes-256-gcm', key, nonce(prefix, index++, last), {
      authTagLength: TAG_BYTES,
    });
    const body = cipher.update(plain);
    cipher.final(); // GCM emits nothing here: the ciphertext is all in `body`
    return [body, cipher.getAuthTag()];
  };
  return new Transform({
    construct(done) {
      this.push(Buffer.concat([STREAM_MAGIC, Buffer.from([keyIdBytes.length]), keyIdBytes, salt, prefix]));
      done();
    },
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      pending.push(chunk);
      // Strictly more than a segment: the final segment is only known at the end (flush).
      while (pending.length > SEGMENT_BYTES)
        for (const part of segment(pending.take(SEGMENT_BYTES), false)) this.push(part);
      done();
    },
    flush(done) {
      for (const part of segment(pending.take(pending.length), true)) this.push(part);
      done();
    },
  });
}

/**
 * A transform that opens a sealed stream, with the key its header names (`keys` answers undefined
 * for an unknown id). Errors with DecryptionError on any tampering, truncation or wrong key; the
 * segments before the fault have been released, so consumers must treat an errored stream as void.
 */
export function createOpenStream(keys: (id: string) => Buffer | undefined, aad: string): Transform {
  const pending = new ByteQueue();
  let state: { key: Buffer; prefix: Buffer; index: number } | undefined;
  const fail = () => new DecryptionError('cannot open sealed stream');
  const readHeader = (): boolean => {
    if (pending.length < STREAM_MAGIC.length + 1) return false;
    const head = pending.take(pending.length);
    const idLength = head[STREAM_MAGIC.length]!;
    const size = STREAM_MAGIC.length + 1 + idLength + SALT_BYTES + PREFIX_BYTES;
    pending.push(head);
    if (!head.subarray(0, STREAM_MAGIC.length).equals(STREAM_MAGIC)) throw fail();
    if (pending.length < size) return false;
    const header = pending.take(size);
    const keyId = header.subarray(5, 5 + idLength).toString();
    const key = keys(keyId);
    if (!key) throw fail();
    const salt = header.subarray(5 + idLength, 5 + idLength + SALT_BYTES);
    state = { key: fileKey(key, keyId, salt, aad), prefix: header.subarray(size - PREFIX_BYTES), index: 0 };
    return true;
  };
  const segment = (sealed: Buffer, last: boolean): Buffer => {
    if (!state || sealed.length < TAG_BYTES) throw fail();
    try {
      const decipher = createDecipheriv('aes-256-gcm', state.key, nonce(state.prefix, state.index++, last), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw fail();
    }
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        pending.push(chunk);
        if (!state && !readHeader()) return done();
        while (pending.length > CIPHER_SEGMENT) this.push(segment(pending.take(CIPHER_SEGMENT), false));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done) {
      try {
        if (!state && !readHeader()) throw fail();
        this.push(segment(pending.take(pending.length), true));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
