import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManagedProcess, type Crash } from '../../chaos/processes';
import { processEnv } from '../../config';
import { freePort } from '../../temporal/dev-server';
import { createTestDatabase, TEST_ADMIN_TOKEN, TEST_APP_SECRET, type TestDatabase } from '../support/env';
import { provisionTestClient, waitUntil } from '../support/whatsapp';

const LIMIT = 10;

/**
 * Two API processes, as two replicas behind a load balancer, against one PostgreSQL — and no
 * Temporal at all (its address is a closed port), so that a request needing it fails with a 5xx.
 */
describe('API replicas: one shared rate limit, and logs that never carry a raw path', () => {
  let db: TestDatabase;
  let dir: string;
  const crashes: Crash[] = [];
  const apis: { process: ManagedProcess; url: string; logFile: string }[] = [];

  before(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'aura-replicas-'));
    const env = {
      ...processEnv(),
      AURA_PROFILE: 'production',
      LOG_LEVEL: 'info',
      AURA_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      AURA_MASTER_KEY: randomBytes(32).toString('base64'),
      WHATSAPP_APP_SECRET: TEST_APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: 'test-verify-token',
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      AURA_RATE_LIMIT_PER_MINUTE: String(LIMIT),
    };
    for (const name of ['api-1', 'api-2']) {
      const port = await freePort();
      const logFile = path.join(dir, `${name}.log`);
      const p = new ManagedProcess(name, 'api/main.ts', { ...env, PORT: String(port) }, logFile, crashes);
      const url = `http://127.0.0.1:${port}`;
      await p.start(async () => (await fetch(`${url}/healthz`)).ok);
      apis.push({ process: p, url, logFile });
    }
  });
  after(async () => {
    for (const a of apis) {
      await a.process.stop();
      a.process.close();
    }
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('when one API key calls two API processes, then they enforce one shared per-key limit (429 with Retry-After)', async () => {
    const { apiKey } = await provisionTestClient(apis[0]!.url, TEST_ADMIN_TOKEN);
    const other = await provisionTestClient(apis[0]!.url, TEST_ADMIN_TOKEN);
    const me = (url: string, key: string) =>
      fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i += 1) {
      for (const api of apis) {
        const res = await me(api.url, apiKey);
        statuses.push(res.status);
        if (res.status === 429) retryAfter ??= res.headers.get('retry-after');
      }
    }
    assert.equal(statuses.filter((s) => s === 200).length, LIMIT, `statuses: ${statuses.join(' ')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 16 - LIMIT);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After: ${retryAfter}`);
    for (const api of apis) assert.equal((await me(api.url, other.apiKey)).status, 200, 'another key passes');
    assert.deepEqual(crashes, []);
  });

  it('when Temporal is down and an erasure of a phone number fails with a 5xx, then every log line names the route pattern, never the path', async () => {
    const { apiKey } = await provisionTestClient(apis[1]!.url, TEST_ADMIN_TOKEN);
    const phone = '351919876543';
    const headers = { authorization: `Bearer ${apiKey}` };
    const erase = await fetch(`${apis[1]!.url}/v1/privacy/subjects/${phone}`, { method: 'DELETE', headers });
    assert.equal(erase.status, 503);
    const unknown = await fetch(`${apis[1]!.url}/v1/privacy/subjects/${phone}/nothing-here`, { headers });
    assert.equal(unknown.status, 404);

    const lines = await waitUntil(async () => {
      const text = readFileSync(apis[1]!.logFile, 'utf8');
      return text.includes('"status":404') ? text.split('\n').filter(Boolean) : undefined;
    });
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = records.find((r) => r.msg === 'request failed');
    assert.equal(failed?.route, '/v1/privacy/subjects/:userId', JSON.stringify(failed));
    assert.equal(failed?.status, 503);
    const requestLines = records.filter((r) => r.msg === 'request').map((r) => `${r.status} ${r.route}`);
    assert.ok(requestLines.includes('503 /v1/privacy/subjects/:userId'), requestLines.join(', '));
    assert.ok(requestLines.includes('404 /v1/*'), requestLines.join(', '));
    const leaking = lines.filter((l) => l.includes(phone) || l.includes(phone.slice(3)));
    assert.deepEqual(leaking, [], 'no line carries the phone number');
  });
});
