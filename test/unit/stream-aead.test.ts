import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { DecryptionError, open, seal } from '../../crypto/aead';
import { createOpenStream, createSealStream, SEGMENT_BYTES } from '../../crypto/stream';

const key = { id: 'k1', key: randomBytes(32) };
const keys = (id: string) => (id === key.id ? key.key : undefined);
const AAD = 'cl_1:subject:media.file';
const HEADER = 4 + 1 + key.id.length + 32 + 7;
const CIPHER_SEGMENT = SEGMENT_BYTES + 16;

/** Feeds `bytes` in small uneven chunks, as a network would. */
function chunked(bytes: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let i = 0, n = 1; i < bytes.length; i += n, n = (n * 7 + 3) % 9000 || 1)
    parts.push(bytes.subarray(i, i + n));
  return Readable.from(parts);
}

const sealBytes = (plain: Buffer, aad = AAD) => buffer(chunked(plain).pipe(createSealStream(key, aad)));
async function openBytes(sealed: Buffer, aad = AAD): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(chunked(sealed), createOpenStream(keys, aad), async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) out.push(c);
  });
  return Buffer.concat(out);
}

describe('chunked AEAD for media files (crypto/stream.ts)', () => {
  it('when files of every boundary size are sealed, then they open to the same bytes and hold no plaintext', async () => {
    for (const size of [0, 1, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES + 17]) {
      const plain = Buffer.alloc(size, 'secret photo bytes ');
      const sealed = await sealBytes(plain);
      assert.deepEqual(await openBytes(sealed), plain, `size ${size}`);
      if (size > 64) assert.ok(!sealed.includes(Buffer.from('secret photo')), 'sealed');
    }
  });

  it('when the sealed file is truncated at a segment boundary, then opening fails', async () => {
    const sealed = await sealBytes(randomBytes(3 * SEGMENT_BYTES + 5));
    await assert.rejects(openBytes(sealed.subarray(0, HEADER + 2 * CIPHER_SEGMENT)), DecryptionError);
    await assert.rejects(openBytes(sealed.subarray(0, sealed.length - 1)), DecryptionError);
    await assert.rejects(openBytes(sealed.subarray(0, HEADER)), DecryptionError);
  });

  it('when segments are reordered, dropped or data is appended, then opening fails', async () => {
    const sealed = await sealBytes(randomBytes(3 * SEGMENT_BYTES + 5));
    const seg = (i: number) =>
      sealed.subarray(HEADER + i * CIPHER_SEGMENT, HEADER + (i + 1) * CIPHER_SEGMENT);
    const head = sealed.subarray(0, HEADER);
    const last = sealed.subarray(HEADER + 3 * CIPHER_SEGMENT);
    await assert.rejects(openBytes(Buffer.concat([head, seg(1), seg(0), seg(2), last])), DecryptionError);
    await assert.rejects(openBytes(Buffer.concat([head, seg(0), seg(2), last])), DecryptionError);
    await assert.rejects(openBytes(Buffer.concat([sealed, seg(0)])), DecryptionError);
  });

  it('when a segment is spliced in from another file under the same key, or the associated data differs, then opening fails', async () => {
    const a = await sealBytes(randomBytes(2 * SEGMENT_BYTES + 5));
    const b = await sealBytes(randomBytes(2 * SEGMENT_BYTES + 5));
    const spliced = Buffer.concat([
      a.subarray(0, HEADER + CIPHER_SEGMENT),
      b.subarray(HEADER + CIPHER_SEGMENT),
    ]);
    await assert.rejects(openBytes(spliced), DecryptionError);
    await assert.rejects(openBytes(a, 'cl_1:other-subject:media.file'), DecryptionError);
    const flipped = Buffer.from(a);
    flipped.writeUInt8(flipped.readUInt8(HEADER + 10) ^ 1, HEADER + 10);
    await assert.rejects(openBytes(flipped), DecryptionError);
  });
});

describe('GCM tag length (crypto/aead.ts)', () => {
  it('when a sealed value is cut to a 4-byte tag, then it does not open', () => {
    const sealed = seal(key, '');
    const [v, id, iv, body] = sealed.split('.');
    const short = [v, id, iv, Buffer.from(body!, 'base64url').subarray(0, 4).toString('base64url')].join('.');
    assert.equal(open(keys, sealed).length, 0, 'the untouched value opens');
    assert.throws(() => open(keys, short), DecryptionError);
  });
});
