import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_READY } from '../support/api';
import { startStack, type Stack } from '../support/stack';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { phoneNumberId, provisionTestClient } from '../support/whatsapp';

describe('tenancy: admin API and API keys', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  const createClient = (body: unknown, token = TEST_ADMIN_TOKEN) =>
    fetch(`${stack.apiUrl}/admin/v1/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('when the admin token is missing or wrong, then 401 with a reason and no client is created', async () => {
    const before = await stack.db.pool.query('SELECT count(*)::int AS n FROM clients');
    const missing = await fetch(`${stack.apiUrl}/admin/v1/clients`, { method: 'POST' });
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'unauthorized');
    const wrong = await createClient({ name: 'x', phoneNumberIds: [phoneNumberId()] }, 'not-the-token');
    assert.equal(wrong.status, 401);
    const afterCount = await stack.db.pool.query('SELECT count(*)::int AS n FROM clients');
    assert.deepEqual(afterCount.rows, before.rows);
  });

  it('when the client payload is invalid, then 400 names the field', async () => {
    const res = await createClient({ name: 'Shop', phoneNumberIds: ['not-digits'] });
    assert.equal(res.status, 400);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: { fields: { field: string }[] } };
    };
    assert.equal(body.error.code, 'bad_request');
    assert.match(body.error.message, /phoneNumberIds\.0/);
    assert.deepEqual(
      body.error.details.fields.map((f) => f.field),
      ['phoneNumberIds.0'],
    );

    const unknown = await createClient({ name: 'Shop', phoneNumberIds: [phoneNumberId()], colour: 'red' });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /colour/);

    const notJson = await fetch(`${stack.apiUrl}/admin/v1/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    assert.equal(notJson.status, 400);
  });

  it('when a client is created, then its key is returned once, stored only as a hash, and resolves to the client', async () => {
    const { clientId, apiKey } = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    assert.match(apiKey, /^aura_/);
    const stored = await stack.db.pool.query('SELECT key_hash FROM api_keys WHERE client_id = $1', [
      clientId,
    ]);
    assert.equal(stored.rowCount, 1);
    assert.notEqual(stored.rows[0].key_hash, apiKey);
    assert.ok(!JSON.stringify(stored.rows).includes(apiKey));
    const token = await stack.db.pool.query('SELECT graph_access_token_enc FROM clients WHERE id = $1', [
      clientId,
    ]);
    assert.ok(!String(token.rows[0].graph_access_token_enc).includes('EAAG-test-token'));

    const me = await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { clientId: string }).clientId, clientId);
  });

  it('when a /v1 route is called without a key or with a bad key, then 401; with a key lacking the scope, then 403', async () => {
    const { clientId } = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    assert.equal((await fetch(`${stack.apiUrl}/v1/me`)).status, 401);
    const bad = await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: 'Bearer aura_nope_nope' } });
    assert.equal(bad.status, 401);
    const minted = await fetch(`${stack.apiUrl}/admin/v1/clients/${clientId}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['orders:read'] }),
    });
    assert.equal(minted.status, 201);
    const { apiKey, keyId } = (await minted.json()) as { apiKey: string; keyId: string };
    assert.equal(
      (await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${apiKey}` } })).status,
      200,
    );
    const revoked = await fetch(`${stack.apiUrl}/admin/v1/clients/${clientId}/keys/${keyId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(revoked.status, 204);
    assert.equal(
      (await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${apiKey}` } })).status,
      401,
    );
  });

  it('when a phone number already belongs to a client, then 409 and nothing of the new client is written', async () => {
    const { phoneNumberId: taken } = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const fresh = phoneNumberId();
    const res = await createClient({
      name: 'Copycat',
      phoneNumberIds: [fresh, taken],
      graphAccessToken: 'EAAG-copycat-token',
    });
    assert.equal(res.status, 409);
    const leftover = await stack.db.pool.query(
      `SELECT (SELECT count(*) FROM clients WHERE name = 'Copycat')::int AS clients,
              (SELECT count(*) FROM client_phone_numbers WHERE phone_number_id = $1)::int AS numbers`,
      [fresh],
    );
    assert.deepEqual(leftover.rows[0], { clients: 0, numbers: 0 });
  });

  it('when /healthz and /readyz are asked, then both answer 200 with every dependency reported', async () => {
    assert.equal((await fetch(`${stack.apiUrl}/healthz`)).status, 200);
    const ready = await fetch(`${stack.apiUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, ALL_READY);
  });

  it('when /metrics is scraped, then it answers Prometheus text with the Aura metrics', async () => {
    const res = await fetch(`${stack.apiUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /# TYPE aura_webhook_requests_total counter/);
    assert.match(text, /process_resident_memory_bytes\{service="api"\}/);
  });

  it('when an unknown route is called, then a JSON 404 with a request id', async () => {
    const res = await fetch(`${stack.apiUrl}/nope`);
    assert.equal(res.status, 404);
    assert.ok(res.headers.get('x-request-id'));
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
  });
});
