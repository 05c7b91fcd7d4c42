import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { OrderMachine } from '../../workflows/order/state';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';
import { orderInput } from './fixtures';
import { call, eventually, orderBody, putRates, seedContact, subjectHashOf, vaultOf } from './support';
import { testActivityDeps } from '../support/activity-deps';

describe('order activities for the conversation: status lookup, shipping quote, catalogue orders', () => {
  let stack: Stack;
  let shop: { clientId: string; apiKey: string; phoneNumberId: string };
  let other: { clientId: string; apiKey: string; phoneNumberId: string };
  let acts: ReturnType<typeof createActivities>;
  let env: MockActivityEnvironment;
  before(async () => {
    stack = await startStack();
    shop = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: {
        orders: { paymentDeadlineHours: 24, paymentInstructions: 'Pay with MB Way to 910 000 000.' },
      },
    });
    other = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    await putRates(stack, shop.apiKey);
    await putRates(stack, other.apiKey);
    acts = createActivities(
      testActivityDeps(
        {
          db: stack.db.pool,
          temporal: stack.temporal,
          graphUrl: stack.graph.url,
          masterKey: stack.config.masterKey,
        },
        { vault: vaultOf(stack), media: stack.media },
      ),
    );
    env = new MockActivityEnvironment({ taskQueue: stack.config.temporal.taskQueue });
  });
  after(async () => {
    await stack?.close();
  });
  /** Runs an activity in a mock activity context (the SDK's `run` does not infer the result type). */
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    env.run<A, R, typeof fn>(fn, ...args);

  it("when a customer asks for their order, then they get its live status; someone else's or an unknown number gets the same answer", async () => {
    const owner = await seedContact(stack, shop.clientId, '351910000401');
    const stranger = await seedContact(stack, shop.clientId, '351910000402');
    const body = orderBody('351910000401');
    await call(stack, shop.apiKey, 'POST', '/v1/orders', body);
    const ask = (clientId: string, subjectHash: string, orderId: string) =>
      run(acts.lookupOrderStatus, { clientId, subjectHash, orderId });

    const mine = await ask(shop.clientId, owner, `#${body.orderId}`);
    if (!mine.found) return assert.fail('the owner finds their order');
    assert.deepEqual(
      [mine.order.status, mine.order.total, mine.order.currency],
      ['awaiting_payment', 2800, 'EUR'],
    );

    const unknown = await ask(shop.clientId, owner, 'NO-SUCH-1');
    const someoneElses = await ask(shop.clientId, stranger, body.orderId);
    const otherTenant = await ask(other.clientId, owner, body.orderId);
    const garbage = await ask(shop.clientId, owner, '1; DROP TABLE orders; --');
    assert.equal(unknown.found, false);
    for (const answer of [someoneElses, otherTenant, garbage]) assert.deepEqual(answer, unknown);

    await call(stack, shop.apiKey, 'POST', `/v1/orders/${body.orderId}/payment`, {
      status: 'paid',
      reference: 'c-1',
    });
    await call(stack, shop.apiKey, 'POST', `/v1/orders/${body.orderId}/shipment`, {
      carrier: 'DHL',
      trackingNumber: 'JD0001',
    });
    const shipped = await ask(shop.clientId, owner, body.orderId);
    assert.deepEqual(shipped.found && [shipped.order.status, shipped.order.shipment], [
      'shipped',
      { carrier: 'DHL', trackingNumber: 'JD0001' },
    ]);
  });

  it('when the order has no workflow any more, then the database record answers, still only to its customer', async () => {
    const owner = subjectHashOf(stack, shop.clientId, '351910000403');
    const m = new OrderMachine(
      orderInput({ clientId: shop.clientId, orderId: 'OLD-1', subjectHash: owner }),
      '2026-01-01T00:00:00.000Z',
    );
    m.open(300, '2026-01-02T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    m.applyCancel('customer', '2026-01-01T02:00:00.000Z');
    await run(acts.recordOrder, { clientId: shop.clientId, view: m.view() });
    const found = await run(acts.lookupOrderStatus, {
      clientId: shop.clientId,
      subjectHash: owner,
      orderId: 'OLD-1',
    });
    assert.deepEqual(found.found && found.order.status, 'cancelled');
    const notYours = await run(acts.lookupOrderStatus, {
      clientId: shop.clientId,
      subjectHash: 'a'.repeat(64),
      orderId: 'OLD-1',
    });
    assert.equal(notYours.found, false);
  });

  it('when a customer asks for a shipping quote in chat, then the destination is read from the text; outside every zone "we don\'t ship there"', async () => {
    const quote = (destination: string) => run(acts.quoteShipping, { clientId: shop.clientId, destination });
    const island = await quote('How much is shipping to 9500-123 Ponta Delgada, Portugal?');
    assert.deepEqual(island, {
      status: 'quoted',
      place: { country: 'PT', postalCode: '9500-123' },
      cost: 900,
      currency: 'EUR',
      freeShipping: false,
      from: true,
    });
    const france = await quote('do you deliver to France?');
    assert.deepEqual(france, { status: 'not_shipped', place: { country: 'FR' }, reason: 'no_zone' });
    assert.equal((await quote('how much is shipping?')).status, 'unknown_destination');
    // Postal codes without a country are read in the rate table's countries; Madeira's without its dash.
    const madeira = await quote('9000100');
    assert.deepEqual(madeira.status === 'quoted' && [madeira.place, madeira.cost], [
      { country: 'PT', postalCode: '9000-100' },
      900,
    ]);
    assert.deepEqual(await quote('Sevilla'), {
      status: 'quoted',
      place: { country: 'ES', city: 'Sevilla' },
      cost: 700,
      currency: 'EUR',
      freeShipping: false,
      from: true,
    });
  });

  it('when a catalogue order message arrives, then one order is created per message, priced from its items, and the reply has cost and payment instructions', async () => {
    const userId = '351910000404';
    const subjectHash = await seedContact(stack, shop.clientId, userId);
    const message = {
      clientId: shop.clientId,
      subjectHash,
      phoneNumberId: shop.phoneNumberId,
      messageId: 'wamid.CATALOGUE-1',
      items: [
        { productRetailerId: 'SKU-TEE', quantity: 2, itemPrice: 12.5, currency: 'EUR' },
        { productRetailerId: 'SKU-CAP', quantity: 1, itemPrice: '9.99', currency: 'EUR' },
      ],
    };
    const noAddress = await run(acts.createOrderFromCatalogue, message);
    assert.equal(noAddress.status, 'needs_address');

    const address = { lines: ['Rua Nova 5'], city: 'Porto', postalCode: '4000-001', country: 'PT' };
    const created = await run(acts.createOrderFromCatalogue, {
      ...message,
      destination: address,
    });
    if (created.status !== 'created') return assert.fail(`not created: ${created.status}`);
    assert.deepEqual(
      [created.subtotal, created.shippingCost, created.total, created.currency, created.paymentInstructions],
      [3499, 300, 3799, 'EUR', 'Pay with MB Way to 910 000 000.'],
    );

    const again = await run(acts.createOrderFromCatalogue, { ...message, destination: address });
    assert.deepEqual(again, created, 'the same message is the same order');

    const next = await run(acts.createOrderFromCatalogue, {
      ...message,
      messageId: 'wamid.CATALOGUE-2',
    });
    if (next.status !== 'created') return assert.fail('a later order reuses the latest delivery address');
    assert.notEqual(next.orderId, created.orderId);

    const got = await call(stack, shop.apiKey, 'GET', `/v1/orders/${created.orderId}`);
    assert.deepEqual(
      [got.json.source, got.json.customer.userId, got.json.items.length],
      ['catalogue', userId, 2],
    );
    await eventually(
      async () =>
        (await call(stack, shop.apiKey, 'GET', `/v1/orders/${created.orderId}`)).json.status ===
        'awaiting_payment',
    );
    assert.equal(
      stack.graph.sent.filter((m) => m.body.to === userId).length,
      0,
      'the chat reply is the confirmation: no separate order update',
    );
  });
});
