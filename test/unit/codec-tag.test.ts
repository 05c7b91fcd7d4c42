import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { AesGcmPayloadCodec, masterKeyId } from '../../temporal/codec';

/**
 * A master key and a 12-byte IV found (once, by a 2^32 search) so that the first 4 bytes of
 * AES-GCM's tag over an empty plaintext equal the IV's last 4 bytes. A codec that lets data shorter
 * than IV + 16-byte tag through reads those 4 bytes as a (truncated) tag, and it verifies: a payload
 * forged without the key.
 */
const MASTER = Buffer.from('BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=', 'base64');
const FORGED_IV = Buffer.from('617572612d62663132079dfc', 'hex');

describe('payload codec: GCM tag length', () => {
  it('when a payload is shorter than its IV and a full 16-byte tag, then it is refused, never decoded', async () => {
    const keyId = masterKeyId(MASTER);
    const codec = new AesGcmPayloadCodec([{ id: keyId, master: MASTER }]);
    const forged = {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from('binary/encrypted'),
        'encryption-key-id': Buffer.from(keyId),
      },
      data: FORGED_IV,
    };
    await assert.rejects(codec.decode([forged]), /truncated/);
    const [sealed] = await codec.encode([{ metadata: {}, data: Buffer.from('"hello"') }]);
    const [opened] = await codec.decode([sealed!]);
    assert.equal(Buffer.from(opened!.data!).toString(), '"hello"', 'a whole payload still opens');
  });
});
