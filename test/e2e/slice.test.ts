import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, type Stack } from '../support/stack';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { postWebhook, provisionTestClient, storedWamid, textNotification, wamid } from '../support/whatsapp';

describe('end-to-end slice: webhook → conversation workflow → Graph reply', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  it('when a provisioned number receives a signed text message, then the bot replies through the Graph API', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const res = await postWebhook(
      stack.apiUrl,
      textNotification({ phoneNumberId: client.phoneNumberId, waId: '5511999990001', text: 'hello' }),
    );
    assert.equal(res.status, 200);
    const sent = await stack.graph.waitFor((s) => s.some((m) => m.body.to === '5511999990001'));
    const reply = sent.find((m) => m.body.to === '5511999990001')!;
    assert.equal(reply.phoneNumberId, client.phoneNumberId);
    assert.equal(reply.accessToken, 'EAAG-test-token');
    assert.equal(reply.body.type, 'interactive', 'a greeting is answered with the menu buttons');
    // The fake Graph API sees the send a moment before the activity records its wamid.
    const query = () =>
      stack.db.pool.query(
        'SELECT direction, status, wamid_hash, body_enc FROM messages WHERE client_id = $1 ORDER BY direction',
        [client.clientId],
      );
    let { rows } = await query();
    for (let i = 0; i < 50 && rows[1]?.status !== 'sent'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ({ rows } = await query());
    }
    assert.deepEqual(
      rows.map((r) => [r.direction, r.status]),
      [
        ['in', 'received'],
        ['out', 'sent'],
      ],
    );
    assert.equal(rows[1].wamid_hash, storedWamid(stack.config.masterKey, client.clientId, reply.wamid));
    assert.ok(!JSON.stringify(rows).includes(reply.wamid), 'the wamid is stored only as its hash');
    assert.ok(!JSON.stringify(rows).includes('hello'), 'message text is sealed at rest');
  });

  it('when the same message is delivered 20 times concurrently, then exactly one reply is sent', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const body = textNotification({
      phoneNumberId: client.phoneNumberId,
      waId: '5511999990002',
      text: 'hi',
      id: wamid(),
    });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => postWebhook(stack.apiUrl, body).then((r) => r.status)),
    );
    assert.deepEqual(new Set(statuses), new Set([200]));
    await stack.graph.waitFor((s) => s.some((m) => m.body.to === '5511999990002'));
    // Give a duplicate every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(stack.graph.sent.filter((m) => m.body.to === '5511999990002').length, 1);
  });

  it('when the webhook names a number no client owns, then it answers 200 and starts nothing', async () => {
    const res = await postWebhook(
      stack.apiUrl,
      textNotification({ phoneNumberId: '999999999999', waId: '5511999990003', text: 'hello' }),
    );
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(stack.graph.sent.filter((m) => m.body.to === '5511999990003').length, 0);
  });

  it('when the signature is missing or wrong, then 401 and nothing is sent', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const body = textNotification({ phoneNumberId: client.phoneNumberId, waId: '5511999990004', text: 'x' });
    assert.equal((await postWebhook(stack.apiUrl, body, { signature: null })).status, 401);
    assert.equal((await postWebhook(stack.apiUrl, body, { secret: 'another-secret-123' })).status, 401);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(stack.graph.sent.filter((m) => m.body.to === '5511999990004').length, 0);
  });
});
