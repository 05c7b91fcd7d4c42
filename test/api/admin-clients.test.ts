import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endUser } from '../conversation/helpers';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { sample } from '../support/prometheus';
import { startStack, type Stack } from '../support/stack';
import { phoneNumberId, provisionTestClient, waitUntil } from '../support/whatsapp';

interface Summary {
  clientId: string;
  name: string;
  phoneNumberIds: string[];
  graphToken: { status: string; rejectedAt?: string; rotatedAt?: string };
  createdAt: string;
}

describe('admin over HTTP: clients and their keys', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  const admin = async (method: string, path: string, body?: unknown, apiUrl = stack.apiUrl) => {
    const res = await fetch(`${apiUrl}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as Record<string, unknown> };
  };
  const tokenRow = async (clientId: string) =>
    (
      await stack.db.pool.query<{ graph_access_token_enc: string }>(
        'SELECT graph_access_token_enc FROM clients WHERE id = $1',
        [clientId],
      )
    ).rows[0]!.graph_access_token_enc;

  it('when clients are listed, then each shows its numbers and token state (never the token), a page at a time', async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: 'List A' });
    const b = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: 'List B' });
    const all = await admin('GET', '/clients?limit=500');
    assert.equal(all.status, 200);
    const clients = all.json.clients as Summary[];
    const mine = clients.filter((c) => [a.clientId, b.clientId].includes(c.clientId));
    assert.deepEqual(
      mine.map((c) => [c.name, c.phoneNumberIds, c.graphToken.status]),
      [
        ['List A', [a.phoneNumberId], 'ok'],
        ['List B', [b.phoneNumberId], 'ok'],
      ],
    );
    assert.doesNotMatch(JSON.stringify(all.json), /EAAG|graph_access_token|v1\./);

    const first = await admin('GET', '/clients?limit=1');
    assert.equal((first.json.clients as Summary[]).length, 1);
    const second = await admin('GET', `/clients?limit=1&after=${String(first.json.next)}`);
    assert.notEqual(
      (second.json.clients as Summary[])[0]!.clientId,
      (first.json.clients as Summary[])[0]!.clientId,
    );
    assert.equal((await admin('GET', '/clients?limit=0')).status, 400);
  });

  it('when one client is shown, then it is that client; an unknown id is 404 and a malformed one 400', async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: 'Show A' });
    const shown = await admin('GET', `/clients/${a.clientId}`);
    assert.equal(shown.status, 200);
    assert.equal((shown.json as unknown as Summary).name, 'Show A');
    assert.equal((await admin('GET', '/clients/cl_00000000000000000000')).status, 404);
    assert.equal((await admin('GET', '/clients/nope')).status, 400);
  });

  it('when a client is renamed, then its numbers and token stay exactly as they were', async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: 'Old name' });
    const sealedBefore = await tokenRow(a.clientId);
    const res = await admin('PATCH', `/clients/${a.clientId}`, { name: 'New name' });
    assert.equal(res.status, 200);
    assert.deepEqual([res.json.name, res.json.phoneNumberIds], ['New name', [a.phoneNumberId]]);
    assert.equal(await tokenRow(a.clientId), sealedBefore);
  });

  it('when a patch is empty, names an unknown field or an invalid value, then 400 and nothing changes', async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: 'Strict' });
    for (const body of [
      {},
      { colour: 'red' },
      { name: '' },
      { phoneNumberIds: [] },
      { graphAccessToken: 'short' },
    ]) {
      const res = await admin('PATCH', `/clients/${a.clientId}`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    const shown = (await admin('GET', `/clients/${a.clientId}`)).json as unknown as Summary;
    assert.deepEqual([shown.name, shown.phoneNumberIds], ['Strict', [a.phoneNumberId]]);
  });

  it("when a number moves from one client to another, then the next message on it goes to the new client with the new client's token", async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      graphAccessToken: 'EAAG-token-of-a',
    });
    const b = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      graphAccessToken: 'EAAG-token-of-b',
    });
    const extra = phoneNumberId();
    assert.equal(
      (await admin('PATCH', `/clients/${a.clientId}`, { phoneNumberIds: [a.phoneNumberId, extra] })).status,
      200,
    );
    await endUser(stack, { ...a, phoneNumberId: extra }, '351910004001').says('hello');
    await stack.graph.waitFor((sent) => sent.some((m) => m.body.to === '351910004001'));

    const taken = await admin('PATCH', `/clients/${b.clientId}`, {
      name: 'Grabby',
      phoneNumberIds: [b.phoneNumberId, extra],
    });
    assert.equal(taken.status, 409);
    assert.match(String((taken.json.error as { message: string }).message), new RegExp(extra));
    assert.equal(
      ((await admin('GET', `/clients/${b.clientId}`)).json as unknown as Summary).name,
      'Test Shop',
    );

    assert.deepEqual(
      (await admin('PATCH', `/clients/${a.clientId}`, { phoneNumberIds: [a.phoneNumberId] })).json
        .phoneNumberIds,
      [a.phoneNumberId],
    );
    assert.equal(
      (await admin('PATCH', `/clients/${b.clientId}`, { phoneNumberIds: [b.phoneNumberId, extra] })).status,
      200,
    );
    await endUser(stack, { ...b, phoneNumberId: extra }, '351910004002').says('hello');
    const [reply] = await stack.graph.waitFor((sent) => sent.some((m) => m.body.to === '351910004002'));
    const toNewClient = stack.graph.sent.find((m) => m.body.to === '351910004002')!;
    assert.ok(reply);
    assert.equal(toNewClient.accessToken, 'EAAG-token-of-b');
  });

  it('when the Graph token is rotated, then replies use the new token and the client shows when it was rotated', async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      graphAccessToken: 'EAAG-first-token',
    });
    const rotated = await admin('PATCH', `/clients/${a.clientId}`, { graphAccessToken: 'EAAG-second-token' });
    assert.equal(rotated.status, 200);
    assert.equal((rotated.json as unknown as Summary).graphToken.status, 'ok');
    assert.ok((rotated.json as unknown as Summary).graphToken.rotatedAt);
    await endUser(stack, a, '351910004003').says('hello');
    await stack.graph.waitFor((sent) => sent.some((m) => m.body.to === '351910004003'));
    assert.equal(
      stack.graph.sent.find((m) => m.body.to === '351910004003')!.accessToken,
      'EAAG-second-token',
    );
  });

  it("when a client's keys are listed, then labels, scopes and revocations show, hashes never, and only that client's keys", async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const other = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const minted = await admin('POST', `/clients/${a.clientId}/keys`, {
      scopes: ['agent'],
      label: 'Maria (agent)',
    });
    await admin('DELETE', `/clients/${a.clientId}/keys/${String(minted.json.keyId)}`);
    const listed = await admin('GET', `/clients/${a.clientId}/keys`);
    assert.equal(listed.status, 200);
    const keys = listed.json.keys as {
      keyId: string;
      label: string | null;
      scopes: string[];
      revokedAt: string | null;
    }[];
    assert.equal(keys.length, 2);
    const agent = keys.find((k) => k.keyId === minted.json.keyId)!;
    assert.deepEqual(
      [agent.label, agent.scopes, Boolean(agent.revokedAt)],
      ['Maria (agent)', ['agent'], true],
    );
    assert.equal(keys.find((k) => k.keyId !== minted.json.keyId)!.revokedAt, null);
    const { rows } = await stack.db.pool.query<{ key_hash: string }>(
      'SELECT key_hash FROM api_keys WHERE client_id = $1',
      [a.clientId],
    );
    for (const { key_hash } of rows) assert.doesNotMatch(JSON.stringify(listed.json), new RegExp(key_hash));
    assert.doesNotMatch(JSON.stringify(listed.json), new RegExp(other.clientId));
    assert.equal((await admin('GET', '/clients/cl_00000000000000000000/keys')).status, 404);
  });

  it('when a client is created without a Graph token in production, then 400 names graphAccessToken and nothing is written', async () => {
    const number = phoneNumberId();
    const res = await admin('POST', '/clients', { name: 'No Token', phoneNumberIds: [number] });
    assert.equal(res.status, 400);
    assert.match(String((res.json.error as { message: string }).message), /graphAccessToken: is required/);
    const { rowCount } = await stack.db.pool.query(
      'SELECT 1 FROM client_phone_numbers WHERE phone_number_id = $1',
      [number],
    );
    assert.equal(rowCount, 0);
  });

  it("when a client is created without a Graph token in the local profile's sandbox, then it is taken and its replies go out", async () => {
    const api = await stack.apiWith({ config: { ...stack.config, profile: 'local' } });
    try {
      const localUrl = api.url;
      const number = phoneNumberId();
      const created = await admin(
        'POST',
        '/clients',
        { name: 'Sandbox Two', phoneNumberIds: [number] },
        localUrl,
      );
      assert.equal(created.status, 201);
      const client = { clientId: String(created.json.clientId), apiKey: '', phoneNumberId: number };
      await endUser(stack, client, '351910004004').says('hello');
      await stack.graph.waitFor((sent) => sent.some((m) => m.body.to === '351910004004'));
    } finally {
      await api.close();
    }
  });

  it("when Graph rejects a client's token (190), then /readyz and a metric name the client until the token is rotated", async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const flagged = async () => {
      const ready = (await (await fetch(`${stack.apiUrl}/readyz`)).json()) as {
        graphTokenRejected?: string[];
      };
      const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
      return {
        ready: ready.graphTokenRejected?.includes(a.clientId) ?? false,
        metric: sample(metrics, 'aura_client_graph_token_rejected', { client_id: a.clientId }), // 0: no series
      };
    };
    assert.deepEqual(await flagged(), { ready: false, metric: 0 });
    // The read receipt and the reply both meet it: a send that succeeded would clear the flag again.
    stack.graph.failNext(190, 2, 401);
    const user = endUser(stack, a, '351910004005');
    await user.says('hello');
    await waitUntil(async () => (await flagged()).ready, 20_000, 'the client flagged');
    assert.deepEqual(await flagged(), { ready: true, metric: 1 });
    assert.equal(
      (await fetch(`${stack.apiUrl}/readyz`)).status,
      200,
      'one client does not make the API unready',
    );
    assert.equal(
      ((await admin('GET', `/clients/${a.clientId}`)).json as unknown as Summary).graphToken.status,
      'rejected',
    );

    await admin('PATCH', `/clients/${a.clientId}`, { graphAccessToken: 'EAAG-fresh-token' });
    assert.deepEqual(await flagged(), { ready: false, metric: 0 });
    await user.handle().terminate('test over'); // its read receipt waits a minute before retrying
  });

  it('when a flagged client sends successfully again, then the flag clears by itself', async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    await stack.db.pool.query('UPDATE clients SET graph_token_rejected_at = now() WHERE id = $1', [
      a.clientId,
    ]);
    await endUser(stack, a, '351910004006').says('hello');
    await stack.graph.waitFor((sent) => sent.some((m) => m.body.to === '351910004006'));
    await waitUntil(
      async () =>
        ((await admin('GET', `/clients/${a.clientId}`)).json as unknown as Summary).graphToken.status ===
        'ok',
      10_000,
      'the flag cleared',
    );
  });
});
