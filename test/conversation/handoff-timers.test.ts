import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { provisionClient } from '../../api/provisioning';
import { setAvailability } from '../../db/agents';
import { insertApiKey } from '../../db/clients';
import { deriveKey, keyedHash } from '../../crypto/keys';
import { createSecretBox } from '../../crypto/secret-box';
import { clientSettingsSchema } from '../../settings/client-settings';
import { startFakeGraph, type FakeGraph } from '../../sandbox/fake-graph';
import { bundleWorkflows } from '../../worker/worker';
import {
  CONVERSATION_WORKFLOW_TYPE,
  conversationRef,
  conversationWorkflowId,
  getConversationQuery,
  inboundMessageSignal,
  type ConversationInput,
  type ConversationMode,
  type InboundMessage,
} from '../../workflows/conversation/contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../support/env';
import { startTimeSkippingServer } from '../support/time-skipping';
import { bodyOf } from './helpers';
import { testActivityDeps } from '../support/activity-deps';

/**
 * Handoff deadlines and idle retention on the time-skipping test server: minutes and days pass in
 * an instant, with the real activities against PostgreSQL and the fake Graph API.
 */
describe('conversation engine: handoff SLA, maximum wait and retention (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let db: TestDatabase;
  let graph: FakeGraph;
  let worker: Worker;
  let running: Promise<void>;
  let clientId: string;
  let awayClient = '';
  const phoneNumberId = '200000000001';
  const hoursNumber = '200000000002';
  const awayNumber = '200000000003';
  const taskQueue = 'handoff-timers';
  const config = testConfig();
  let seq = 0;

  before(async () => {
    env = await startTimeSkippingServer();
    db = await createTestDatabase();
    graph = await startFakeGraph();
    clientId = await provisionHandoffClient('Timers', phoneNumberId, {
      retention: { transcriptDays: 1, mediaDays: 1, orderRecordDays: 1 },
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflows(),
      activities: createActivities(
        testActivityDeps({
          db: db.pool,
          temporal: env.client,
          graphUrl: graph.url,
          masterKey: config.masterKey,
        }),
      ),
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await graph?.close();
    await db?.drop();
  });

  /** A client on `number` whose handoff SLA is 15 minutes and maximum wait 60, with `settings` besides. */
  async function provisionHandoffClient(
    name: string,
    number: string,
    settings: Record<string, unknown> = {},
  ) {
    const provisioned = await provisionClient(
      { db: db.pool, secrets: createSecretBox(config.masterKey) },
      {
        name,
        phoneNumberIds: [number],
        graphAccessToken: 'EAAG-test',
        settings: clientSettingsSchema.parse({
          handoff: { slaMinutes: 15, maxWaitMinutes: 60, agentIdleMinutes: 30, keywords: [] },
          ...settings,
        }),
      },
    );
    return provisioned.clientId;
  }

  function user(waId: string, client = clientId) {
    const subjectHash = keyedHash(deriveKey(config.masterKey, 'blind-index'), client, waId);
    const number = client === clientId ? phoneNumberId : client === awayClient ? awayNumber : hoursNumber;
    const workflowId = conversationWorkflowId(client, number, subjectHash);
    const input: ConversationInput = { clientId: client, phoneNumberId: number, subjectHash };
    const handle = () => env.client.workflow.getHandle(workflowId);
    return {
      ref: conversationRef(number, subjectHash),
      handle,
      send: (m: Partial<InboundMessage>) =>
        env.client.workflow.signalWithStart(CONVERSATION_WORKFLOW_TYPE, {
          workflowId,
          taskQueue,
          args: [input],
          signal: inboundMessageSignal,
          signalArgs: [
            {
              messageId: `m${(seq += 1)}`,
              wamid: `wamid.t${seq}`,
              timestamp: new Date().toISOString(),
              type: 'text',
              sender: { recipient: waId },
              ...m,
            },
          ],
        }),
      sent: () => graph.sent.filter((s) => s.body.to === waId),
      async until(pred: (mode: ConversationMode, sent: number) => boolean) {
        for (let i = 0; i < 200; i++) {
          const v = await handle().query(getConversationQuery);
          if (pred(v.mode, graph.sent.filter((s) => s.body.to === waId).length)) return v;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('condition not reached');
      },
    };
  }

  const queueRows = async (ref: string, client = clientId) =>
    (
      await db.pool.query(
        'SELECT status, priority FROM handoff_queue WHERE client_id = $1 AND ref = $2 ORDER BY id',
        [client, ref],
      )
    ).rows;

  it('when nobody accepts within the SLA, then the user is told and the request escalates; after the maximum wait a callback is offered and the bot resumes', async () => {
    const u = user('5511955500001');
    await u.send({ text: 'I need a human please' });
    await u.until((mode, sent) => mode === 'queued' && sent === 1);
    assert.deepEqual(await queueRows(u.ref), [{ status: 'waiting', priority: 0 }]);

    await env.sleep('16 minutes');
    const escalated = await u.until((_, sent) => sent === 2);
    assert.equal(escalated.mode, 'queued');
    assert.equal(escalated.queue?.escalated, true);
    assert.match(bodyOf(u.sent()[1]!), /busier than usual/);
    assert.deepEqual(await queueRows(u.ref), [{ status: 'waiting', priority: 1 }]);

    await env.sleep('45 minutes');
    const resumed = await u.until((mode, sent) => mode === 'bot' && sent === 3);
    assert.equal(resumed.queue, null);
    const offer = u.sent()[2]!;
    assert.equal((offer.body.interactive as { type: string }).type, 'button');
    assert.deepEqual(await queueRows(u.ref), [{ status: 'expired', priority: 1 }]);

    await u.send({
      type: 'interactive',
      payload: { type: 'button_reply', button_reply: { id: 'callback:yes', title: 'Yes' } },
    });
    await u.until((_, sent) => sent === 4);
    assert.match(bodyOf(u.sent()[3]!), /noted your request/);
    assert.deepEqual(
      (await queueRows(u.ref)).map((r) => r.status),
      ['expired', 'callback'],
    );
  });

  it('when every agent of the client is away at the SLA, then the customer is offered a callback at once; with one available, the request escalates as usual', async () => {
    awayClient = await provisionHandoffClient('Away', awayNumber);
    for (const id of ['away-a', 'away-b']) {
      await insertApiKey(db.pool, awayClient, { id, hash: `hash-${id}`, scopes: ['agent'] });
      await setAvailability(db.pool, awayClient, id, 'away');
    }
    const u = user('5511955500005', awayClient);
    await u.send({ text: 'I need a human please' });
    await u.until((mode, sent) => mode === 'queued' && sent === 1);
    await env.sleep('16 minutes');
    const offered = await u.until((mode, sent) => mode === 'bot' && sent === 2);
    assert.equal(offered.queue, null);
    assert.equal((u.sent()[1]!.body.interactive as { type: string }).type, 'button');
    assert.match(bodyOf(u.sent()[1]!), /contact you later/);
    assert.deepEqual(await queueRows(u.ref, awayClient), [{ status: 'expired', priority: 0 }]);

    await setAvailability(db.pool, awayClient, 'away-b', 'available');
    const v = user('5511955500006', awayClient);
    await v.send({ text: 'I need a human please' });
    await v.until((mode, sent) => mode === 'queued' && sent === 1);
    await env.sleep('16 minutes');
    const escalated = await v.until((_, sent) => sent === 2);
    assert.equal(escalated.mode, 'queued');
    assert.match(bodyOf(v.sent()[1]!), /busier than usual/);
  });

  it('when a handoff comes outside business hours, then the away reply names when the team is back, it stays queued, and the SLA counts open time only', async () => {
    // The team opens every day three hours from now (test-server time), for two hours.
    const now = await env.currentTimeMs();
    const opens = new Date(now);
    opens.setUTCHours(opens.getUTCHours() + 3, 0, 0, 0);
    const hh = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:00`;
    const closes = new Date(opens.getTime() + 2 * 3_600_000);
    const window = [
      { from: hh(opens), to: closes.getUTCHours() < opens.getUTCHours() ? '24:00' : hh(closes) },
    ];
    const hoursClient = await provisionHandoffClient('Hours', hoursNumber, {
      language: 'pt',
      businessHours: {
        timezone: 'UTC',
        weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, window])),
      },
    });
    const u = user('5511955500003', hoursClient);
    await u.send({ text: 'quero falar com uma pessoa' });
    const queued = await u.until((mode, sent) => mode === 'queued' && sent === 1);
    assert.equal(queued.queue?.slaDeadline, new Date(opens.getTime() + 15 * 60_000).toISOString());
    const away = bodyOf(u.sent()[0]!);
    assert.match(away, /não está disponível agora e volta/);
    assert.ok(away.includes(hh(opens)), `the away reply names the opening time: ${away}`);

    // Closed hours pass (far more than the 15-minute SLA): nothing is sent, the request keeps its place.
    await env.sleep(opens.getTime() - now + 14 * 60_000);
    assert.equal(u.sent().length, 1);
    assert.equal((await u.handle().query(getConversationQuery)).mode, 'queued');
    assert.deepEqual(await queueRows(u.ref, hoursClient), [{ status: 'waiting', priority: 0 }]);

    // Fifteen open minutes after opening, the SLA notice comes, in the customer's language.
    await env.sleep('2 minutes');
    await u.until((_, sent) => sent === 2);
    assert.match(bodyOf(u.sent()[1]!), /Desculpe a demora/);
    assert.deepEqual(await queueRows(u.ref, hoursClient), [{ status: 'waiting', priority: 1 }]);
  });

  it('when the conversation stays idle for the retention period, then the workflow completes', async () => {
    const u = user('5511955500002');
    await u.send({ text: 'hello' });
    await u.until((_, sent) => sent === 1);
    await env.sleep('25 hours');
    await u.handle().result();
    const desc = await u.handle().describe();
    assert.equal(desc.status.name, 'COMPLETED');
  });
});
