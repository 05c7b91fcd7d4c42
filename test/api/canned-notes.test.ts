import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openErasureRequest } from '../../db/privacy-requests';
import { apiOf, startWithAgent, subjectRows, type Json } from '../support/api';
import { TEST_ADMIN_TOKEN } from '../support/env';
import type { Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';
import { endUser, type TestClient } from '../conversation/helpers';
import { orderInput, RATES } from '../orders/fixtures';

type Key = { apiKey: string; keyId: string };

describe('canned responses, notes and labels over HTTP', () => {
  let stack: Stack;
  let client: TestClient;
  let alice: Key;

  const { call, ok, mintKey } = apiOf(() => stack.apiUrl);
  const rows = (table: string, subjectHash: string) =>
    subjectRows(stack.db.pool, table, client.clientId, subjectHash);

  before(async () => {
    ({ stack, client, alice } = await startWithAgent());
  });
  after(async () => {
    await stack?.close();
  });

  it('when a canned response is written with an unknown variable, a bad shortcut or a taken shortcut, then it is refused with the reason, and agents cannot write them', async () => {
    const key = client.apiKey;
    const typo = await call(key, 'POST', '/v1/canned-responses', {
      shortcut: 'hello',
      language: 'en',
      body: 'Hi {{customer.nmae}}, order {{order.id}} and {{shop.url}}',
    });
    assert.equal(typo.status, 400);
    assert.match(typo.json.error.message, /unknown variables \{\{customer\.nmae\}\}, \{\{shop\.url\}\}/);
    const shortcut = await call(key, 'POST', '/v1/canned-responses', {
      shortcut: 'Has Space',
      language: 'en',
      body: 'x',
    });
    assert.equal(shortcut.status, 400);
    assert.match(shortcut.json.error.message, /shortcut/);
    const created = await ok(key, 'POST', '/v1/canned-responses', {
      shortcut: 'thanks',
      language: 'en',
      body: 'Thank you!',
    });
    const twice = await call(key, 'POST', '/v1/canned-responses', {
      shortcut: 'thanks',
      language: 'en',
      body: 'Thanks again',
    });
    assert.equal(twice.status, 409);
    assert.match(twice.json.error.message, /shortcut exists in this language/);
    assert.equal(
      (await call(alice.apiKey, 'POST', '/v1/canned-responses', { shortcut: 'a', language: 'en', body: 'x' }))
        .status,
      403,
    );
    const edited = await ok(key, 'PUT', `/v1/canned-responses/${created.id}`, {
      shortcut: 'thanks',
      language: 'en',
      body: 'Thank you, {{customer.name}}!',
    });
    assert.equal(edited.body, 'Thank you, {{customer.name}}!');
    // PostgreSQL text cannot hold NUL: a 400 naming it, not a 500 (schemathesis found this one).
    const nul = await call(key, 'PUT', `/v1/canned-responses/${created.id}`, {
      shortcut: 'thanks',
      language: 'en',
      body: 'Thank\u0000you',
    });
    assert.equal(nul.status, 400);
    assert.match(nul.json.error.message, /NUL/);
    const { responses } = await ok(key, 'GET', '/v1/canned-responses?language=en');
    assert.deepEqual(
      responses.map((r: Json) => r.shortcut),
      ['thanks'],
    );
    assert.equal((await call(key, 'DELETE', `/v1/canned-responses/${created.id}`)).status, 204);
    assert.equal((await call(key, 'GET', `/v1/canned-responses/${created.id}`)).status, 404);
  });

  it("when an agent opens the picker, then the responses of the conversation's language come with name, order id and tracking link filled, the name read audited", async () => {
    const key = client.apiKey;
    const waId = '5511900000901';
    const u = endUser(stack, client, waId);
    await u.says('hola, necesito ayuda con mi pedido', { name: 'Lucía Gómez' });
    await u.waitForHandled(1);
    await ok(key, 'PUT', '/v1/shipping/rates', RATES);
    const { currency, items, deliveryAddress } = orderInput();
    await ok(key, 'POST', '/v1/orders', {
      orderId: 'C-9',
      customer: { userId: waId },
      currency,
      items,
      deliveryAddress,
      phoneNumberId: client.phoneNumberId,
    });
    await ok(key, 'POST', '/v1/orders/C-9/payment', { status: 'paid', reference: 'p-9' });
    await ok(key, 'POST', '/v1/orders/C-9/shipment', {
      carrier: 'DHL',
      trackingNumber: 'JD9',
      trackingUrl: 'https://track.example/JD9',
    });
    for (const [language, body] of [
      ['en', 'Hi {{customer.name}}, {{order.id}} ships: {{order.trackingUrl}}'],
      [
        'es',
        'Hola {{customer.name}}, tu pedido {{order.id}} va con {{order.carrier}}: {{order.trackingUrl}}',
      ],
    ] as const)
      await ok(key, 'POST', '/v1/canned-responses', { shortcut: 'tracking', language, body });
    await ok(key, 'POST', '/v1/canned-responses', {
      shortcut: 'bye',
      language: 'en',
      body: 'Bye from {{agent.name}}',
    });
    const contactLanguage = (
      await stack.db.pool.query<{ language: string | null }>(
        'SELECT language FROM contacts WHERE client_id = $1 AND subject_hash = $2',
        [client.clientId, u.subjectHash],
      )
    ).rows[0]!.language;
    assert.equal(contactLanguage, 'es', 'the conversation is in Spanish');

    const picker = await ok(alice.apiKey, 'GET', `/v1/conversations/${u.ref}/canned-responses`);
    assert.equal(picker.language, 'es');
    const byShortcut = Object.fromEntries(picker.responses.map((r: Json) => [r.shortcut, r]));
    assert.equal(
      byShortcut.tracking.text,
      'Hola Lucía Gómez, tu pedido C-9 va con DHL: https://track.example/JD9',
    );
    assert.deepEqual(byShortcut.tracking.missing, []);
    assert.equal(byShortcut.bye.text, 'Bye from Alice', 'no Spanish version: the default language one');
    const audited = await stack.db.pool.query(
      `SELECT 1 FROM audit_log WHERE client_id = $1 AND actor = $2 AND action = 'canned.render' AND subject_hash = $3 AND resource = $4`,
      [client.clientId, alice.keyId, u.subjectHash, u.ref],
    );
    assert.equal(audited.rowCount, 1);
    // The client's first key has no label: its id is no name to give a customer.
    const unlabelled = await ok(client.apiKey, 'GET', `/v1/conversations/${u.ref}/canned-responses`);
    const bye = unlabelled.responses.find((r: Json) => r.shortcut === 'bye');
    assert.deepEqual([bye.text, bye.missing], ['Bye from ', ['agent.name']]);
    const other = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const stranger = await mintKey(other.clientId, ['agent'], 'Mallory');
    assert.equal(
      (await call(stranger.apiKey, 'GET', `/v1/conversations/${u.ref}/canned-responses`)).status,
      404,
    );
  });

  it('when an agent adds a note and a label, then the card shows them by author, the list filters by the label, the export lists them in clear and erasure removes them', async () => {
    const waId = '5511900000902';
    const u = endUser(stack, client, waId);
    await u.says('I want to talk to a human', { name: 'Nora Note' });
    await u.waitForMode('queued');
    const other = endUser(stack, client, '5511900000903');
    await other.says('I want to talk to a human', { name: 'Otto Other' });
    await other.waitForMode('queued');

    const note = await ok(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/notes`, {
      text: 'Prefers a call after 6pm; broken mug replaced once',
    });
    assert.equal(note.authorLabel, 'Alice');
    const label = await ok(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/labels`, { label: 'VIP' });
    assert.equal(
      (await call(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/labels`, { label: ' vip ' })).status,
      409,
      'the same label, whatever its case',
    );
    assert.equal(
      (await call(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/notes`, { text: ' ' })).status,
      400,
    );
    assert.equal(
      (await call(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/labels`, { label: 'a\nb' })).status,
      400,
    );
    const sealed = await stack.db.pool.query<{ body_enc: string }>(
      'SELECT body_enc FROM contact_notes WHERE client_id = $1 AND subject_hash = $2',
      [client.clientId, u.subjectHash],
    );
    assert.doesNotMatch(sealed.rows[0]!.body_enc, /6pm|mug/, 'sealed at rest');

    const card = await ok(alice.apiKey, 'GET', `/v1/conversations/${u.ref}/contact`);
    assert.deepEqual(
      card.notes.map((n: Json) => [n.text, n.author, n.authorLabel]),
      [['Prefers a call after 6pm; broken mug replaced once', `agent:${alice.keyId}`, 'Alice']],
    );
    assert.deepEqual(
      card.labels.map((l: Json) => l.label),
      ['VIP'],
    );
    const listed = await ok(alice.apiKey, 'GET', '/v1/conversations?label=vip');
    assert.deepEqual(
      listed.conversations.map((c: Json) => c.id),
      [u.ref],
    );
    const queued = await ok(alice.apiKey, 'GET', '/v1/conversations?mode=queued&label=VIP');
    assert.deepEqual(
      queued.conversations.map((c: Json) => c.id),
      [u.ref],
    );

    const exported = await ok(client.apiKey, 'GET', `/v1/privacy/subjects/${waId}/export`);
    const text = JSON.stringify(exported);
    assert.deepEqual(exported.unreadable, []);
    assert.equal(exported.tables.contact_notes[0].body, 'Prefers a call after 6pm; broken mug replaced once');
    assert.equal(exported.tables.conversation_labels[0].label, 'VIP');
    assert.doesNotMatch(text, /Otto/, "another customer's data is not in it");

    const removed = await call(alice.apiKey, 'DELETE', `/v1/conversations/${u.ref}/labels/${label.id}`);
    assert.equal(removed.status, 204);
    await ok(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/labels`, { label: 'refund' });
    const erase = await call(client.apiKey, 'DELETE', `/v1/privacy/subjects/${waId}`);
    assert.equal(erase.status, 202);
    let status = '';
    for (let i = 0; i < 1200 && status !== 'completed'; i += 1) {
      status = (await ok(client.apiKey, 'GET', `/v1/privacy/requests/${erase.json.requestId}`)).status;
      if (status !== 'completed') await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 'completed');
    assert.equal(await rows('contact_notes', u.subjectHash), 0, 'the notes are gone');
    assert.equal(await rows('conversation_labels', u.subjectHash), 0, 'the labels are gone');
    assert.deepEqual((await ok(alice.apiKey, 'GET', '/v1/conversations?label=refund')).conversations, []);
  });

  it("when the customer's erasure is open, then a new note or label is a 409 and nothing is written", async () => {
    const u = endUser(stack, client, '5511900000904');
    await u.says('I want to talk to a human', { name: 'Erin Erased' });
    await u.waitForMode('queued');
    // Open, as DELETE /v1/privacy/subjects opens it before the erasure runs (held here: no workflow).
    await openErasureRequest(stack.db.pool, {
      clientId: client.clientId,
      subjectHash: u.subjectHash,
      requestedBy: 'test',
    });
    const note = await call(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/notes`, { text: 'late' });
    const label = await call(alice.apiKey, 'POST', `/v1/conversations/${u.ref}/labels`, { label: 'late' });
    assert.deepEqual([note.status, label.status], [409, 409]);
    assert.match(note.json.error.message, /being erased/);
    assert.deepEqual(
      [await rows('contact_notes', u.subjectHash), await rows('conversation_labels', u.subjectHash)],
      [0, 0],
    );
  });
});
