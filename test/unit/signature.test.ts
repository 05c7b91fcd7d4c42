import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { escapeNonAscii, signBody, verifySignature } from '../../whatsapp/signature';

const SECRETS = ['first-app-secret', 'second-app-secret'];
/** Meta's escaping as its documentation states it: each UTF-16 code unit above 0x7f as `\uXXXX`. */
const reference = (text: string) =>
  text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const escaped = (bytes: Buffer) => {
  const parts: Buffer[] = [];
  escapeNonAscii(bytes, (c) => parts.push(Buffer.from(c)));
  return Buffer.concat(parts).toString('latin1');
};
const sign = (body: string | Buffer, secret = SECRETS[1]!) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhook signature (whatsapp/signature.ts)', () => {
  it('when text has accents, emoji, CJK and is longer than one chunk, then the escaped bytes are Meta’s form of it', () => {
    for (const text of [
      'plain ascii',
      'ação é ótimo',
      'emoji 😀👍🏽 mixed',
      '中文 テキスト',
      'ü'.repeat(40_000) + '😀',
    ]) {
      const json = JSON.stringify({ text });
      assert.equal(escaped(Buffer.from(json)), reference(json));
    }
  });

  it('when the body is signed raw or in the escaped form, with either secret, then it verifies; otherwise not', async () => {
    const body = JSON.stringify({ text: 'olá 😀' });
    assert.ok(await verifySignature(Buffer.from(body), sign(body), SECRETS), 'raw');
    assert.ok(
      await verifySignature(Buffer.from(body), sign(reference(body), SECRETS[0]), SECRETS),
      'escaped',
    );
    assert.ok(await verifySignature(Buffer.from(body), signBody(body, SECRETS[1]!), SECRETS), 'signBody');
    assert.ok(!(await verifySignature(Buffer.from(body), sign(body, 'another-secret'), SECRETS)));
    assert.ok(!(await verifySignature(Buffer.from(body), undefined, SECRETS)));
  });

  it('when the raw bytes match or the body is ASCII, then the escaped form is never computed; when it is needed, once for every secret', async () => {
    let calls = 0;
    const counting: typeof escapeNonAscii = (bytes, sink) => {
      calls += 1;
      escapeNonAscii(bytes, sink);
    };
    const accented = JSON.stringify({ text: 'não'.repeat(1000) });
    assert.ok(await verifySignature(Buffer.from(accented), sign(accented), SECRETS, counting));
    assert.ok(!(await verifySignature(Buffer.from('{"ascii":true}'), sign('other'), SECRETS, counting)));
    assert.equal(calls, 0);
    assert.ok(!(await verifySignature(Buffer.from(accented), sign('other'), SECRETS, counting)));
    assert.equal(calls, 1);
  });
});
