import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '../support/env';
import {
  customerSays,
  deliveriesOf,
  EVENTS_ENV,
  Receiver,
  registerEndpoint,
  verify,
} from '../support/events';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, waitUntil } from '../support/whatsapp';
import { call, orderBody, putRates, seedContact, subjectHashOf } from '../orders/support';

const register = (stack: Stack, apiKey: string, url: string, events: string[]) =>
  registerEndpoint(stack.apiUrl, apiKey, url, events);

const says = (stack: Stack, phoneNumberId: string, waId: string, ...texts: string[]) =>
  customerSays({ apiUrl: stack.apiUrl, phoneNumberId }, waId, ...texts);

describe('signed outbound events, end to end', () => {
  let stack: Stack;
  let shop: { clientId: string; apiKey: string; phoneNumberId: string };
  const receiver = new Receiver();

  before(async () => {
    stack = await startStack({ env: EVENTS_ENV, deps: { webhooks: { retryWindowMs: 10 * 60_000 } } });
    shop = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    await putRates(stack, shop.apiKey);
    await receiver.up();
  });
  after(async () => {
    await receiver.down();
    await stack?.close();
  });

  it('when a handoff, an opt-out and an order change happen, then each delivers one signed event the documented check verifies, with no personal data', async () => {
    const { secret } = await register(stack, shop.apiKey, receiver.url, [
      'conversation.queued',
      'contact.opted_out',
      'order.status_changed',
    ]);
    const waId = '5511955550101';
    await says(stack, shop.phoneNumberId, waId, 'I want to talk to a human');
    await waitUntil(async () => receiver.ofType('conversation.queued').length === 1, 20_000, 'queued');
    await says(stack, shop.phoneNumberId, waId, 'STOP');
    await waitUntil(async () => receiver.ofType('contact.opted_out').length === 1, 20_000, 'opted out');
    const buyer = '351910000777';
    await seedContact(stack, shop.clientId, buyer);
    const body = orderBody(`+${buyer}`);
    assert.equal((await call(stack, shop.apiKey, 'POST', '/v1/orders', body)).status, 201);
    const paid = await call(stack, shop.apiKey, 'POST', `/v1/orders/${body.orderId}/payment`, {
      status: 'paid',
      reference: 'psp-9',
    });
    assert.equal(paid.status, 200);
    const orderEvents = () => receiver.ofType('order.status_changed');
    await waitUntil(async () => orderEvents().some((r) => r.event.data.status === 'paid'), 20_000, 'paid');
    await new Promise((r) => setTimeout(r, 1500)); // anything doubled would arrive by now

    const subject = subjectHashOf(stack, shop.clientId, waId);
    const [queued] = receiver.ofType('conversation.queued');
    const [optedOut] = receiver.ofType('contact.opted_out');
    assert.equal(receiver.ofType('conversation.queued').length, 1);
    assert.equal(receiver.ofType('contact.opted_out').length, 1);
    assert.equal(queued!.event.data.subject, subject);
    assert.equal(optedOut!.event.data.subject, subject);
    const statuses = orderEvents().map((r) => r.event.data.status);
    assert.equal(new Set(statuses).size, statuses.length, `one event per status: ${statuses.join(', ')}`);
    assert.equal(statuses.at(-1), 'paid');
    assert.ok(orderEvents().every((r) => r.event.data.orderId === body.orderId));
    for (const r of receiver.received) {
      assert.ok(verify(secret, r.body, String(r.headers['x-aura-signature'])), 'signature verifies');
      assert.ok(!verify('whsec_another', r.body, String(r.headers['x-aura-signature'])));
      assert.ok(!verify(secret, r.body.replace('"', ' "'), String(r.headers['x-aura-signature'])));
      assert.equal(r.headers['x-aura-event-id'], r.event.id);
      assert.equal(r.event.clientId, shop.clientId);
      for (const personal of [waId, buyer, 'Marisol', 'Ana Silva', 'human', 'STOP', 'Rua Augusta'])
        assert.ok(!r.body.includes(personal), `${personal} not in ${r.body}`);
    }
    assert.equal(new Set(receiver.received.map((r) => r.event.id)).size, receiver.received.length);
  });

  it('when the receiver is down for a minute and the worker restarts mid-retry, then every event arrives afterwards, in order, none lost or doubled', async (t) => {
    const late = await new Receiver().up();
    await late.down(); // the port is known; nothing listens on it
    t.after(() => late.down()); // once it is up again, or the test process never ends
    const { id } = await register(stack, shop.apiKey, late.url, [
      'contact.opted_out',
      'contact.opted_in',
      'order.status_changed',
    ]);
    const downSince = Date.now();
    const waId = '5511955550202';
    await says(stack, shop.phoneNumberId, waId, 'STOP', 'START', 'STOP', 'START');
    const buyer = '351910000888';
    await seedContact(stack, shop.clientId, buyer);
    const body = orderBody(`+${buyer}`);
    assert.equal((await call(stack, shop.apiKey, 'POST', '/v1/orders', body)).status, 201);
    const pay = { status: 'paid', reference: 'psp-10' };
    assert.equal(
      (await call(stack, shop.apiKey, 'POST', `/v1/orders/${body.orderId}/payment`, pay)).status,
      200,
    );
    const ship = { carrier: 'CTT', trackingNumber: 'RR1PT' };
    assert.equal(
      (await call(stack, shop.apiKey, 'POST', `/v1/orders/${body.orderId}/shipment`, ship)).status,
      200,
    );

    const deliveries = () => deliveriesOf(stack.apiUrl, shop.apiKey, id);
    // Four consent changes and the order's statuses are owed; the oldest is being retried.
    let seen: unknown;
    await waitUntil(
      async () => {
        const list = await deliveries();
        seen = list.map((d) => [d.eventType, d.payload.data.status, d.attempts, d.lastError]);
        return list.length >= 7 && list.at(-1)!.attempts >= 2 && list.at(-1)!.lastError === 'unreachable';
      },
      30_000,
      'deliveries retried',
    ).catch((err: Error) => assert.fail(`${err.message}: ${JSON.stringify(seen)}`));
    await stack.restartWorker();
    await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - downSince))));
    assert.equal(late.received.length, 0);
    await late.up();
    await waitUntil(
      async () => (await deliveries()).every((d) => d.status === 'delivered'),
      90_000,
      'all delivered',
    );
    await new Promise((r) => setTimeout(r, 1500));

    const owed = (await deliveries()).reverse();
    assert.deepEqual(
      late.received.map((r) => r.event.id),
      owed.map((d) => d.eventId),
      'each owed event once, in the order it happened',
    );
    assert.deepEqual(
      late.received.filter((r) => r.event.type.startsWith('contact.')).map((r) => r.event.type),
      ['contact.opted_out', 'contact.opted_in', 'contact.opted_out', 'contact.opted_in'],
    );
    const statuses = late.ofType('order.status_changed').map((r) => r.event.data.status);
    assert.deepEqual(statuses.slice(-2), ['paid', 'shipped']);
    assert.ok(owed[0]!.attempts > 2 && owed[0]!.lastStatus === 200, JSON.stringify(owed[0]));

    // Replayable: a redelivery repeats the event (same id and body), under a new delivery id.
    const again = await call(
      stack,
      shop.apiKey,
      'POST',
      `/v1/webhooks/${id}/deliveries/${owed[0]!.id}/redeliver`,
    );
    assert.equal(again.status, 202, JSON.stringify(again.json));
    await waitUntil(async () => late.received.length === owed.length + 1, 20_000, 'redelivered');
    const repeat = late.received.at(-1)!;
    assert.equal(repeat.event.id, owed[0]!.eventId);
    assert.equal(repeat.body, late.received[0]!.body);
    assert.notEqual(repeat.headers['x-aura-delivery-id'], late.received[0]!.headers['x-aura-delivery-id']);
  });
});

