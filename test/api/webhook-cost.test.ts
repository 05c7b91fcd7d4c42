import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { signBody } from '../../whatsapp/signature';
import { messagesNotification } from '../../whatsapp/envelope';
import { startWithClient } from '../support/api';
import { TEST_APP_SECRET } from '../support/env';
import type { Stack } from '../support/stack';
import { textNotification, wamid } from '../support/whatsapp';
import type { TestClient } from '../conversation/helpers';

describe('webhook cost before authentication and fan-out bounds', () => {
  let stack: Stack;
  let client: TestClient;
  before(async () => ({ stack, client } = await startWithClient()));
  after(() => stack?.close());

  const post = (body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${stack.apiUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('when a webhook body is gzip or deflate encoded, then 415 before it is read, and nothing is started', async () => {
    const id = wamid();
    const json = JSON.stringify(
      textNotification({ phoneNumberId: client.phoneNumberId, waId: '5511900000801', text: 'hi', id }),
    );
    const signature = signBody(json, TEST_APP_SECRET);
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await post(gzipSync(json), {
        'content-encoding': encoding,
        'x-hub-signature-256': signature,
      });
      assert.equal(res.status, 415, encoding);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unsupported_encoding');
    }
    const identity = await post(json, { 'content-encoding': 'identity', 'x-hub-signature-256': signature });
    assert.equal(identity.status, 200, 'identity is what Meta sends');
  });

  it('when one signed envelope carries 20,000 statuses, then an unrelated /v1/me answers while it is processed, and the envelope gets 200, not a 503 of its own making', async () => {
    const statuses = Array.from({ length: 20_000 }, (_, i) => ({
      id: `wamid.HBgL${randomBytes(10).toString('hex')}`,
      status: i % 2 ? 'delivered' : 'sent',
      timestamp: String(Math.floor(Date.now() / 1000)),
      recipient_id: '5511900000802',
    }));
    const body = JSON.stringify(messagesNotification(client.phoneNumberId, { statuses }));
    assert.ok(Buffer.byteLength(body) < 3 * 1024 * 1024, 'within the 3 MB body limit');
    // Hold the status history table, so the envelope's work stays in progress past the pool's 5 s
    // connection timeout while /v1/me is asked.
    const locker = new pg.Client({ connectionString: stack.db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE message_status_events IN SHARE MODE');
    let envelopeDone = false;
    const envelope = post(body, { 'x-hub-signature-256': signBody(body, TEST_APP_SECRET) }).then((res) => {
      envelopeDone = true;
      return res;
    });
    try {
      await new Promise((r) => setTimeout(r, 500)); // the envelope is parsed and its first batch waits
      for (let i = 0; i < 3; i++) {
        const me = await fetch(`${stack.apiUrl}/v1/me`, {
          headers: { authorization: `Bearer ${client.apiKey}` },
          signal: AbortSignal.timeout(4_000),
        });
        assert.equal(me.status, 200);
        assert.equal(envelopeDone, false, '/v1/me answered while the envelope was still being processed');
      }
      await new Promise((r) => setTimeout(r, 5_500));
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
    const res = await envelope;
    assert.equal(res.status, 200, await res.text());
    const { rows } = await stack.db.pool.query(
      'SELECT count(*) AS n FROM message_status_events WHERE client_id = $1',
      [client.clientId],
    );
    assert.equal(Number(rows[0].n), 20_000, 'every status is in the history');
  });
});
