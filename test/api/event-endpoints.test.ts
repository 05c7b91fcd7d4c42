import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, mintKey as mintAdminKey } from '../support/whatsapp';
import { call } from '../orders/support';

const mintKey = async (stack: Stack, clientId: string, scopes: string[]): Promise<string> =>
  (await mintAdminKey(stack.apiUrl, clientId, scopes)).apiKey;

describe('/v1/webhooks: validation, the secret, scopes and tenancy', () => {
  let stack: Stack;
  let a: { clientId: string; apiKey: string };
  let b: { clientId: string; apiKey: string };
  before(async () => {
    stack = await startStack(); // production defaults: no plain http, not even to localhost
    a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    b = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
  });
  after(() => stack?.close());

  const valid = { url: 'https://hooks.example.com/aura', events: ['conversation.queued', 'csat.received'] };

  it('when an endpoint is registered, then its secret is shown once, sealed at rest, and the change audited', async () => {
    const created = await call(stack, a.apiKey, 'POST', '/v1/webhooks', valid);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const { id, secret } = created.json as { id: string; secret: string };
    assert.match(secret, /^whsec_[\w-]{40,}$/);
    assert.deepEqual([created.json.status, created.json.events], ['enabled', valid.events]);
    const got = await call(stack, a.apiKey, 'GET', `/v1/webhooks/${id}`);
    assert.equal(got.status, 200);
    assert.equal(got.json.secret, undefined);
    const listed = await call(stack, a.apiKey, 'GET', '/v1/webhooks');
    assert.deepEqual(
      listed.json.endpoints.map((e: { id: string }) => e.id),
      [id],
    );
    assert.ok(!JSON.stringify(listed.json).includes(secret));
    const { rows } = await stack.db.pool.query('SELECT secret_enc FROM webhook_endpoints WHERE id = $1', [
      id,
    ]);
    assert.ok(!String(rows[0].secret_enc).includes(secret.slice(6)), 'sealed');
    const rotated = await call(stack, a.apiKey, 'POST', `/v1/webhooks/${id}/rotate-secret`);
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.json.secret, secret);
    const audit = await stack.db.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE client_id = $1 AND action = 'webhooks.update' AND resource = $2`,
      [a.clientId, id],
    );
    assert.equal(audit.rows[0].n, 2);
  });

  it('when the URL, the events or the fields are wrong, then the answer is a 400 naming the field and nothing is stored', async () => {
    const bad: [unknown, RegExp][] = [
      [{ ...valid, url: 'http://hooks.example.com/aura' }, /url: must be https/],
      [
        { ...valid, url: 'http://localhost:9000/aura' },
        /url: must be https \(plain http to localhost is off/,
      ],
      [{ ...valid, url: 'not a url' }, /url: must be an absolute URL/],
      [{ ...valid, url: 'https://user:pw@hooks.example.com/' }, /url: must not carry credentials/],
      [{ ...valid, events: ['conversation.started'] }, /events\.0/],
      [{ ...valid, events: [] }, /events/],
      [{ ...valid, events: ['csat.received', 'csat.received'] }, /must not repeat/],
      [{ ...valid, secret: 'mine' }, /secret: is not a known field/],
      [{ url: valid.url }, /events: is required/],
    ];
    for (const [body, reason] of bad) {
      const res = await call(stack, b.apiKey, 'POST', '/v1/webhooks', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.json.error.message, reason);
    }
    assert.deepEqual((await call(stack, b.apiKey, 'GET', '/v1/webhooks')).json.endpoints, []);
    const created = await call(stack, b.apiKey, 'POST', '/v1/webhooks', valid);
    const patch = await call(stack, b.apiKey, 'PATCH', `/v1/webhooks/${created.json.id}`, {});
    assert.equal(patch.status, 400);
    assert.equal((await call(stack, b.apiKey, 'GET', '/v1/webhooks/whe_nope')).status, 400);
    const query = await call(stack, b.apiKey, 'GET', `/v1/webhooks/${created.json.id}/deliveries?limit=0`);
    assert.equal(query.status, 400);
    await call(stack, b.apiKey, 'DELETE', `/v1/webhooks/${created.json.id}`);
  });

  it("when another client's key names an endpoint, then every route answers 404 and the endpoint is unchanged", async () => {
    const created = await call(stack, a.apiKey, 'POST', '/v1/webhooks', valid);
    const id = created.json.id as string;
    const path = `/v1/webhooks/${id}`;
    for (const [method, p, body] of [
      ['GET', path],
      ['PATCH', path, { enabled: false }],
      ['DELETE', path],
      ['POST', `${path}/rotate-secret`],
      ['GET', `${path}/deliveries`],
      ['POST', `${path}/deliveries/1/redeliver`],
    ] as const) {
      const res = await call(stack, b.apiKey, method, p, body);
      assert.equal(res.status, 404, `${method} ${p}`);
    }
    assert.ok(
      !(await call(stack, b.apiKey, 'GET', '/v1/webhooks')).json.endpoints.some(
        (e: { id: string }) => e.id === id,
      ),
    );
    const mine = await call(stack, a.apiKey, 'GET', path);
    assert.deepEqual([mine.status, mine.json.status], [200, 'enabled']);
  });

  it('when a key lacks the settings scope, then the webhook routes answer 403', async () => {
    const agent = await mintKey(stack, a.clientId, ['agent']);
    assert.equal((await call(stack, agent, 'GET', '/v1/webhooks')).status, 403);
    assert.equal((await call(stack, agent, 'POST', '/v1/webhooks', valid)).status, 403);
  });
});
