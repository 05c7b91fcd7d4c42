import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createSecretBox } from '../../crypto/secret-box';
import { createLogger } from '../../logging';
import { createMetrics, type Metrics } from '../../metrics';
import { orderWorkflowId } from '../../workflows/order/contract';
import { endUser, type TestClient } from '../conversation/helpers';
import { call, orderBody, putRates } from '../orders/support';
import { ALL_READY } from '../support/api';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { sample } from '../support/prometheus';
import { startStack, type Stack } from '../support/stack';
import { postWebhook, provisionTestClient, waitUntil } from '../support/whatsapp';

const scrape = async (m: Metrics) => m.registry.metrics();

describe('operations: metrics and insights follow what the system does', () => {
  let stack: Stack;
  let client: TestClient;
  let agent: { apiKey: string; keyId: string };
  const logs: string[] = [];

  before(async () => {
    stack = await startStack({ statusWebhooks: true, log: createLogger('debug', {}, (l) => logs.push(l)) });
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const res = await call(stack, TEST_ADMIN_TOKEN, 'POST', `/admin/v1/clients/${client.clientId}/keys`, {
      scopes: ['agent', 'settings', 'orders:write', 'orders:read'],
    });
    assert.equal(res.status, 201);
    agent = res.json as { apiKey: string; keyId: string };
    await putRates(stack, agent.apiKey);
  });
  after(async () => {
    await stack?.close();
  });

  it('when a user chats, is handed to an agent who answers and resolves, and gets an order notification, then /metrics and /v1/insights count it', async () => {
    const waId = '351910007001';
    const u = endUser(stack, client, waId);
    await u.says('hello');
    await u.waitForHandled(1);
    await u.says('I want to talk to a human');
    await u.waitForMode('queued');
    // The workflow turns queued before its activity writes the queue row the gauge counts.
    await waitUntil(
      async () =>
        sample(await (await fetch(`${stack.apiUrl}/metrics`)).text(), 'aura_handoff_queue_depth') === 1,
    );

    assert.equal((await call(stack, agent.apiKey, 'POST', `/v1/conversations/${u.ref}/assign`)).status, 200);
    const reply = await call(stack, agent.apiKey, 'POST', `/v1/conversations/${u.ref}/messages`, {
      text: 'Hi, how can I help?',
    });
    assert.equal(reply.status, 201);
    assert.equal((await call(stack, agent.apiKey, 'POST', `/v1/conversations/${u.ref}/resolve`)).status, 200);
    await u.waitForMode('bot');

    const order = await call(stack, agent.apiKey, 'POST', '/v1/orders', orderBody(waId));
    assert.equal(order.status, 201);
    const orderId = order.json.orderId as string;
    await waitUntil(async () => {
      const o = await call(stack, agent.apiKey, 'GET', `/v1/orders/${orderId}`);
      return o.json.notifications?.some((n: { status: string }) => n.status === 'sent');
    });

    const insights = await waitUntil(async () => {
      const r = await call(stack, agent.apiKey, 'GET', '/v1/insights');
      return r.json.notifications.read === 1 && r.json.handoff.requested === 1 ? r.json : undefined;
    });
    assert.equal(insights.conversations, 1);
    assert.equal(insights.messages.in, 2);
    assert.equal(insights.messages.byType.text.in, 2);
    assert.ok(insights.messages.out >= 4, `messages out: ${insights.messages.out}`);
    assert.equal(insights.intents.human_agent, 1);
    assert.equal(insights.intents.greeting, 1);
    assert.equal(insights.noMatchRate, 0);
    assert.deepEqual(insights.handoff.reasons, { intent: 1 });
    assert.equal(insights.handoff.rate, 1);
    assert.equal(typeof insights.timeToFirstAgentResponseMs.p50, 'number');
    assert.equal(typeof insights.resolutionTimeMs.p50, 'number');
    assert.deepEqual(insights.notifications, {
      sent: 1,
      delivered: 1,
      read: 1,
      deliveryRate: 1,
      readRate: 1,
    });

    const api = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    assert.ok(sample(api, 'aura_webhook_requests_total', { outcome: 'accepted' }) >= 2);
    assert.ok(sample(api, 'aura_webhook_duration_seconds_count', { outcome: 'accepted' }) >= 2);
    assert.equal(sample(api, 'aura_handoff_queue_depth'), 0);
    const worker = await scrape(stack.workerMetrics);
    assert.equal(sample(worker, 'aura_messages_in_total', { type: 'text' }), 2);
    assert.equal(sample(worker, 'aura_messages_out_total', { outcome: 'sent' }), insights.messages.out);
    assert.equal(sample(worker, 'aura_nlu_duration_seconds_count', { engine: 'builtin' }), 2);
    assert.equal(sample(worker, 'aura_handoff_wait_seconds_count', { outcome: 'accepted' }), 1);
  });

  it('when a user sends STOP and then START, then opt-outs and opt-ins are counted once each', async () => {
    const u = endUser(stack, client, '351910007002');
    await u.says('STOP');
    await u.waitForMode('opted_out');
    await u.says('START');
    await u.waitForMode('bot');
    const worker = await scrape(stack.workerMetrics);
    assert.equal(sample(worker, 'aura_opt_outs_total', { event: 'opt_out' }), 1);
    assert.equal(sample(worker, 'aura_opt_outs_total', { event: 'opt_in' }), 1);
    const r = await call(stack, agent.apiKey, 'GET', '/v1/insights');
    assert.equal(r.json.optOuts, 1);
    assert.equal(r.json.optIns, 1);
  });

  it('when webhook deliveries are unsigned or malformed, then each outcome is counted on the API', async () => {
    const bad = await fetch(`${stack.apiUrl}/webhooks/whatsapp`, { method: 'POST', body: '{}' });
    assert.equal(bad.status, 401);
    const notJson = await postWebhook(stack.apiUrl, 'not json');
    assert.equal(notJson.status, 400);
    const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    assert.ok(sample(text, 'aura_webhook_requests_total', { outcome: 'unauthorized' }) >= 1);
    assert.ok(sample(text, 'aura_webhook_requests_total', { outcome: 'bad_request' }) >= 1);
  });

  it('when operators filter by AuraClientId and AuraMode, then exactly the queued conversation is listed with its memo, and orders carry their memo', async () => {
    const queued = endUser(stack, client, '351910007003');
    const chatting = endUser(stack, client, '351910007004');
    await chatting.says('hello');
    await queued.says('I want to talk to a human');
    await queued.waitForMode('queued');
    await chatting.waitForHandled(1);
    const query = `AuraClientId = '${client.clientId}' AND AuraMode = 'queued'`;
    const listed = await waitUntil(async () => {
      const found = [];
      for await (const wf of stack.temporal.workflow.list({ query })) found.push(wf);
      return found.length === 1 ? found : undefined;
    });
    assert.equal(listed[0]!.workflowId, queued.workflowId);
    assert.deepEqual(listed[0]!.memo, {
      kind: 'conversation',
      clientId: client.clientId,
      phoneNumberId: client.phoneNumberId,
    });

    const order = await call(stack, agent.apiKey, 'POST', '/v1/orders', orderBody('351910007003'));
    assert.equal(order.status, 201);
    const desc = await waitUntil(async () => {
      const d = await stack.temporal.workflow
        .getHandle(orderWorkflowId(client.clientId, order.json.orderId))
        .describe();
      return d.memo ? d : undefined;
    });
    assert.deepEqual(desc.memo, { kind: 'order', clientId: client.clientId, orderId: order.json.orderId });
    // Its confirmation goes out on its own; let it, so a later test's injected Graph error meets its own call.
    await waitUntil(
      async () =>
        (await call(stack, agent.apiKey, 'GET', `/v1/orders/${order.json.orderId}`)).json.notifications
          .length > 0,
    );
  });

  it('when the media store cannot take files, then /readyz answers 503 naming it and the other dependencies ok', async () => {
    const brokenMedia = {
      write: () => Promise.reject(new Error('read-only')),
      read: () => Promise.resolve(undefined),
      get: () => Promise.resolve(undefined),
      delete: () => Promise.resolve(),
      check: () => Promise.reject(new Error('EACCES')),
    };
    const app = createApp({
      config: stack.config,
      db: stack.db.pool,
      temporal: stack.temporal,
      secrets: createSecretBox(stack.config.masterKey),
      keys: stack.keys,
      vault: stack.vault,
      log: createLogger('silent'),
      metrics: createMetrics('api'),
      media: brokenMedia,
    });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), {
        status: 'unavailable',
        checks: { ...ALL_READY, mediaStore: 'down' },
        down: ['mediaStore'],
      });
      const healthy = await fetch(`${stack.apiUrl}/readyz`);
      assert.equal(healthy.status, 200);
      assert.deepEqual(((await healthy.json()) as { checks: unknown }).checks, ALL_READY);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('when the API answers and an activity logs, then every line is JSON carrying the request id and client id, or the workflow id and activity type', async () => {
    const u = endUser(stack, client, '351910007099');
    // A Graph error operators must see: the next call to the messages endpoint (the read receipt,
    // part of the turn's first local activity) is answered with it, and the activity logs an alert.
    stack.graph.failNext(131048);
    await u.says('hello');
    await waitUntil(async () => logs.some((l) => l.includes('"msg":"graph alert"')));
    assert.equal((await call(stack, agent.apiKey, 'GET', '/v1/settings')).status, 200);
    await waitUntil(async () => logs.some((l) => l.includes('"route":"/v1/settings"')));

    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === 'request');
    assert.ok(requests.length > 0);
    for (const l of requests) assert.equal(typeof l.requestId, 'string', JSON.stringify(l));
    const keyed = requests.filter((l) => String(l.route).startsWith('/v1/') && l.status === 200);
    assert.ok(keyed.some((l) => l.clientId === client.clientId));
    for (const l of keyed) assert.match(String(l.clientId), /^cl_/, JSON.stringify(l));
    const fromActivities = lines.filter((l) => l.activityType !== undefined);
    for (const l of fromActivities) assert.match(String(l.workflowId), /\S/, JSON.stringify(l));
    const alert = fromActivities.find((l) => l.msg === 'graph alert');
    assert.equal(alert?.workflowId, u.workflowId);
    assert.equal(alert?.activityType, 'openTurn'); // the read receipt is part of the turn's first step
    assert.equal(alert?.clientId, client.clientId);
  });
});
