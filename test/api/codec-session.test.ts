import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';

describe('codec sessions: revocable, Secure behind a TLS proxy, malformed cookies refused', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { AURA_TRUST_PROXY: 'loopback' } });
  });
  after(async () => {
    await stack?.close();
  });

  const login = (apiUrl: string, headers: Record<string, string> = {}) =>
    fetch(`${apiUrl}/codec/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: `token=${TEST_ADMIN_TOKEN}`,
    });
  const decode = (apiUrl: string, cookie: string) =>
    fetch(`${apiUrl}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ payloads: [] }),
    });
  const sessionCookie = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

  it('when the codec cookie is malformed, then 401, not a 500', async () => {
    for (const cookie of ['aura_codec=%E0%A4%A', 'aura_codec=%', 'aura_codec=1.2.3', 'aura_codec=']) {
      assert.equal((await decode(stack.apiUrl, cookie)).status, 401, cookie);
    }
  });

  it('when the API is behind a TLS proxy it trusts, then the session cookie is Secure and SameSite=None; over plain HTTP it is not', async () => {
    const proxied = await login(stack.apiUrl, { 'x-forwarded-proto': 'https' });
    assert.equal(proxied.status, 200);
    assert.match(proxied.headers.get('set-cookie')!, /; Secure/);
    assert.match(proxied.headers.get('set-cookie')!, /SameSite=None/);
    const plain = await login(stack.apiUrl);
    assert.doesNotMatch(plain.headers.get('set-cookie')!, /Secure/);
    assert.equal((await decode(stack.apiUrl, sessionCookie(proxied))).status, 200);
  });

  it('when the admin token is rotated, then sessions opened with the old token end', async () => {
    const cookie = sessionCookie(await login(stack.apiUrl));
    assert.equal((await decode(stack.apiUrl, cookie)).status, 200);
    // The same deployment (same master key) restarted with a new admin token.
    const rotated = await stack.apiWith({
      config: { ...stack.config, adminToken: 'rotated-admin-token-0123456789abcdef' },
    });
    try {
      assert.equal((await decode(rotated.url, cookie)).status, 401);
    } finally {
      await rotated.close();
    }
  });
});
