import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blindIndexKey, keyedHash } from '../../crypto/keys';
import { createLogger } from '../../logging';
import { DELIVERY_FAILURE_WORKFLOW_TYPE } from '../../workflows/delivery-failure/contract';
import { deleteLegacyFollowUps } from '../../worker/legacy-follow-ups';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { notification, statusItem } from '../support/fixtures';
import { findInBytes, rawHistories, scanDatabase } from '../support/privacy-scan';
import { startStack, type Stack } from '../support/stack';
import { postWebhook, provisionTestClient, textNotification, waitUntil, wamid } from '../support/whatsapp';

const WA_ID = '5511987650077';
const TEXTS = ['hello there', 'where is my parcel?'];

/**
 * A wamid is a phone number: Meta's message ids are base64 of a structure holding the user's number.
 * A conversation whose ids (inbound, and those the Graph API returns for our replies) embed the
 * user's number, with delivery statuses and a failed delivery; then raw scans of PostgreSQL, of the
 * Temporal histories and workflow ids without the codec, and of the logs, before and after erasure.
 */
describe('privacy: a WhatsApp message id is a phone number', () => {
  let stack: Stack;
  let client: { clientId: string; apiKey: string; phoneNumberId: string };
  const logs: string[] = [];
  const inbound = TEXTS.map(() => wamid(WA_ID));
  let outbound: string[] = [];

  const outboundStatuses = async () =>
    (
      await stack.db.pool.query<{ status: string }>(
        "SELECT status FROM messages WHERE client_id = $1 AND direction = 'out' ORDER BY status",
        [client.clientId],
      )
    ).rows.map((r) => r.status);

  before(async () => {
    stack = await startStack({
      statusWebhooks: true,
      log: createLogger('debug', {}, (line) => logs.push(line)),
    });
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    for (const [i, text] of TEXTS.entries()) {
      const body = textNotification({
        phoneNumberId: client.phoneNumberId,
        waId: WA_ID,
        text,
        id: inbound[i],
      });
      assert.equal((await postWebhook(stack.apiUrl, body)).status, 200);
    }
    const sent = await stack.graph.waitFor(
      (s) => s.filter((m) => m.body.to === WA_ID).length >= TEXTS.length,
    );
    outbound = sent.filter((m) => m.body.to === WA_ID).map((m) => m.wamid);
    // The fake Graph reports sent → delivered → read for each reply: the webhook finds each message.
    await waitUntil(
      async () =>
        (await outboundStatuses()).every((s) => s === 'read') && (await outboundStatuses()).length > 0,
      20_000,
      'every reply read',
    );
  });
  after(async () => {
    await stack?.close();
  });

  const needles = () => [WA_ID, ...inbound, ...outbound];
  const subjectHash = () => keyedHash(blindIndexKey(stack.config.masterKey), client.clientId, WA_ID);
  const histories = async () => [
    ...(await rawHistories(
      stack.temporal.connection,
      stack.config.temporal.namespace,
      `AuraClientId = "${client.clientId}"`,
    )),
    ...(await rawHistories(
      stack.temporal.connection,
      stack.config.temporal.namespace,
      `WorkflowType = "${DELIVERY_FAILURE_WORKFLOW_TYPE}"`,
    )),
  ];
  // This client's only: other tests' clients have follow-ups on the shared server.
  const followUps = () =>
    rawHistories(
      stack.temporal.connection,
      stack.config.temporal.namespace,
      `WorkflowType = "${DELIVERY_FAILURE_WORKFLOW_TYPE}" AND AuraClientId = "${client.clientId}"`,
    );
  const clearInTemporal = async () => {
    const found = await histories();
    return [
      ...findInBytes(
        found.map((h) => h.bytes),
        needles(),
      ),
      ...found.flatMap((h) => needles().filter((n) => h.workflowId.includes(n))),
    ];
  };

  it('when Meta-shaped wamids came in, went out, got statuses and a failed delivery, then none is in clear in PostgreSQL, Temporal or the logs', async () => {
    assert.ok(
      inbound.every((id) => Buffer.from(id.slice(6), 'base64').includes(WA_ID)),
      'the ids embed the number',
    );
    assert.ok(
      outbound.length >= TEXTS.length &&
        outbound.every((id) => Buffer.from(id.slice(6), 'base64').includes(WA_ID)),
    );
    const failed = statusItem(outbound[0]!, 'failed', { code: 131026, recipient: WA_ID });
    const res = await postWebhook(stack.apiUrl, notification(client.phoneNumberId, { statuses: [failed] }));
    assert.equal(res.status, 200);
    await waitUntil(
      async () =>
        (
          await stack.db.pool.query(
            'SELECT 1 FROM contacts WHERE client_id = $1 AND subject_hash = $2 AND undeliverable_at IS NOT NULL',
            [client.clientId, subjectHash()],
          )
        ).rowCount,
      20_000,
      'the follow-up found its message by hash',
    );

    const { found, rows } = await scanDatabase(stack.db.pool, needles());
    assert.ok(rows > 5, 'the scan read the rows');
    assert.deepEqual(found, [], 'PostgreSQL');
    assert.deepEqual(await clearInTemporal(), [], 'Temporal histories and workflow ids');
    assert.equal((await followUps()).length, 1, 'the follow-up was scanned');
    const text = logs.join('');
    assert.deepEqual(
      needles().filter((n) => text.includes(n)),
      [],
      'logs',
    );
  });

  it('when the subject is erased, then its follow-up workflows go with its conversation and no scan finds the number or a wamid', async () => {
    const api = (method: string, path: string) =>
      fetch(`${stack.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${client.apiKey}` } });
    const erase = await api('DELETE', `/v1/privacy/subjects/${WA_ID}`);
    assert.equal(erase.status, 202);
    const { requestId } = (await erase.json()) as { requestId: string };
    await waitUntil(
      async () =>
        ((await (await api('GET', `/v1/privacy/requests/${requestId}`)).json()) as { status: string })
          .status === 'completed',
      // Erasure deletes the held runs it put at the subject's conversation ids: slow on the dev server.
      300_000,
      'erasure completed',
    );
    // The conversation's own runs are lifecycle.test.ts's check; here: the follow-ups go with it.
    // Temporal deletes closed executions asynchronously (after their close tasks): it can take a while.
    await waitUntil(async () => (await followUps()).length === 0, 300_000, 'the follow-ups deleted');
    assert.deepEqual((await scanDatabase(stack.db.pool, needles())).found, [], 'PostgreSQL');
    assert.deepEqual(await clearInTemporal(), [], 'Temporal');
  });

  it('when follow-ups named by clear wamids remain from before the upgrade, then a worker start deletes the closed ones', async () => {
    const legacy = `delivery-failure:${client.clientId}:${wamid(WA_ID)}`;
    // Started on a queue no worker polls, then terminated: closed, as old follow-ups are.
    const handle = await stack.temporal.workflow.start(DELIVERY_FAILURE_WORKFLOW_TYPE, {
      workflowId: legacy,
      taskQueue: 'no-worker-polls-this',
      args: [{ clientId: client.clientId, wamidHash: 'legacy', errorCode: 131026 }],
    });
    await handle.terminate('closed before the upgrade');
    await waitUntil(async () => (await deleteLegacyFollowUps(stack.temporal)) > 0, 20_000, 'legacy listed');
    await waitUntil(
      () =>
        handle.describe().then(
          () => false,
          (err: Error) => /not found/i.test(err.message),
        ),
      60_000,
      'legacy follow-up deleted',
    );
  });
});
