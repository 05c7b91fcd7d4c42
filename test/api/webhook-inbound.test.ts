import assert from 'node:assert/strict';
import { conversationWorkflowId, getConversationQuery } from '../../workflows/conversation/contract';
import { after, before, describe, it } from 'node:test';
import { LocalKms } from '../../crypto/kms';
import { SubjectVault } from '../../crypto/vault';
import { signBody } from '../../whatsapp/signature';
import { TEST_ADMIN_TOKEN, TEST_APP_SECRET } from '../support/env';
import { messageFixtures, notification } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import {
  postWebhook,
  provisionTestClient,
  storedWamid,
  textNotification,
  waitUntil,
  wamid,
} from '../support/whatsapp';

const ROTATED_SECRET = 'rotated-app-secret-abcdef';

describe('webhook inbound: signatures, every message type, batches, bad bodies', () => {
  let stack: Stack;
  let vault: SubjectVault;
  before(async () => {
    stack = await startStack({ env: { WHATSAPP_APP_SECRET: `${ROTATED_SECRET},${TEST_APP_SECRET}` } });
    vault = new SubjectVault(stack.db.pool, new LocalKms([stack.config.masterKey]));
  });
  after(async () => {
    await stack?.close();
  });

  const inbound = async (clientId: string) =>
    (
      await stack.db.pool.query<{ wamid_hash: string; type: string; subject_hash: string; body_enc: string }>(
        `SELECT wamid_hash, type, subject_hash, body_enc FROM messages WHERE client_id = $1 AND direction = 'in'`,
        [clientId],
      )
    ).rows;

  it('when the signature is good, missing, wrong, or from the previous or next secret, then only good ones are accepted', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const body = () =>
      textNotification({ phoneNumberId: client.phoneNumberId, waId: '5511900000101', text: 'hi' });
    assert.equal((await postWebhook(stack.apiUrl, body())).status, 200);
    assert.equal((await postWebhook(stack.apiUrl, body(), { secret: ROTATED_SECRET })).status, 200);
    assert.equal((await postWebhook(stack.apiUrl, body(), { signature: null })).status, 401);
    assert.equal((await postWebhook(stack.apiUrl, body(), { secret: 'some-other-secret-123' })).status, 401);
    assert.equal((await postWebhook(stack.apiUrl, body(), { signature: 'sha256=zz' })).status, 401);
    assert.equal(
      (await postWebhook(stack.apiUrl, body(), { signature: `sha1=${'0'.repeat(40)}` })).status,
      401,
    );
    await waitUntil(
      async () => (await inbound(client.clientId)).length === 2,
      20_000,
      'two accepted messages',
    );
  });

  it("when the body has non-ASCII text, then both Meta's \\uXXXX-escaped signature and a raw-byte one verify", async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const raw = JSON.stringify(
      textNotification({
        phoneNumberId: client.phoneNumberId,
        waId: '5511900000102',
        text: 'Olá, ação 👋 日本',
      }),
    );
    assert.match(raw, /Olá/);
    assert.equal((await postWebhook(stack.apiUrl, raw)).status, 200, 'escaped form (as Meta signs)');
    const rawSigned = `sha256=${(await import('node:crypto')).createHmac('sha256', TEST_APP_SECRET).update(raw).digest('hex')}`;
    assert.notEqual(rawSigned, signBody(raw, TEST_APP_SECRET));
    assert.equal((await postWebhook(stack.apiUrl, raw, { signature: rawSigned })).status, 200, 'raw bytes');
    const tampered = raw.replace('Olá', 'Ola');
    assert.equal(
      (await postWebhook(stack.apiUrl, tampered, { signature: signBody(raw, TEST_APP_SECRET) })).status,
      401,
    );
  });

  it('when one notification carries every message type, then each is recorded sealed with its text and handled by one conversation', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const user = '5511900000103';
    const fixtures = messageFixtures(user);
    const messages = Object.values(fixtures).map((f) => f.message);
    const res = await postWebhook(
      stack.apiUrl,
      notification(client.phoneNumberId, { contacts: [{ profile: { name: 'Ana' }, wa_id: user }], messages }),
    );
    assert.equal(res.status, 200);
    const rows = await waitUntil(
      async () => {
        const r = await inbound(client.clientId);
        return r.length === messages.length ? r : undefined;
      },
      60_000,
      'every message recorded',
    );
    for (const fixture of Object.values(fixtures)) {
      const id = storedWamid(stack.config.masterKey, client.clientId, String(fixture.message.id));
      const row = rows.find((r) => r.wamid_hash === id)!;
      assert.equal(row.type, fixture.message.type);
      const subject = { clientId: client.clientId, subjectHash: row.subject_hash };
      const body = JSON.parse(await vault.openText(subject, 'message.body', row.body_enc)) as {
        text?: string;
      };
      assert.equal(body.text, fixture.text, `text of ${String(fixture.message.type)}`);
    }
    assert.equal(new Set(rows.map((r) => r.subject_hash)).size, 1, 'one conversation for one user');
    // Every message is handled (the bot answers what it should; reactions and system notices get no reply).
    const handle = stack.temporal.workflow.getHandle(
      conversationWorkflowId(client.clientId, client.phoneNumberId, rows[0]!.subject_hash),
    );
    await waitUntil(
      async () => ((await handle.query(getConversationQuery)).handled === messages.length ? true : undefined),
      60_000,
      'every message handled',
    );
    assert.ok(
      stack.graph.sent.some((m) => m.body.to === user),
      'the bot answered',
    );
  });

  it('when a batch has several entries, changes, users and messages, then every one is handled', async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const b = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const text = (from: string, n: number) => ({
      from,
      id: wamid(),
      timestamp: String(Math.floor(Date.now() / 1000) + n),
      type: 'text',
      text: { body: `m${n}` },
    });
    const change = (phoneNumberId: string, users: string[]) =>
      (
        notification(phoneNumberId, {
          contacts: users.map((u) => ({ wa_id: u, profile: { name: u } })),
          messages: users.flatMap((u) => [text(u, 1), text(u, 2)]),
        }).entry as { changes: unknown[] }[]
      )[0]!.changes[0];
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA-A',
          changes: [
            change(a.phoneNumberId, ['5511900000201', '5511900000202']),
            change(a.phoneNumberId, ['5511900000203']),
          ],
        },
        { id: 'WABA-B', changes: [change(b.phoneNumberId, ['5511900000204'])] },
      ],
    };
    assert.equal((await postWebhook(stack.apiUrl, body)).status, 200);
    await waitUntil(
      async () => (await inbound(a.clientId)).length === 6 && (await inbound(b.clientId)).length === 2,
      30_000,
      'all 8',
    );
    const users = ['5511900000201', '5511900000202', '5511900000203', '5511900000204'];
    await stack.graph.waitFor(
      (s) => users.every((u) => s.filter((m) => m.body.to === u).length === 2),
      30_000,
    );
  });

  it('when a user has a business-scoped user id and no wa_id, then the message is handled and the reply addresses that id', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const bsuid = `US.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const res = await postWebhook(
      stack.apiUrl,
      notification(client.phoneNumberId, {
        contacts: [{ profile: { name: 'Bea', username: '@bea' }, user_id: bsuid }],
        messages: [
          {
            from_user_id: bsuid,
            id: wamid(),
            timestamp: String(Math.floor(Date.now() / 1000)),
            type: 'text',
            text: { body: 'hey' },
          },
        ],
      }),
    );
    assert.equal(res.status, 200);
    await stack.graph.waitFor((s) => s.some((m) => m.body.to === bsuid));
  });

  it('when a field other than messages or an unknown number arrives, then 200 and it is recorded without work', async () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA-9',
          changes: [
            { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1 } },
          ],
        },
        { id: 'WABA-9', changes: [{ field: 'user_preferences', value: { whatever: true } }] },
      ],
    };
    assert.equal((await postWebhook(stack.apiUrl, body)).status, 200);
    assert.equal(
      (
        await postWebhook(
          stack.apiUrl,
          textNotification({ phoneNumberId: '999000111222', waId: '5511900000301', text: 'x' }),
        )
      ).status,
      200,
    );
    const { rows } = await stack.db.pool.query<{
      field: string;
      reason: string;
      phone_number_id: string | null;
    }>(
      `SELECT field, reason, phone_number_id FROM webhook_ignored WHERE waba_id IN ('WABA-9', 'WABA-1') ORDER BY reason, field`,
    );
    assert.deepEqual(
      rows.map((r) => [r.field, r.reason]),
      [
        ['user_preferences', 'unknown_field'],
        ['messages', 'unknown_number'],
        ['message_template_status_update', 'unknown_waba'],
      ],
    );
    assert.equal(stack.graph.sent.filter((m) => m.body.to === '5511900000301').length, 0);
  });

  it('when a body is over 3 MB, then 413; signed but not JSON, then 400; malformed in any way, never a 5xx', async () => {
    const big = JSON.stringify({ object: 'x', entry: [], pad: 'x'.repeat(3 * 1024 * 1024 + 10) });
    assert.equal((await postWebhook(stack.apiUrl, big)).status, 413);
    assert.equal((await postWebhook(stack.apiUrl, 'not json {')).status, 400);
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const bodies: unknown[] = [
      '',
      'null',
      '[]',
      '"text"',
      '{}',
      { object: 'whatsapp_business_account' },
      { object: 'whatsapp_business_account', entry: 'nope' },
      { object: 'whatsapp_business_account', entry: [{ id: 1, changes: {} }] },
      {
        object: 'whatsapp_business_account',
        entry: [{ id: 'W', changes: [{ field: 'messages', value: null }] }],
      },
      {
        object: 'whatsapp_business_account',
        entry: [{ id: 'W', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp' } }] }],
      },
      notification(client.phoneNumberId, {
        messages: [null, 7, { id: 'x' }, { id: 'y', type: 'image', timestamp: '1', from: '1' }],
      }),
      notification(client.phoneNumberId, { statuses: [{ id: 'w', status: 'nope', timestamp: 'x' }, 'junk'] }),
      notification(client.phoneNumberId, {
        messages: [{ id: 'z', type: 'text', timestamp: '1', text: { body: 'no user' } }],
      }),
      '{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{"__proto__":{"x":1}}}]}]}',
    ];
    for (const body of bodies) {
      const status = (await postWebhook(stack.apiUrl, body as string)).status;
      assert.ok(status < 500, `${JSON.stringify(body).slice(0, 80)} → ${status}`);
    }
    assert.equal(
      (await postWebhook(stack.apiUrl, notification(client.phoneNumberId, { messages: [{ id: 'x' }] })))
        .status,
      200,
      'a malformed message inside a good envelope is recorded as ignored, not retried forever',
    );
  });
});
