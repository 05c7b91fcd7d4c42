import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { upsertContact } from '../../db/contacts';
import { recordCallbackRequest } from '../../db/conversations';
import { apiOf, countRows, startWithAgent, type Json } from '../support/api';
import { TEST_ADMIN_TOKEN } from '../support/env';
import type { Stack } from '../support/stack';
import { provisionTestClient, waitUntil } from '../support/whatsapp';
import { endUser, type TestClient } from '../conversation/helpers';
import { orderInput, RATES } from '../orders/fixtures';

type Key = { apiKey: string; keyId: string };

describe('agent workspace over HTTP: customer card, handling order, agents by label', () => {
  let stack: Stack;
  let client: TestClient;
  let alice: Key;

  const { call, ok, mintKey } = apiOf(() => stack.apiUrl);
  const audits = (action: string, actor: string) =>
    countRows(
      stack.db.pool,
      'SELECT count(*) AS n FROM audit_log WHERE client_id = $1 AND action = $2 AND actor = $3',
      [client.clientId, action, actor],
    );

  before(async () => {
    ({ stack, client, alice } = await startWithAgent());
  });
  after(async () => {
    await stack?.close();
  });

  it('when a burst of 5 customer messages and their replies falls within one second, then the transcript lists them in handling order', async () => {
    const u = endUser(stack, client, '5511900000701');
    // Meta stamps whole seconds: every message of the burst carries the same one.
    const second = Math.floor(Date.now() / 1000);
    const sent: string[] = [];
    for (let i = 1; i <= 5; i++) {
      sent.push(await u.says(['hi', 'hello', 'hey', 'good morning', 'hello'][i - 1]!, { timestamp: second }));
      await u.waitForHandled(i);
    }
    await u.waitForReplies(5);
    const { messages } = await ok(alice.apiKey, 'GET', `/v1/conversations/${u.ref}`);
    const inbound = messages.filter((m: Json) => m.direction === 'in').map((m: Json) => m.id);
    assert.deepEqual(inbound, sent, 'the customer messages in the order they were sent');
    // Each customer message is followed by the bot's reply to it before the next one.
    const directions = messages.map((m: Json) => m.direction).join(' ');
    assert.match(directions, /^in( out)+ in( out)+ in( out)+ in( out)+ in( out)+$/, directions);
    const seqs = messages.map((m: Json) => m.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'ascending sequence numbers',
    );
  });

  it('when an agent opens the customer card, then it shows name, number, window, consent, past handoffs and orders with their details, audited once and never cached', async () => {
    const waId = '5511900000702';
    const u = endUser(stack, client, waId);
    await u.says('I want to talk to a human please', { name: 'Ana Souza' });
    await u.waitForMode('queued');
    await ok(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/assign`, {});
    await ok(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/resolve`, {});
    await ok(client.apiKey, 'PUT', '/v1/shipping/rates', RATES);
    const { currency, items, deliveryAddress } = orderInput();
    await ok(client.apiKey, 'POST', '/v1/orders', {
      orderId: 'W-1',
      customer: { userId: waId },
      currency,
      items,
      deliveryAddress,
      phoneNumberId: client.phoneNumberId,
    });
    await ok(client.apiKey, 'POST', '/v1/orders/W-1/payment', { status: 'paid', reference: 'pay-w1' });
    await ok(client.apiKey, 'POST', '/v1/orders/W-1/shipment', {
      carrier: 'CTT',
      trackingNumber: 'RR123',
      trackingUrl: 'https://track.example/RR123',
    });

    const before = await audits('contact.read', alice.keyId);
    const r = await call(alice.apiKey, 'GET', `/v1/conversations/${u.ref}/contact`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const card = r.json;
    assert.equal(card.name, 'Ana Souza');
    assert.equal(card.phone, waId);
    assert.equal(card.userId, null);
    assert.equal(card.optedOut, false);
    assert.equal(card.windowOpen, true);
    assert.ok(Date.parse(card.windowOpenUntil) > Date.now());
    assert.ok(Date.parse(card.firstContactAt) <= Date.now());
    assert.equal(card.pastConversations.length, 1);
    assert.equal(card.pastConversations[0].agentLabel, 'Alice');
    assert.equal(card.pastConversations[0].agent, `agent:${alice.keyId}`);
    assert.equal(typeof card.pastConversations[0].durationMs, 'number');
    const [order] = card.orders;
    assert.equal(order.orderId, 'W-1');
    assert.equal(order.status, 'shipped');
    assert.equal(order.items[0].name, 'Mug');
    assert.deepEqual(order.deliveryAddress.lines, ['Rua A 1']);
    assert.equal(order.trackingUrl, 'https://track.example/RR123');
    assert.equal(typeof order.total, 'number');
    assert.equal(await audits('contact.read', alice.keyId), before + 1, 'one audit record per read');

    await u.says('STOP');
    const stopped = await waitUntil(async () => {
      const c = await ok(alice.apiKey, 'GET', `/v1/conversations/${u.ref}/contact`);
      return c.optedOut ? c : undefined;
    });
    assert.ok(stopped.consentChangedAt, 'the last consent change is dated');
  });

  it("when another client's key or a key without the agent scope asks for the card, then 404 and 403, and nothing is audited", async () => {
    const u = endUser(stack, client, '5511900000703');
    await u.says('hi', { name: 'Bea' });
    await u.waitForHandled(1);
    const other = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const stranger = await mintKey(other.clientId, ['agent']);
    const reader = await mintKey(client.clientId, ['conversations:read', 'orders:read']);
    const p = `/v1/conversations/${u.ref}/contact`;
    assert.equal((await call(stranger.apiKey, 'GET', p)).status, 404);
    assert.equal((await call(reader.apiKey, 'GET', p)).status, 403);
    assert.equal((await call(alice.apiKey, 'GET', '/v1/conversations/cv_nope/contact')).status, 404);
    assert.equal(await audits('contact.read', stranger.keyId), 0);
    assert.equal(await audits('contact.read', reader.keyId), 0);
  });

  it('when agents list conversations, then they see the customer and agent names (audited as a preview), and a reporting key sees neither name of the customer', async () => {
    const u = endUser(stack, client, '5511900000704');
    await u.says('I need a human agent', { name: 'Carla Dias' });
    await u.waitForMode('queued');
    const bob = await mintKey(client.clientId, ['agent'], 'Bob');
    const find = (list: Json) => list.conversations.find((c: Json) => c.id === u.ref);
    const listed = (mode: string, key = bob) =>
      waitUntil(async () => find(await ok(key.apiKey, 'GET', `/v1/conversations?mode=${mode}`)));
    await listed('queued', alice); // the row is there (written by the workflow) before Bob lists
    const previews = await audits('conversation.preview', bob.keyId);
    const queued = find(await ok(bob.apiKey, 'GET', '/v1/conversations?mode=queued'));
    assert.equal(queued.contactName, 'Carla Dias');
    assert.equal(queued.lastMessage, 'I need a human agent');
    assert.equal(await audits('conversation.preview', bob.keyId), previews + 1, 'one record for the entry');

    await ok(bob.apiKey, 'POST', `/v1/conversations/${u.ref}/assign`, {});
    const mine = await listed('agent');
    assert.equal(mine.contactName, 'Carla Dias');
    assert.equal(mine.assignedAgentLabel, 'Bob');
    const reporter = await mintKey(client.clientId, ['conversations:read']);
    const seen = await listed('agent', reporter);
    assert.equal(seen.contactName, undefined);
    assert.equal(seen.assignedAgentLabel, 'Bob');

    await ok(bob.apiKey, 'POST', `/v1/conversations/${u.ref}/messages`, { text: 'Hi, Bob here' });
    const { messages } = await ok(bob.apiKey, 'GET', `/v1/conversations/${u.ref}`);
    const reply = messages.find((m: Json) => m.sentBy === `agent:${bob.keyId}`);
    assert.equal(reply.sentByLabel, 'Bob');
    const stolen = await call(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/assign`, {});
    assert.equal(stolen.status, 409);
    assert.equal(stolen.json.error.details.ownerLabel, 'Bob');
  });

  it('when an admin reads the audit API or an agent asks who it is, then the key label stands beside the key id', async () => {
    const admin = await mintKey(client.clientId, ['admin'], 'Ops');
    assert.equal((await ok(alice.apiKey, 'GET', '/v1/me')).label, 'Alice');
    const records: Json[] = [];
    let after = '0';
    for (;;) {
      const page = await ok(admin.apiKey, 'GET', `/v1/audit?after=${after}&limit=500`);
      records.push(...page.records);
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    const byAlice = records.filter((r) => r.actor === alice.keyId);
    assert.ok(byAlice.length > 0);
    for (const r of byAlice) assert.equal(r.actorLabel, 'Alice');
  });

  it('when a customer with a profile name asked to be called back, then agents see the name in the callback list, audited as a preview', async () => {
    const subjectHash = 'e'.repeat(64);
    const ref = `cv_${client.phoneNumberId}_${'e'.repeat(40)}`;
    const subject = { clientId: client.clientId, subjectHash };
    await upsertContact(stack.db.pool, {
      ...subject,
      recipientEnc: await stack.vault.seal(subject, 'contact.recipient', '5511900000705'),
      nameEnc: await stack.vault.seal(subject, 'contact.name', 'Nina Callback'),
      inboundAt: new Date(),
    });
    await recordCallbackRequest(stack.db.pool, { clientId: client.clientId, ref, subjectHash });
    const before = await audits('conversation.preview', alice.keyId);
    const { callbacks } = await ok(alice.apiKey, 'GET', '/v1/callbacks');
    assert.equal(callbacks.find((c: Json) => c.conversation === ref).contactName, 'Nina Callback');
    assert.equal(await audits('conversation.preview', alice.keyId), before + 1);
  });
});
