import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brokenWorkflows } from '../../chaos/measure';
import { provisionClient } from '../../sandbox/provision';
import { chaosHarness } from '../support/chaos';
import {
  customerSays,
  type Delivery,
  deliveriesOf,
  EVENTS_ENV,
  Receiver,
  registerEndpoint,
  verify,
} from '../support/events';
import { waitUntil } from '../support/whatsapp';

/** What one customer's messages cause, in the order they happen (docs/events.md). */
const MESSAGES = ['I want to talk to a human', 'STOP', 'START', 'STOP', 'START'];
const EVENTS = [
  'conversation.queued',
  'contact.opted_out',
  'contact.opted_in',
  'contact.opted_out',
  'contact.opted_in',
];

describe('chaos: the worker killed while event deliveries are retried', () => {
  const run = chaosHarness({ env: EVENTS_ENV });

  it('when the worker process is killed with SIGKILL mid-retry and started again, then every event arrives once, in order, signed, and none is failed', async (t) => {
    const { h } = run;
    const shop = await provisionClient(h.apiUrl, h.adminToken, { name: 'Events Shop' });
    const receiver = await new Receiver().up();
    await receiver.down(); // the port is known; nothing listens on it
    t.after(() => receiver.down());
    const { id, secret } = await registerEndpoint(h.apiUrl, shop.apiKey, receiver.url, [...new Set(EVENTS)]);
    const to = { apiUrl: h.apiUrl, phoneNumberId: shop.phoneNumberId, appSecret: h.appSecret };
    await customerSays(to, '5511955550404', ...MESSAGES);

    const deliveries = () => deliveriesOf(h.apiUrl, shop.apiKey, id);
    const oldest = async () => (await deliveries()).at(-1);
    let seen: unknown;
    const retried = async (more: number) => {
      const list = await deliveries();
      seen = list.map((d) => [d.eventType, d.status, d.attempts, d.lastError]);
      const first = list.at(-1);
      return list.length === EVENTS.length && first!.attempts >= more && first!.lastError === 'unreachable';
    };
    const explain = (err: Error) =>
      assert.fail(`${err.message}: ${JSON.stringify(seen)}\n${h.worker.tail(10)}`);
    await waitUntil(() => retried(2), 30_000, 'the oldest delivery retried').catch(explain);
    const attemptsAtKill = (await oldest())!.attempts;
    await h.worker.kill9();
    await h.startWorker();
    // The new worker takes up the server's retry schedule: another attempt fails while still down.
    await waitUntil(() => retried(attemptsAtKill + 1), 60_000, 'a retry after the restart').catch(explain);
    assert.equal(receiver.received.length, 0);
    await receiver.up();
    const settled = (list: Delivery[]) =>
      list.every((d) => d.status === 'delivered') || list.some((d) => d.status === 'failed');
    await waitUntil(async () => settled(await deliveries()), 60_000, 'all delivered').catch(explain);
    await new Promise((r) => setTimeout(r, 1500)); // anything doubled would arrive by now

    const owed = (await deliveries()).reverse();
    assert.deepEqual(
      owed.map((d) => [d.eventType, d.status]),
      EVENTS.map((type) => [type, 'delivered']),
      'one delivery per event, none failed',
    );
    assert.deepEqual(
      receiver.received.map((r) => r.event.id),
      owed.map((d) => d.eventId),
      'each event once, in the order it happened',
    );
    assert.deepEqual(
      receiver.received.map((r) => r.event.type),
      EVENTS,
    );
    assert.equal(new Set(receiver.received.map((r) => r.event.data.subject)).size, 1, 'one subject');
    for (const r of receiver.received) {
      assert.ok(verify(secret, r.body, String(r.headers['x-aura-signature'])), 'signature verifies');
      assert.equal(r.headers['x-aura-event-id'], r.event.id);
      assert.equal(r.event.clientId, shop.clientId);
    }
    assert.ok(owed[0]!.attempts > attemptsAtKill + 1 && owed[0]!.lastStatus === 200, JSON.stringify(owed[0]));
    assert.deepEqual(h.crashes, [], 'only the kill the test made');
    assert.equal(await brokenWorkflows(h), 0);
  });
});
