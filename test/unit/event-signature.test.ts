import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { endpointUrlProblem } from '../../events/endpoint-url';
import { isPublicAddress, publicOnlyLookup } from '../../events/public-address';
import { REPLAY_WINDOW_SECONDS, signPayload, verifySignature } from '../../events/signature';

describe('outbound event signatures', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"evt_1","type":"contact.opted_out"}';
  const now = 1_760_000_000;

  it('when a body is signed, then the header is t=<unix>,v1=<hex HMAC-SHA256 of "t.body"> and it verifies', () => {
    const header = signPayload(secret, body, now);
    const mac = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    assert.equal(header, `t=${now},v1=${mac}`);
    assert.ok(verifySignature(secret, body, header, now));
    assert.ok(verifySignature(secret, body, header, now + REPLAY_WINDOW_SECONDS));
  });

  it('when the body, the secret or the timestamp differ, or the signature is older than the replay window, then it does not verify', () => {
    const header = signPayload(secret, body, now);
    assert.ok(!verifySignature(secret, `${body} `, header, now));
    assert.ok(!verifySignature('whsec_other', body, header, now));
    assert.ok(!verifySignature(secret, body, header.replace(`t=${now}`, `t=${now + 1}`), now));
    assert.ok(!verifySignature(secret, body, header, now + REPLAY_WINDOW_SECONDS + 1));
    assert.ok(!verifySignature(secret, body, undefined, now));
    assert.ok(!verifySignature(secret, body, 'v1=00', now));
  });
});

describe('endpoint URLs', () => {
  it('when a URL is https, then it is an endpoint; http only to localhost and only when allowed', () => {
    assert.equal(endpointUrlProblem('https://hooks.example.com/aura', false), undefined);
    assert.equal(endpointUrlProblem('http://localhost:8080/x', true), undefined);
    assert.equal(endpointUrlProblem('http://127.0.0.1:8080/x', true), undefined);
    assert.match(endpointUrlProblem('http://localhost:8080/x', false)!, /off in this deployment/);
    assert.match(endpointUrlProblem('http://hooks.example.com/x', true)!, /must be https/);
    assert.match(endpointUrlProblem('ftp://hooks.example.com/x', true)!, /must be https/);
    assert.match(endpointUrlProblem('https://u:p@hooks.example.com/x', false)!, /credentials/);
    assert.match(endpointUrlProblem('https://hooks.example.com/x#a', false)!, /fragment/);
    assert.match(endpointUrlProblem('hooks.example.com', false)!, /absolute URL/);
  });

  it('when an endpoint names or resolves to a private, loopback or link-local address, then nothing is sent there', async () => {
    for (const url of [
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.7/hook',
      'https://[fd00::1]/hook',
      'https://127.0.0.1/hook',
    ])
      assert.match(endpointUrlProblem(url, false)!, /private, loopback or link-local/, url);
    assert.equal(endpointUrlProblem('https://8.8.8.8/hook', false), undefined);
    assert.ok(isPublicAddress('2606:4700::1111', false) && !isPublicAddress('::ffff:10.0.0.1', false));
    // A name is checked when the socket connects, whatever it resolved to when it was registered.
    const resolve = (allow: boolean) =>
      new Promise<string>((done) =>
        publicOnlyLookup(allow)('localhost', {}, (err) => done(err ? String(err.code) : 'ok')),
      );
    assert.deepEqual([await resolve(false), await resolve(true)], ['ENOTPUBLIC', 'ok']);
  });
});
