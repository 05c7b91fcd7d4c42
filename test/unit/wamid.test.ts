import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isWamidHash, metaShapedWamid, wamidHash } from '../../whatsapp/wamid';

describe('wamid hashes', () => {
  it("when Meta's documented sample id is decoded, then it holds the number, and so do the ids the sandbox makes", () => {
    const sample = Buffer.from('HBgLMTY1MDUwNzY1MjAVAgARGBI5', 'base64');
    assert.ok(sample.includes('16505076520'));
    const made = metaShapedWamid('+55 11 98765-0001');
    assert.match(made, /^wamid\.HBgN/);
    assert.ok(Buffer.from(made.slice('wamid.'.length), 'base64').includes('5511987650001'));
  });

  it('when a wamid is hashed, then the hash is 64 hex characters, stable, and different per client and per key', () => {
    const key = Buffer.alloc(32, 1);
    const id = metaShapedWamid('5511987650001');
    const hash = wamidHash(key, 'c1', id);
    assert.ok(isWamidHash(hash) && !isWamidHash(id));
    assert.equal(wamidHash(key, 'c1', id), hash);
    assert.notEqual(wamidHash(key, 'c2', id), hash);
    assert.notEqual(wamidHash(Buffer.alloc(32, 2), 'c1', id), hash);
    assert.ok(!hash.includes('5511987650001'));
  });
});
