import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deriveKey, keyedHash } from '../../crypto/keys';
import { createLogger } from '../../logging';
import { payloadCodec } from '../../temporal/connection';
import { TEST_ADMIN_TOKEN, TEST_APP_SECRET } from '../support/env';
import { findInBytes, rawHistories, scanDatabase } from '../support/privacy-scan';
import { startStack, type Stack } from '../support/stack';
import { orderBody, putRates, seedContact } from '../orders/support';
import { postWebhook, provisionTestClient, textNotification, wamid } from '../support/whatsapp';

const NAME = 'Zélia Quarterfield';
const WA_ID = '5511987650042';
const TEXTS = ['my parcel to Lisbon never came, order 77', 'please call me back tonight'];
const ADDRESS = 'Rua das Acácias 777, 1200-001 Lisboa';
const NOTE = 'Zélia prefers a call after 9pm on Thursdays';
const LABEL = 'quarterfield-vip';

/**
 * The privacy proof: a scripted conversation with known personal data, plus a row with a known
 * address (a table the test adds, as another feature would), then raw scans of PostgreSQL, of the
 * Temporal histories without the codec, of the logs, and of every network destination.
 */
describe('privacy proof: nothing personal in clear anywhere', () => {
  let stack: Stack;
  let client: { clientId: string; apiKey: string; phoneNumberId: string };
  const logs: string[] = [];
  const destinations = new Set<string>();
  const onSocket = ({ socket }: { socket: Socket }) =>
    socket.once('connect', () => destinations.add(socket.remoteAddress ?? '?'));
  const realFetch = globalThis.fetch;
  /** The WhatsApp message ids of the conversation, both ways: each holds the number. */
  const wamids: string[] = [];
  /** The client's event endpoint (a configured destination) and the bodies it received. */
  let receiver: Server;
  const events: string[] = [];

  before(async () => {
    diagnostics.subscribe('net.client.socket', onSocket as (m: unknown) => void);
    globalThis.fetch = (input, init) => {
      destinations.add(new URL(input instanceof Request ? input.url : String(input)).hostname);
      return realFetch(input, init);
    };
    stack = await startStack({
      env: { AURA_WEBHOOKS_ALLOW_LOOPBACK_HTTP: 'true' },
      log: createLogger('debug', {}, (line) => logs.push(line)),
    });
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', () => {
          events.push(Buffer.concat(chunks).toString('utf8'));
          res.end();
        });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const registered = await fetch(`${stack.apiUrl}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `http://localhost:${(receiver.address() as AddressInfo).port}/events`,
        events: ['conversation.queued', 'contact.opted_out', 'order.status_changed'],
      }),
    });
    assert.equal(registered.status, 201);
    for (const text of TEXTS) {
      // Meta-shaped ids: each embeds the sender's number, as Meta's do.
      const id = wamid(WA_ID);
      wamids.push(id);
      const res = await postWebhook(
        stack.apiUrl,
        textNotification({ phoneNumberId: client.phoneNumberId, waId: WA_ID, text, name: NAME, id }),
      );
      assert.equal(res.status, 200);
    }
    const sent = await stack.graph.waitFor(
      (s) => s.filter((m) => m.body.to === WA_ID).length === TEXTS.length,
    );
    // The ids the Graph API gave our replies embed the number too.
    wamids.push(...sent.filter((m) => m.body.to === WA_ID).map((m) => m.wamid));
    // The reply is recorded as sent just after the Graph API accepted it.
    for (let i = 0; i < 100; i += 1) {
      const { rows } = await stack.db.pool.query(
        `SELECT count(*)::int AS n FROM messages WHERE client_id = $1 AND status = 'sent'`,
        [client.clientId],
      );
      if (rows[0].n === TEXTS.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const subject = {
      clientId: client.clientId,
      subjectHash: keyedHash(deriveKey(stack.config.masterKey, 'blind-index'), client.clientId, WA_ID),
    };
    // An agent's note and label: sealed, and the label looked up by its hash (the query is not logged).
    const call = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${stack.apiUrl}${p}`, {
        method,
        headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.ok(res.ok, `${method} ${p}: ${res.status}`);
      return (await res.json()) as { conversations?: { id: string }[] };
    };
    const [conversation] = (await call('GET', '/v1/conversations')).conversations!;
    await call('POST', `/v1/conversations/${conversation!.id}/notes`, { text: NOTE });
    await call('POST', `/v1/conversations/${conversation!.id}/labels`, { label: LABEL });
    const labelled = await call('GET', `/v1/conversations?label=${encodeURIComponent(LABEL)}`);
    assert.deepEqual(
      labelled.conversations!.map((c) => c.id),
      [conversation!.id],
    );
    // An event for the endpoint: another customer's order, which sends this customer nothing.
    await putRates(stack, client.apiKey);
    await seedContact(stack, client.clientId, '351910000042');
    const order = await fetch(`${stack.apiUrl}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(orderBody('+351910000042')),
    });
    assert.equal(order.status, 201);
    for (let i = 0; i < 200 && !events.some((e) => e.includes('order.status_changed')); i += 1)
      await new Promise((r) => setTimeout(r, 100));
    await stack.db.owner.query(
      'CREATE TABLE test_deliveries (client_id text, subject_hash text, address_enc text, created_at timestamptz DEFAULT now())',
    );
    await stack.db.pool.query(
      'INSERT INTO test_deliveries(client_id, subject_hash, address_enc) VALUES ($1, $2, $3)',
      [
        subject.clientId,
        subject.subjectHash,
        await stack.vault.seal(subject, 'test_deliveries.address', ADDRESS),
      ],
    );
  });
  after(async () => {
    diagnostics.unsubscribe('net.client.socket', onSocket as (m: unknown) => void);
    globalThis.fetch = realFetch;
    receiver?.close();
    await stack?.close();
  });

  const personal = () => [NAME, WA_ID, ...TEXTS, ADDRESS, NOTE, LABEL];
  /** What no raw scan may find: the personal data, and the message ids that hold the number. */
  const needles = () => [...personal(), ...wamids];

  it('when the subject exports their data, then the document holds every piece in clear (the data is really there)', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/privacy/subjects/${WA_ID}/export`, {
      headers: { authorization: `Bearer ${client.apiKey}` },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      tables: Record<string, Record<string, unknown>[]>;
      unreadable: unknown[];
    };
    const text = JSON.stringify(body);
    for (const n of personal()) assert.ok(text.includes(n), `export contains ${n}`);
    assert.deepEqual(body.unreadable, []);
    assert.equal(body.tables.contacts?.[0]?.name, NAME);
    assert.equal(body.tables.test_deliveries?.[0]?.address, ADDRESS);
    assert.equal(body.tables.contact_notes?.[0]?.body, NOTE);
    assert.equal(body.tables.conversation_labels?.[0]?.label, LABEL);
    assert.deepEqual(
      body.tables.messages?.map((m) => m.status).sort(),
      ['received', 'received', 'sent', 'sent'],
      'transcript with outbound delivery states',
    );
    assert.ok(
      body.tables.audit_log?.some((r) => r.action === 'subject.export'),
      'who accessed the data',
    );
  });

  it('when every PostgreSQL table is scanned raw, then no name, number, text, address or message id is in clear', async () => {
    const { found, rows } = await scanDatabase(stack.db.pool, needles());
    assert.ok(rows > 5, 'the scan read the rows');
    assert.deepEqual(found, []);
    const control = await scanDatabase(stack.db.pool, [client.clientId]);
    assert.ok(control.found.length > 0, 'the scan finds what is stored in clear');
  });

  it('when the raw Temporal histories are fetched without the codec, then none of it is in clear', async () => {
    const query = `AuraClientId = "${client.clientId}"`;
    const histories = await rawHistories(stack.temporal.connection, stack.config.temporal.namespace, query);
    assert.ok(histories.length >= 1);
    assert.deepEqual(
      findInBytes(
        histories.map((h) => h.bytes),
        needles(),
      ),
      [],
    );
    for (const h of histories) assert.ok(!needles().some((n) => h.workflowId.includes(n)), 'workflow ids');

    // Control: the conversation's history bytes, decoded by the codec, do contain the texts.
    const conversation = histories.find((h) => h.workflowId.startsWith('conversation:'))!;
    const history = await stack.temporal.workflow.getHandle(conversation.workflowId).fetchHistory();
    const signal = history.events?.find((e) => e.workflowExecutionSignaledEventAttributes)
      ?.workflowExecutionSignaledEventAttributes?.input?.payloads;
    const decoded = await payloadCodec(stack.config).decode(signal ?? []);
    assert.ok(
      findInBytes(
        decoded.map((p) => Buffer.from(p.data!)),
        TEXTS,
      ).length > 0,
    );
  });

  it('when the logs of the whole scenario are scanned, then no personal data, API key or secret appears', () => {
    const text = logs.join('');
    assert.ok(logs.length > 5 && text.includes('"msg":"request"'), 'logs were captured');
    const secrets = [
      client.apiKey,
      TEST_APP_SECRET,
      TEST_ADMIN_TOKEN,
      'EAAG-test-token',
      stack.config.masterKey.toString('base64'),
    ];
    assert.deepEqual(
      [...needles(), ...secrets].filter((s) => text.includes(s)),
      [],
    );
  });

  it("when the scenario ran, then every network destination was a configured one (Graph API, Temporal, PostgreSQL, our API, the client's event endpoints) and the events held nothing personal", async () => {
    const { rows } = await stack.db.pool.query<{ url: string }>('SELECT url FROM webhook_endpoints');
    assert.ok(
      events.some((e) => e.includes('order.status_changed')),
      'an event went to the endpoint',
    );
    assert.deepEqual(
      needles().filter((n) => events.some((e) => e.includes(n))),
      [],
    );
    const allowed = new Set([
      ...rows.map((r) => new URL(r.url).hostname),
      new URL(stack.config.whatsapp.graphUrl).hostname,
      stack.config.temporal.address!.split(':')[0]!,
      new URL(stack.db.url).hostname,
      new URL(stack.apiUrl).hostname,
      ...(stack.config.dialogflow
        ? [
            stack.config.dialogflow.endpoint ??
              `${stack.config.dialogflow.location}-dialogflow.googleapis.com`,
          ]
        : []),
    ]);
    assert.ok(destinations.size > 0, 'destinations were observed');
    assert.deepEqual(
      [...destinations].filter((d) => !allowed.has(d.replace(/^::ffff:/, ''))),
      [],
    );
  });
});
