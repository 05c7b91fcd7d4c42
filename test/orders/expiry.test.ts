import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { provisionClient } from '../../api/provisioning';
import { LocalKms } from '../../crypto/kms';
import { createSecretBox } from '../../crypto/secret-box';
import { SubjectVault } from '../../crypto/vault';
import { upsertContact } from '../../db/contacts';
import { listOrderNotifications } from '../../db/orders';
import { putRateTable } from '../../db/shipping-rates';
import { clientSettingsSchema } from '../../settings/client-settings';
import { startFakeGraph, type FakeGraph } from '../../sandbox/fake-graph';
import { modeAttribute } from '../../temporal/search-attributes';
import { bundleWorkflows } from '../../worker/worker';
import { getOrderQuery, orderWorkflowId, type OrderInput } from '../../workflows/order/contract';
import { createTestDatabase, type TestDatabase } from '../support/env';
import { startTimeSkippingServer } from '../support/time-skipping';
import { phoneNumberId } from '../support/whatsapp';
import { orderInput, RATES } from './fixtures';
import { eventually } from './support';
import { testActivityDeps } from '../support/activity-deps';

describe('order payment deadline and retention (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let db: TestDatabase;
  let graph: FakeGraph;
  let worker: Worker;
  let bundle: WorkflowBundle;
  let input: OrderInput;
  const taskQueue = `orders-ts-${randomBytes(4).toString('hex')}`;

  before(async () => {
    env = await startTimeSkippingServer();
    db = await createTestDatabase();
    graph = await startFakeGraph();
    const masterKey = randomBytes(32);
    const secrets = createSecretBox(masterKey);
    const vault = new SubjectVault(db.pool, new LocalKms([masterKey]));
    const number = phoneNumberId();
    const { clientId } = await provisionClient(
      { db: db.pool, secrets },
      {
        name: 'Deadline Shop',
        phoneNumberIds: [number],
        graphAccessToken: 'EAAG-test-token',
        settings: clientSettingsSchema.parse({
          orders: { paymentDeadlineHours: 2, paymentInstructions: 'Pay by bank transfer.' },
          retention: { orderRecordDays: 3 },
        }),
      },
    );
    await putRateTable(db.pool, clientId, RATES);
    input = orderInput({
      clientId,
      phoneNumberId: number,
      orderId: 'EXP-1',
      subjectHash: randomBytes(32).toString('hex'),
    });
    const subject = { clientId, subjectHash: input.subjectHash };
    await upsertContact(db.pool, {
      ...subject,
      recipientEnc: await vault.seal(subject, 'contact.recipient', '351910000301'),
      nameEnc: null,
      inboundAt: new Date(),
    });
    bundle = await bundleWorkflows();
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities(
        testActivityDeps({ db: db.pool, temporal: env.client, graphUrl: graph.url, masterKey }, { vault }),
      ),
    });
  });
  after(async () => {
    await graph?.close();
    await db?.drop();
    await env?.teardown();
  });

  const modeOf = async (handle: WorkflowHandle) =>
    (await handle.describe()).typedSearchAttributes.get(modeAttribute);

  it('when the payment deadline passes unpaid, then the order is cancelled (AuraMode too) and the customer told; after retention the record is purged and the history replays', async () => {
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('orderWorkflow', {
        workflowId: orderWorkflowId(input.clientId, input.orderId),
        taskQueue,
        args: [input],
      });
      const open = await eventually(async () => {
        const v = await handle.query(getOrderQuery);
        return v.status === 'awaiting_payment' && v;
      });
      assert.equal(Date.parse(open.paymentDeadline!) - Date.parse(open.createdAt), 2 * 3_600_000);
      await eventually(async () => (await modeOf(handle)) === 'awaiting_payment');

      await env.sleep('121 minutes');
      const expired = await eventually(async () => {
        const v = await handle.query(getOrderQuery);
        return v.status === 'cancelled' && v;
      });
      assert.equal(expired.cancelReason, 'payment_expired');
      await eventually(async () => (await modeOf(handle)) === 'cancelled');
      const log = await eventually(async () => {
        const n = await listOrderNotifications(db.pool, input.clientId, input.orderId);
        return n.length === 2 && n;
      });
      assert.deepEqual(
        log.map((n) => [n.event, n.status]),
        [
          ['order_confirmation', 'sent'],
          ['payment_expired', 'sent'],
        ],
      );
      assert.match(JSON.stringify(graph.sent.at(-1)!.body), /did not receive payment for order EXP-1/);
      const { rows } = await db.pool.query('SELECT status FROM orders WHERE order_id = $1', [input.orderId]);
      assert.equal(rows[0].status, 'cancelled');

      await handle.result();
      const purged = await db.pool.query('SELECT 1 FROM orders WHERE order_id = $1', [input.orderId]);
      assert.equal(purged.rowCount, 0, 'the record is gone after orderRecordDays');
      const last = await handle.query(getOrderQuery);
      assert.deepEqual([last.purged, last.items, last.customer], [true, [], {}]);
      await Worker.runReplayHistory({ workflowBundle: bundle }, await handle.fetchHistory());
    });
  });
});
