import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { call, eventually, orderBody, putRates, seedContact } from '../orders/support';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { postWebhook, provisionTestClient } from '../support/whatsapp';

const body = (text: string) => ({ type: 'BODY', text });

/** The account's templates at "Meta": the ones the tests use, and enough others for three pages. */
const TEMPLATES = [
  {
    name: 'order_confirmation',
    language: 'en',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [body('Order {{1}}: {{2}} to pay by {{3}}.')],
  },
  {
    name: 'order_confirmation',
    language: 'es',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [body('Pedido {{1}}: {{2}} antes de {{3}}.')],
  },
  {
    name: 'shipped_track',
    language: 'en',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'On its way' },
      body('Order {{1}} left with {{2}} (tracking {{3}}).'),
      {
        type: 'BUTTONS',
        buttons: [{ type: 'URL', text: 'Track it', url: 'https://track.example/t/{{1}}' }],
      },
    ],
  },
  {
    name: 'promo_image',
    language: 'en',
    status: 'APPROVED',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'IMAGE' },
      body('Hi {{1}}'),
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop' }] },
    ],
  },
  ...Array.from({ length: 246 }, (_, i) => ({
    name: `filler_${String(i).padStart(3, '0')}`,
    language: 'en',
    status: i % 2 ? 'APPROVED' : 'REJECTED',
    category: 'MARKETING',
    components: [body('Static text')],
  })),
];