describe('an endpoint that keeps failing', () => {
  let stack: Stack;
  let shop: { clientId: string; apiKey: string; phoneNumberId: string };
  const receiver = new Receiver();

  before(async () => {
    stack = await startStack({ env: EVENTS_ENV, deps: { webhooks: { retryWindowMs: 4000 } } });
    shop = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    await receiver.up();
  });
  after(async () => {
    await receiver.down();
    await stack?.close();
  });

  it('when deliveries fail for the whole retry window, then the endpoint is disabled with an alert, and enabling it lets a redelivery through', async () => {
    receiver.status = 503;
    const { id, secret } = await register(stack, shop.apiKey, receiver.url, ['contact.opted_out']);
    await says(stack, shop.phoneNumberId, '5511955550303', 'STOP');
    const endpoint = await waitUntil(
      async () => {
        const got = await call(stack, shop.apiKey, 'GET', `/v1/webhooks/${id}`);
        return got.json.status === 'disabled' && got.json;
      },
      30_000,
      'disabled',
    );
    assert.equal(endpoint.disabledReason, 'retry_window_passed');
    const metrics = await stack.workerMetrics.registry.getSingleMetricAsString(
      'aura_webhook_endpoints_disabled_total',
    );
    assert.match(metrics, /aura_webhook_endpoints_disabled_total\{[^}]*\} 1\b/);
    const [failed] = (await call(stack, shop.apiKey, 'GET', `/v1/webhooks/${id}/deliveries`)).json.deliveries;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.lastStatus, 503);
    const refused = await call(
      stack,
      shop.apiKey,
      'POST',
      `/v1/webhooks/${id}/deliveries/${failed.id}/redeliver`,
    );
    assert.equal(refused.status, 409);

    receiver.status = 200;
    const enabled = await call(stack, shop.apiKey, 'PATCH', `/v1/webhooks/${id}`, { enabled: true });
    assert.deepEqual(
      [enabled.status, enabled.json.status, enabled.json.disabledReason],
      [200, 'enabled', null],
    );
    const again = await call(
      stack,
      shop.apiKey,
      'POST',
      `/v1/webhooks/${id}/deliveries/${failed.id}/redeliver`,
    );
    assert.equal(again.status, 202);
    await waitUntil(async () => receiver.received.length === 1, 20_000, 'redelivered');
    const [got] = receiver.received;
    assert.equal(got!.event.type, 'contact.opted_out');
    assert.ok(verify(secret, got!.body, String(got!.headers['x-aura-signature'])));
  });
});
