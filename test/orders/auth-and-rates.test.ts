import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';
import { RATES } from './fixtures';
import { call, orderBody, putRates } from './support';

async function mintKey(stack: Stack, clientId: string, scopes: string[]): Promise<string> {
  const res = await fetch(`${stack.apiUrl}/admin/v1/clients/${clientId}/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ scopes }),
  });
  return ((await res.json()) as { apiKey: string }).apiKey;
}

describe('orders and shipping routes: authentication, scopes, tenancy and rate-table validation', () => {
  let stack: Stack;
  let a: { clientId: string; apiKey: string };
  let b: { clientId: string; apiKey: string };
  let orderId: string;
  before(async () => {
    stack = await startStack();
    a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    b = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    await putRates(stack, a.apiKey);
    const body = orderBody('351910000201');
    orderId = body.orderId;
    assert.equal((await call(stack, a.apiKey, 'POST', '/v1/orders', body)).status, 201);
  });
  after(async () => {
    await stack?.close();
  });

  const routes = () => [
    { method: 'POST', path: '/v1/orders', body: orderBody('351910000202') },
    { method: 'GET', path: `/v1/orders/${orderId}` },
    {
      method: 'POST',
      path: `/v1/orders/${orderId}/payment`,
      body: { status: 'paid', reference: 'p-1' },
    },
    {
      method: 'POST',
      path: `/v1/orders/${orderId}/shipment`,
      body: { carrier: 'CTT', trackingNumber: 'T1' },
    },
    { method: 'POST', path: `/v1/orders/${orderId}/delivered`, body: {} },
    { method: 'POST', path: `/v1/orders/${orderId}/cancel`, body: {} },
    { method: 'PUT', path: '/v1/shipping/rates', body: RATES },
    { method: 'GET', path: '/v1/shipping/rates' },
    {
      method: 'POST',
      path: '/v1/shipping/quote',
      body: { destination: { country: 'PT' } },
    },
  ];

  it('when a route is called without a key or with a revoked-looking one, then 401', async () => {
    for (const r of routes()) {
      assert.equal(
        (await call(stack, undefined, r.method, r.path, r.body)).status,
        401,
        `${r.method} ${r.path}`,
      );
      assert.equal(
        (await call(stack, 'aura_nope_x', r.method, r.path, r.body)).status,
        401,
        `${r.method} ${r.path}`,
      );
    }
  });

  it('when the key lacks the route scope, then 403; with it, then not 403', async () => {
    const wrong = await mintKey(stack, a.clientId, ['conversations:read']);
    for (const r of routes()) {
      const res = await call(stack, wrong, r.method, r.path, r.body);
      assert.equal(res.status, 403, `${r.method} ${r.path}`);
      assert.match(res.json.error.message, /lacks the scope/);
    }
    const reader = await mintKey(stack, a.clientId, ['orders:read']);
    assert.equal((await call(stack, reader, 'GET', `/v1/orders/${orderId}`)).status, 200);
    assert.equal((await call(stack, reader, 'POST', `/v1/orders/${orderId}/cancel`, {})).status, 403);
  });

  it("when another client addresses this client's order, then 404 on every order route and its rates stay its own", async () => {
    for (const r of routes().slice(1, 6)) {
      const res = await call(stack, b.apiKey, r.method, r.path, r.body);
      assert.equal(res.status, 404, `${r.method} ${r.path}`);
    }
    assert.equal((await call(stack, b.apiKey, 'GET', '/v1/shipping/rates')).status, 404);
    const quote = await call(stack, b.apiKey, 'POST', '/v1/shipping/quote', {
      destination: { country: 'PT' },
    });
    assert.deepEqual([quote.status, quote.json.error.code], [422, 'not_shippable']);
    const own = await call(stack, a.apiKey, 'GET', `/v1/orders/${orderId}`);
    assert.equal(own.json.status, 'awaiting_payment', 'nothing the other client tried changed the order');
  });

  it('when a rate table has overlapping brackets or an unknown currency, then 400 names the problem and the old table stays', async () => {
    const overlapping = structuredClone(RATES);
    overlapping.zones[1]!.brackets.push({ fromGrams: 4000, toGrams: 9000, price: 500 });
    const res = await call(stack, a.apiKey, 'PUT', '/v1/shipping/rates', overlapping);
    assert.equal(res.status, 400);
    assert.match(
      res.json.error.message,
      /zones\.1\.brackets\.2: bracket overlaps another: 1000 g to 5000 g overlaps 4000 g/,
    );
    const currency = await call(stack, a.apiKey, 'PUT', '/v1/shipping/rates', { ...RATES, currency: 'ABC' });
    assert.equal(currency.status, 400);
    assert.match(currency.json.error.message, /currency: must be an ISO 4217 currency code/);
    assert.deepEqual((await call(stack, a.apiKey, 'GET', '/v1/shipping/rates')).json, RATES);
  });

  it('when a quote is asked, then the cost follows zone, weight and threshold; outside every zone 422 "we don\'t ship there"', async () => {
    const quote = (destination: unknown, items: unknown[] = []) =>
      call(stack, a.apiKey, 'POST', '/v1/shipping/quote', { destination, items });
    const island = await quote({ country: 'PT', postalCode: '9500-100' });
    assert.deepEqual(island.json, {
      zone: { id: 'pt-islands', name: 'Azores and Madeira' },
      shippingCost: 900,
      currency: 'EUR',
      freeShipping: false,
    });
    const heavy = await quote({ country: 'pt', postalCode: '4000-001' }, [
      { quantity: 3, unitPrice: 1000, weightGrams: 500 },
    ]);
    assert.equal(heavy.json.shippingCost, 550);
    const free = await quote({ country: 'PT' }, [{ quantity: 1, unitPrice: 10000, weightGrams: 100 }]);
    assert.deepEqual([free.json.shippingCost, free.json.freeShipping], [0, true]);
    const nowhere = await quote({ country: 'FR', postalCode: '75001' });
    assert.deepEqual([nowhere.status, nowhere.json.error.message], [422, "we don't ship there"]);
    const bad = await quote({ country: 'Portugal' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /destination\.country/);
  });
});