describe('message templates in step with Meta (fake Graph, real Temporal and PostgreSQL)', () => {
  let stack: Stack;
  let shop: { clientId: string; apiKey: string; phoneNumberId: string };
  const wabaId = `9${randomBytes(6).readUIntBE(0, 6)}`;
  const sentTo = (to: string) => stack.graph.sent.filter((m) => m.body.to === to);
  const notificationsOf = async (orderId: string) =>
    ((await call(stack, shop.apiKey, 'GET', `/v1/orders/${orderId}`)).json.notifications ?? []) as {
      event: string;
      status: string;
      reason: string | null;
    }[];

  before(async () => {
    stack = await startStack({ statusWebhooks: true });
    stack.graph.setTemplates(wabaId, TEMPLATES);
    shop = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { wabaId });
    await putRates(stack, shop.apiKey);
  });
  after(async () => {
    await stack?.close();
  });

  it("when a sync is asked for, then every page of Meta's list is read and GET /v1/templates lists them with their parameter slots", async () => {
    const synced = await call(stack, shop.apiKey, 'POST', '/v1/templates/sync');
    assert.equal(synced.status, 200, JSON.stringify(synced.json));
    assert.deepEqual([synced.json.templates, synced.json.pages], [250, 3]);
    const calls = stack.graph.listCalls.filter((c) => c.wabaId === wabaId);
    assert.equal(calls.length, 3);
    assert.equal(calls[0]!.after, undefined);
    assert.ok(calls[1]!.after && calls[2]!.after && calls[1]!.after !== calls[2]!.after, 'cursors followed');

    const list = await call(stack, shop.apiKey, 'GET', '/v1/templates');
    assert.equal(list.status, 200);
    assert.equal(list.json.wabaId, wabaId);
    assert.equal(list.json.templates.length, 250);
    const find = (name: string) => list.json.templates.find((t: { name: string }) => t.name === name);
    assert.deepEqual(find('shipped_track').slots, {
      body: 3,
      buttons: [{ index: 0, type: 'url', base: 'https://track.example/t/' }],
    });
    assert.deepEqual(find('promo_image').slots, {
      header: 'image',
      body: 1,
      buttons: [{ index: 0, type: 'quick_reply' }],
    });
    assert.equal(find('shipped_track').status, 'APPROVED');
    assert.equal(find('filler_000').status, 'REJECTED');

    // Meta deleted one: the next sync (here through ?refresh) forgets it.
    stack.graph.setTemplates(wabaId, TEMPLATES.slice(0, 249));
    const refreshed = await call(stack, shop.apiKey, 'GET', '/v1/templates?refresh=true');
    assert.equal(refreshed.json.templates.length, 249);
    stack.graph.setTemplates(wabaId, TEMPLATES);
    await call(stack, shop.apiKey, 'POST', '/v1/templates/sync');
  });

  it('when a client has no account id, then a sync is a 409 naming wabaId, and its list is empty', async () => {
    const other = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const res = await call(stack, other.apiKey, 'POST', '/v1/templates/sync');
    assert.equal(res.status, 409);
    assert.match(res.json.error.message, /wabaId/);
    const list = await call(stack, other.apiKey, 'GET', '/v1/templates');
    assert.deepEqual(list.json, { wabaId: null, syncedAt: null, templates: [] });
  });

  it('when settings name a missing, unapproved or ill-fitting template, then 400 naming the field and the problem, and nothing changes', async () => {
    const before = (await call(stack, shop.apiKey, 'GET', '/v1/settings')).json;
    const cases: [unknown, RegExp][] = [
      [{ name: 'no_such_template', language: 'en' }, /no template named no_such_template/],
      [{ name: 'order_confirmation', language: 'pt_BR' }, /has no pt_BR version at Meta \(it has en, es\)/],
      [{ name: 'filler_000', language: 'en' }, /is REJECTED at Meta, not APPROVED/],
      [
        { name: 'order_confirmation', language: 'en', parameters: ['a'] },
        /takes 3 body parameters; parameters gives 1/,
      ],
      [
        { name: 'promo_image', language: 'en', parameters: ['x'] },
        /header takes a image parameter: give it in header/,
      ],
    ];
    for (const [ref, message] of cases) {
      const res = await call(stack, shop.apiKey, 'PATCH', '/v1/settings', {
        templates: { order_shipped: ref },
      });
      assert.equal(res.status, 400, JSON.stringify(ref));
      assert.equal(res.json.error.details.fields[0].field, 'templates.order_shipped');
      assert.match(res.json.error.details.fields[0].message, message);
    }
    const window = await call(stack, shop.apiKey, 'PATCH', '/v1/settings', {
      templates: { window_reopen: { name: 'order_confirmation', language: 'en' } },
    });
    assert.equal(window.status, 400, 'a purpose that fills no parameters cannot use a template that takes 3');
    assert.match(window.json.error.message, /takes 3 body parameters: give them in parameters/);
    assert.deepEqual((await call(stack, shop.apiKey, 'GET', '/v1/settings')).json, before);

    const ok = await call(stack, shop.apiKey, 'PATCH', '/v1/settings', {
      templates: {
        order_confirmation: [
          { name: 'order_confirmation', language: 'en' },
          { name: 'order_confirmation', language: 'es' },
        ],
        order_shipped: { name: 'shipped_track', language: 'en' },
      },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
  });

  it('when Meta pauses a template, then its webhook flips it to PAUSED, /readyz and the metric flag it, and the next order notification that needs it is refused with template_paused', async () => {
    assert.equal(await stack.graph.changeStatus(wabaId, 'order_confirmation', 'en', 'PAUSED'), 200);
    assert.equal(await stack.graph.changeStatus(wabaId, 'order_confirmation', 'es', 'PAUSED'), 200);
    const list = await call(stack, shop.apiKey, 'GET', '/v1/templates');
    const paused = list.json.templates.filter((t: { status: string }) => t.status === 'PAUSED');
    assert.deepEqual(
      paused.map((t: { name: string; language: string }) => `${t.name}/${t.language}`),
      ['order_confirmation/en', 'order_confirmation/es'],
    );
    const ready = (await (await fetch(`${stack.apiUrl}/readyz`)).json()) as {
      checks: Record<string, string>;
      templatesBlocked?: { clientId: string; name: string; status: string }[];
    };
    assert.equal(ready.checks.templates, 'blocked');
    assert.ok(ready.templatesBlocked?.some((t) => t.clientId === shop.clientId && t.status === 'PAUSED'));
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const series = metrics
      .split('\n')
      .filter(
        (l) => l.startsWith('aura_client_templates_blocked{') && l.includes(`client_id="${shop.clientId}"`),
      );
    assert.equal(series.length, 1, metrics);
    assert.match(series[0]!, /status="PAUSED".* 2$/);

    const closed = '351920000201';
    await seedContact(stack, shop.clientId, closed, { lastInboundAt: new Date(Date.now() - 25 * 3_600_000) });
    const order = orderBody(closed);
    assert.equal((await call(stack, shop.apiKey, 'POST', '/v1/orders', order)).status, 201);
    const refused = await eventually(async () => (await notificationsOf(order.orderId))[0]);
    assert.deepEqual(
      [refused.event, refused.status, refused.reason],
      ['order_confirmation', 'refused', 'template_paused'],
    );
    assert.equal(sentTo(closed).length, 0, 'nothing reached Meta');

    // Meta reinstates the Spanish one: the next confirmation falls back to it.
    assert.equal(await stack.graph.changeStatus(wabaId, 'order_confirmation', 'es', 'REINSTATED'), 200);
    const next = orderBody(closed);
    await call(stack, shop.apiKey, 'POST', '/v1/orders', next);
    const [sent] = await stack.graph.waitFor(() => sentTo(closed).length === 1).then(() => sentTo(closed));
    const template = sent!.body.template as { name: string; language: { code: string } };
    assert.deepEqual([template.name, template.language.code], ['order_confirmation', 'es']);
    await stack.graph.changeStatus(wabaId, 'order_confirmation', 'en', 'REINSTATED');
  });

  it('when a status webhook arrives late, then an older event does not overwrite a newer status', async () => {
    const old = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: wabaId,
          time: Math.floor(Date.now() / 1000) - 3600,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'DISABLED',
                message_template_name: 'shipped_track',
                message_template_language: 'en',
              },
            },
          ],
        },
      ],
    };
    assert.equal((await postWebhook(stack.apiUrl, old)).status, 200);
    const list = await call(stack, shop.apiKey, 'GET', '/v1/templates');
    const t = list.json.templates.find((x: { name: string }) => x.name === 'shipped_track');
    assert.equal(t.status, 'APPROVED');
  });

  it('when an order ships outside the window, then order_shipped goes with a URL button carrying the tracking suffix', async () => {
    const closed = '351920000202';
    await seedContact(stack, shop.clientId, closed, { lastInboundAt: new Date(Date.now() - 25 * 3_600_000) });
    const order = orderBody(closed);
    await call(stack, shop.apiKey, 'POST', '/v1/orders', order);
    await call(stack, shop.apiKey, 'POST', `/v1/orders/${order.orderId}/payment`, {
      status: 'paid',
      reference: 'P-1',
    });
    const shipped = await call(stack, shop.apiKey, 'POST', `/v1/orders/${order.orderId}/shipment`, {
      carrier: 'CTT',
      trackingNumber: 'RR123PT',
      trackingUrl: 'https://track.example/t/RR123PT?lang=en',
    });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.json));
    await stack.graph.waitFor(() =>
      sentTo(closed).some((m) => (m.body.template as { name: string }).name === 'shipped_track'),
    );
    const sent = sentTo(closed).find((m) => (m.body.template as { name: string }).name === 'shipped_track')!;
    const { components } = sent.body.template as { components: Record<string, unknown>[] };
    assert.deepEqual(components, [
      {
        type: 'body',
        parameters: [order.orderId, 'CTT', 'RR123PT'].map((text) => ({ type: 'text', text })),
      },
      {
        type: 'button',
        sub_type: 'url',
        index: '0',
        parameters: [{ type: 'text', text: 'RR123PT?lang=en' }],
      },
    ]);
  });
});
