import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blindIndexKey, keyedHash } from '../../crypto/keys';
import { createPool } from '../../db/pool';
import { deleteSubjectStatusHistory, markOutboundSent, statusHistory } from '../../db/messages';
import { freePort } from '../../temporal/dev-server';
import { createTemporalClient } from '../../temporal/connection';
import { clientIdAttribute, subjectAttribute } from '../../temporal/search-attributes';
import { deliveryFailureWorkflowId } from '../../workflows/delivery-failure/contract';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { notification, statusItem } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import {
  postWebhook,
  provisionTestClient,
  storedWamid,
  textNotification,
  waitUntil,
  wamid,
} from '../support/whatsapp';

const WINDOW_TEMPLATE = { name: 'window_reopen_v1', language: 'en' };

describe('webhook statuses: monotonic delivery state, failure follow-ups, durability', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  /** Provisions a client, has a user write, and returns the wamid of the bot's reply. */
  async function replyTo(user: string, settings?: Record<string, unknown>) {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, settings ? { settings } : {});
    const res = await postWebhook(
      stack.apiUrl,
      textNotification({ phoneNumberId: client.phoneNumberId, waId: user, text: 'hi' }),
    );
    assert.equal(res.status, 200);
    const sent = await stack.graph.waitFor((s) => s.some((m) => m.body.to === user));
    const wamidOut = sent.find((m) => m.body.to === user)!.wamid;
    await waitUntil(
      async () => (await outbound(client.clientId, wamidOut)) === 'sent',
      10_000,
      'reply recorded',
    );
    return { client, wamid: wamidOut };
  }
  /** What rows name a wamid by: its keyed hash. */
  const stored = (clientId: string, id: string) => storedWamid(stack.config.masterKey, clientId, id);
  const outbound = async (clientId: string, id: string) =>
    (
      await stack.db.pool.query<{ status: string }>('SELECT status FROM messages WHERE wamid_hash = $1', [
        stored(clientId, id),
      ])
    ).rows[0]?.status;
  const postStatuses = (phoneNumberId: string, statuses: unknown[]) =>
    postWebhook(stack.apiUrl, notification(phoneNumberId, { statuses }));

  it('when statuses arrive out of order or repeated, then the state only moves forward and the history keeps each once', async () => {
    const { client, wamid: id } = await replyTo('5511900000401');
    const t = Math.floor(Date.now() / 1000);
    assert.equal(
      (await postStatuses(client.phoneNumberId, [statusItem(id, 'read', { timestamp: t + 3 })])).status,
      200,
    );
    assert.equal(await outbound(client.clientId, id), 'read');
    assert.equal(
      (
        await postStatuses(client.phoneNumberId, [
          statusItem(id, 'delivered', { timestamp: t + 2 }),
          statusItem(id, 'sent', { timestamp: t + 1 }),
        ])
      ).status,
      200,
    );
    await postStatuses(client.phoneNumberId, [statusItem(id, 'read', { timestamp: t + 3 })]);
    assert.equal(await outbound(client.clientId, id), 'read', 'regressions ignored');
    const history = await statusHistory(stack.db.pool, client.clientId, stored(client.clientId, id));
    assert.deepEqual(
      history.map((h) => h.status),
      ['sent', 'delivered', 'read'],
    );
    const { rows } = await stack.db.pool.query('SELECT subject_hash FROM messages WHERE wamid_hash = $1', [
      stored(client.clientId, id),
    ]);
    assert.equal(await deleteSubjectStatusHistory(stack.db.pool, client.clientId, rows[0].subject_hash), 3);
    assert.deepEqual(
      await statusHistory(stack.db.pool, client.clientId, stored(client.clientId, id)),
      [],
      'erasure removes the history',
    );
  });

  it('when a message failed, then nothing moves it again', async () => {
    const { client, wamid: id } = await replyTo('5511900000402');
    await postStatuses(client.phoneNumberId, [statusItem(id, 'failed', { code: 131000 })]);
    await postStatuses(client.phoneNumberId, [statusItem(id, 'read')]);
    assert.equal(await outbound(client.clientId, id), 'failed');
  });

  it('when a status names a wamid before its send was recorded, then the send takes the status from the history', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const early = `wamid.EARLY${Date.now()}`;
    await postStatuses(client.phoneNumberId, [statusItem(early, 'delivered')]);
    await stack.db.pool.query(
      `INSERT INTO messages(id, client_id, subject_hash, phone_number_id, direction, type, status, occurred_at)
       VALUES ('k-early', $1, 's', $2, 'out', 'text', 'pending', now())`,
      [client.clientId, client.phoneNumberId],
    );
    await markOutboundSent(stack.db.pool, 'k-early', stored(client.clientId, early));
    assert.equal(await outbound(client.clientId, early), 'delivered');
  });

  it("when Meta reports 131047 for a free-text reply, then the client's window template is sent once instead", async () => {
    const user = '5511900000403';
    const { client, wamid: id } = await replyTo(user, { templates: { window_reopen: WINDOW_TEMPLATE } });
    const failed = statusItem(id, 'failed', { code: 131047 });
    assert.equal((await postStatuses(client.phoneNumberId, [failed])).status, 200);
    assert.equal((await postStatuses(client.phoneNumberId, [failed])).status, 200, 'redelivered');
    await stack.graph.waitFor((s) => s.some((m) => m.body.to === user && m.body.type === 'template'));
    await new Promise((r) => setTimeout(r, 1_000));
    const templates = stack.graph.sent.filter((m) => m.body.to === user && m.body.type === 'template');
    assert.equal(templates.length, 1);
    assert.equal((templates[0]!.body.template as { name: string }).name, WINDOW_TEMPLATE.name);
    assert.equal(await outbound(client.clientId, id), 'failed');
  });

  it('when Meta reports 131026, then the contact is marked undeliverable and later sends are refused', async () => {
    const user = '5511900000404';
    const { client, wamid: id } = await replyTo(user);
    await postStatuses(client.phoneNumberId, [statusItem(id, 'failed', { code: 131026 })]);
    await waitUntil(
      async () =>
        (
          await stack.db.pool.query(
            'SELECT 1 FROM contacts WHERE client_id = $1 AND undeliverable_at IS NOT NULL',
            [client.clientId],
          )
        ).rowCount,
      20_000,
      'contact undeliverable',
    );
    const before = stack.graph.sent.filter((m) => m.body.to === user).length;
    await postWebhook(
      stack.apiUrl,
      textNotification({ phoneNumberId: client.phoneNumberId, waId: user, text: 'again' }),
    );
    await waitUntil(
      async () =>
        (
          await stack.db.pool.query(
            `SELECT 1 FROM messages WHERE client_id = $1 AND status_reason = 'undeliverable'`,
            [client.clientId],
          )
        ).rowCount,
      20_000,
      'refused send recorded',
    );
    assert.equal(stack.graph.sent.filter((m) => m.body.to === user).length, before);
  });

  it('when Meta reports a failed delivery, then its follow-up workflow is named by the wamid hash and carries AuraClientId and AuraSubject', async () => {
    const user = '5511900000405';
    const { client, wamid: id } = await replyTo(user);
    await postStatuses(client.phoneNumberId, [statusItem(id, 'failed', { code: 131026 })]);
    const workflowId = deliveryFailureWorkflowId(client.clientId, stored(client.clientId, id));
    const described = await stack.temporal.workflow.getHandle(workflowId).describe();
    assert.ok(!workflowId.includes(id) && !workflowId.includes(user), 'no wamid, no number in the id');
    const subjectHash = keyedHash(blindIndexKey(stack.config.masterKey), client.clientId, user);
    assert.equal(described.typedSearchAttributes.get(clientIdAttribute), client.clientId);
    assert.equal(described.typedSearchAttributes.get(subjectAttribute), subjectHash);
  });

  it('when a failure status outruns the record of its send, then the follow-up adds AuraSubject once it finds the message', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const early = wamid('5511900000406');
    const subjectHash = 'e'.repeat(64);
    await postStatuses(client.phoneNumberId, [statusItem(early, 'failed', { code: 131026 })]);
    const handle = stack.temporal.workflow.getHandle(
      deliveryFailureWorkflowId(client.clientId, stored(client.clientId, early)),
    );
    assert.equal((await handle.describe()).typedSearchAttributes.get(subjectAttribute), undefined);
    await stack.db.pool.query(
      `INSERT INTO messages(id, client_id, subject_hash, phone_number_id, direction, type, status, occurred_at)
       VALUES ('k-outrun', $1, $3, $2, 'out', 'text', 'pending', now())`,
      [client.clientId, client.phoneNumberId, subjectHash],
    );
    await markOutboundSent(stack.db.pool, 'k-outrun', stored(client.clientId, early));
    await handle.result();
    assert.equal((await handle.describe()).typedSearchAttributes.get(subjectAttribute), subjectHash);
  });

  /** The API of this stack built over other dependencies, listening on a free port. */
  async function apiWith(deps: { databaseUrl?: string; temporalAddress?: string }) {
    const db = deps.databaseUrl ? createPool(deps.databaseUrl, 2) : stack.db.pool;
    const temporal = deps.temporalAddress
      ? createTemporalClient(stack.config, deps.temporalAddress)
      : stack.temporal;
    const api = await stack.apiWith({ db, temporal });
    return {
      url: api.url,
      async close() {
        await api.close();
        if (deps.databaseUrl) await db.end();
        if (deps.temporalAddress) await temporal.connection.close();
      },
    };
  }

  it('when PostgreSQL is unreachable, then statuses and messages are answered 503 so Meta retries', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const api = await apiWith({ databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
    try {
      assert.equal(
        (
          await postWebhook(
            api.url,
            notification(client.phoneNumberId, { statuses: [statusItem('wamid.x', 'read')] }),
          )
        ).status,
        503,
      );
      assert.equal(
        (
          await postWebhook(
            api.url,
            textNotification({ phoneNumberId: client.phoneNumberId, waId: '5511900000405', text: 'x' }),
          )
        ).status,
        503,
      );
    } finally {
      await api.close();
    }
  });

  it('when Temporal is unreachable, then 503; the redelivery to a working API is processed once', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const user = '5511900000406';
    const body = textNotification({
      phoneNumberId: client.phoneNumberId,
      waId: user,
      text: 'are you there?',
      id: wamid(),
    });
    const down = await apiWith({ temporalAddress: `127.0.0.1:${await freePort()}` });
    try {
      assert.equal((await postWebhook(down.url, body)).status, 503);
    } finally {
      await down.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(stack.graph.sent.filter((m) => m.body.to === user).length, 0, 'nothing happened on 503');
    assert.equal((await postWebhook(stack.apiUrl, body)).status, 200);
    assert.equal((await postWebhook(stack.apiUrl, body)).status, 200);
    await stack.graph.waitFor((s) => s.some((m) => m.body.to === user));
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(stack.graph.sent.filter((m) => m.body.to === user).length, 1);
  });
});
