import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientIdAttribute, modeAttribute, subjectAttribute } from '../../temporal/search-attributes';
import { orderWorkflowId } from '../../workflows/order/contract';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';
import { call, eventually, orderBody, putRates, seedContact } from './support';

const TEMPLATES = {
  order_confirmation: { name: 'order_confirmation', language: 'en' },
  payment_received: { name: 'payment_received', language: 'en' },
  order_shipped: { name: 'order_shipped', language: 'en' },
  order_delivered: { name: 'order_delivered', language: 'en' },
};

describe('orders over the API on real Temporal', () => {
  let stack: Stack;
  let shop: { clientId: string; apiKey: string; phoneNumberId: string };
  before(async () => {
    stack = await startStack();
    shop = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { settings: { templates: TEMPLATES } });
    await putRates(stack, shop.apiKey);
  });
  after(async () => {
    await stack?.close();
  });

  const sentTo = (to: string) => stack.graph.sent.filter((m) => m.body.to === to);
  const notifications = async (orderId: string) =>
    (await call(stack, shop.apiKey, 'GET', `/v1/orders/${orderId}`)).json.notifications as {
      event: string;
      status: string;
      reason: string | null;
      via: string | null;
    }[];

  it('when an order goes created → paid → shipped → delivered, then each step answers, is recorded and told to the customer', async () => {
    const userId = '351910000101';
    await seedContact(stack, shop.clientId, userId);
    const body = orderBody(`+${userId}`);
    const created = await call(stack, shop.apiKey, 'POST', '/v1/orders', body);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.deepEqual(
      [
        created.json.status,
        created.json.subtotal,
        created.json.shippingCost,
        created.json.total,
        created.json.currency,
      ],
      ['awaiting_payment', 2500, 300, 2800, 'EUR'],
    );
    const id = body.orderId;
    const paid = await call(stack, shop.apiKey, 'POST', `/v1/orders/${id}/payment`, {
      status: 'paid',
      reference: 'psp-1',
    });
    assert.equal(paid.status, 200);
    assert.equal(paid.json.status, 'paid');
    const shipment = {
      carrier: 'CTT',
      trackingNumber: 'RR123456789PT',
      trackingUrl: 'https://ctt.example/RR123456789PT',
    };
    const shipped = await call(stack, shop.apiKey, 'POST', `/v1/orders/${id}/shipment`, shipment);
    assert.deepEqual(
      [shipped.status, shipped.json.status, shipped.json.shipment],
      [200, 'shipped', shipment],
    );
    const delivered = await call(stack, shop.apiKey, 'POST', `/v1/orders/${id}/delivered`, {});
    assert.deepEqual([delivered.status, delivered.json.status], [200, 'delivered']);

    const got = await call(stack, shop.apiKey, 'GET', `/v1/orders/${id}`);
    assert.equal(got.json.status, 'delivered');
    assert.equal(got.json.deliveryAddress.city, 'Lisboa');
    assert.equal(got.json.subjectHash, undefined, 'internal hashes stay inside');
    const texts = await stack.graph.waitFor(() => sentTo(userId).length === 4);
    assert.deepEqual(
      texts.filter((m) => m.body.to === userId).map((m) => m.body.type),
      ['text', 'text', 'text', 'text'],
    );
    assert.match(JSON.stringify(sentTo(userId)[2]!.body), /RR123456789PT/);
    const log = await eventually(async () => {
      const n = await notifications(id);
      return n.length === 4 && n;
    });
    assert.deepEqual(
      log.map((n) => [n.event, n.status, n.via]),
      [
        ['order_confirmation', 'sent', 'text'],
        ['payment_received', 'sent', 'text'],
        ['order_shipped', 'sent', 'text'],
        ['order_delivered', 'sent', 'text'],
      ],
    );
    const { rows } = await stack.db.pool.query(
      'SELECT * FROM orders WHERE client_id = $1 AND order_id = $2',
      [shop.clientId, id],
    );
    assert.equal(rows[0].status, 'delivered');
    const clear = JSON.stringify(rows[0]);
    for (const pii of ['Ana', 'Augusta', userId, 'RR123456789PT', 'Mug'])
      assert.ok(!clear.includes(pii), `${pii} is sealed`);
  });

  it('when the same order is posted again, then 200 with the same order; with other content, then 409', async () => {
    const body = orderBody('351910000102');
    assert.equal((await call(stack, shop.apiKey, 'POST', '/v1/orders', body)).status, 201);
    const again = await Promise.all(
      [1, 2, 3].map(() => call(stack, shop.apiKey, 'POST', '/v1/orders', body)),
    );
    assert.deepEqual(
      again.map((r) => [r.status, r.json.total]),
      [
        [200, 2800],
        [200, 2800],
        [200, 2800],
      ],
    );
    const other = await call(stack, shop.apiKey, 'POST', '/v1/orders', {
      ...body,
      currency: 'EUR',
      items: [{ ...body.items[0], quantity: 3 }],
    });
    assert.equal(other.status, 409);
    assert.match(other.json.error.message, /different content/);
  });

  it('when the same payment reference is posted twice, then the second answers the same order and records nothing new', async () => {
    const body = orderBody('351910000103');
    await call(stack, shop.apiKey, 'POST', '/v1/orders', body);
    const pay = () =>
      call(stack, shop.apiKey, 'POST', `/v1/orders/${body.orderId}/payment`, {
        status: 'paid',
        reference: 'psp-dup',
      });
    const [a, b] = [await pay(), await pay()];
    assert.deepEqual([a.status, b.status], [200, 200]);
    assert.equal(b.json.payments.length, 1);
    const other = await call(stack, shop.apiKey, 'POST', `/v1/orders/${body.orderId}/payment`, {
      status: 'paid',
      reference: 'psp-2',
    });
    assert.deepEqual([other.status, other.json.error.message], [409, 'order is already paid']);
  });

  it('when a transition is impossible, then 409 names the reason and the order is unchanged', async () => {
    const body = orderBody('351910000104');
    await call(stack, shop.apiKey, 'POST', '/v1/orders', body);
    const id = body.orderId;
    const post = (path: string, b: unknown = {}) =>
      call(stack, shop.apiKey, 'POST', `/v1/orders/${id}/${path}`, b);
    const ship = { carrier: 'CTT', trackingNumber: 'X1' };
    assert.deepEqual(
      Object.values(await post('shipment', ship)).map((v) => v.error?.message ?? v),
      [409, 'order is not paid yet'],
    );
    assert.equal((await post('delivered')).json.error.message, 'order has not shipped yet');
    assert.equal(
      (await post('payment', { status: 'refunded', reference: 'r1' })).json.error.message,
      'order is awaiting payment: it cannot be refunded',
    );
    assert.equal((await post('cancel', { reason: 'out_of_stock' })).json.status, 'cancelled');
    assert.equal(
      (await post('payment', { status: 'paid', reference: 'p1' })).json.error.message,
      'order is cancelled: it cannot take payments',
    );
    assert.equal((await post('shipment', ship)).json.error.code, 'transition_refused');
    const got = await call(stack, shop.apiKey, 'GET', `/v1/orders/${id}`);
    assert.deepEqual(
      [got.json.status, got.json.cancelReason, got.json.payments, got.json.shipment],
      ['cancelled', 'out_of_stock', [], null],
    );

    const paidBody = orderBody('351910000104');
    await call(stack, shop.apiKey, 'POST', '/v1/orders', paidBody);
    await call(stack, shop.apiKey, 'POST', `/v1/orders/${paidBody.orderId}/payment`, {
      status: 'paid',
      reference: 'p2',
    });
    const cancel = await call(stack, shop.apiKey, 'POST', `/v1/orders/${paidBody.orderId}/cancel`, {});
    assert.deepEqual(
      [cancel.status, cancel.json.error.message],
      [409, 'order is paid: refund it instead of cancelling'],
    );
    const refund = await call(stack, shop.apiKey, 'POST', `/v1/orders/${paidBody.orderId}/payment`, {
      status: 'refunded',
      reference: 'r2',
    });
    assert.deepEqual([refund.status, refund.json.status], [200, 'refunded']);
  });

  it('when the window is closed, then updates go out as templates with the order details; opted-out and unknown customers get nothing', async () => {
    const closed = '351910000105';
    await seedContact(stack, shop.clientId, closed, { lastInboundAt: new Date(Date.now() - 25 * 3_600_000) });
    const a = orderBody(closed);
    await call(stack, shop.apiKey, 'POST', '/v1/orders', a);
    const [template] = await stack.graph.waitFor(() => sentTo(closed).length === 1);
    const sent = sentTo(closed)[0] ?? template!;
    assert.equal(sent.body.type, 'template');
    const t = sent.body.template as { name: string; components: { parameters: { text: string }[] }[] };
    assert.equal(t.name, 'order_confirmation');
    assert.deepEqual(
      t.components[0]!.parameters.slice(0, 2).map((p) => p.text),
      [a.orderId, '€28.00'],
    );
    // No template for cancellations configured: outside the window it is refused, not sent as text.
    await call(stack, shop.apiKey, 'POST', `/v1/orders/${a.orderId}/cancel`, {});

    const optedOut = '351910000106';
    await seedContact(stack, shop.clientId, optedOut, { optedOut: true });
    const b = orderBody(optedOut);
    await call(stack, shop.apiKey, 'POST', '/v1/orders', b);
    const stranger = orderBody('351910000107');
    await call(stack, shop.apiKey, 'POST', '/v1/orders', stranger);

    const outcome = async (id: string) =>
      eventually(async () =>
        (await notifications(id)).map((n) => `${n.event} ${n.status} ${n.via ?? n.reason}`).join(' '),
      );
    assert.equal(
      await eventually(async () => (await notifications(a.orderId)).length === 2 && outcome(a.orderId)),
      'order_confirmation sent template order_cancelled refused window_closed',
    );
    assert.equal(await outcome(b.orderId), 'order_confirmation refused opted_out');
    assert.equal(await outcome(stranger.orderId), 'order_confirmation refused no_contact');
    assert.equal(sentTo(optedOut).length + sentTo('351910000107').length, 0);
    assert.equal(sentTo(closed).length, 1);
  });

  it('when an order is created and paid, then its workflow carries the client and subject search attributes (no PII) and AuraMode follows its status', async () => {
    const body = orderBody('351910000108');
    await call(stack, shop.apiKey, 'POST', '/v1/orders', body);
    const handle = stack.temporal.workflow.getHandle(orderWorkflowId(shop.clientId, body.orderId));
    const described = await handle.describe();
    assert.equal(described.typedSearchAttributes.get(clientIdAttribute), shop.clientId);
    assert.match(described.typedSearchAttributes.get(subjectAttribute) ?? '', /^[0-9a-f]{64}$/);
    // Other tests' orders of this shop wait for payment too: the list is narrowed to this workflow.
    const listed = async (mode: string) => {
      const ids: string[] = [];
      const query = `WorkflowId = '${handle.workflowId}' AND AuraClientId = '${shop.clientId}' AND AuraMode = '${mode}'`;
      for await (const wf of stack.temporal.workflow.list({ query })) ids.push(wf.workflowId);
      return ids.length > 0 && ids;
    };
    assert.deepEqual(await eventually(() => listed('awaiting_payment')), [handle.workflowId]);

    const paid = await call(stack, shop.apiKey, 'POST', `/v1/orders/${body.orderId}/payment`, {
      status: 'paid',
      reference: 'psp-mode',
    });
    assert.equal(paid.status, 200);
    assert.equal((await handle.describe()).typedSearchAttributes.get(modeAttribute), 'paid');
    assert.deepEqual(await eventually(() => listed('paid')), [handle.workflowId]);
    assert.equal(await listed('awaiting_payment'), false);
  });

  it('when an order body is invalid or cannot ship, then 400 names the field or 422 says so, and nothing is created', async () => {
    const bad = await call(
      stack,
      shop.apiKey,
      'POST',
      '/v1/orders',
      orderBody('351910000109', {
        currency: 'EURO',
        items: [{ sku: 'a', name: 'b', quantity: 1, unitPrice: 9.99, weightGrams: 1 }],
      }),
    );
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /currency: must be an ISO 4217/);
    assert.match(bad.json.error.message, /items\.0\.unitPrice: must be an integer in minor units/);
    const france = orderBody('351910000109', { deliveryAddress: { lines: ['1 rue X'], country: 'FR' } });
    const refused = await call(stack, shop.apiKey, 'POST', '/v1/orders', france);
    assert.deepEqual([refused.status, refused.json.error.message], [422, "we don't ship there"]);
    assert.equal((await call(stack, shop.apiKey, 'GET', `/v1/orders/${france.orderId}`)).status, 404);
    const usd = await call(
      stack,
      shop.apiKey,
      'POST',
      '/v1/orders',
      orderBody('351910000109', { currency: 'USD' }),
    );
    assert.deepEqual([usd.status, usd.json.error.message], [422, 'shipping rates are in EUR, not USD']);
  });
});
