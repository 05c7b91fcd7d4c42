import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { orderBody, putRates } from '../orders/support';
import { ROUTE_SCOPES, ROUTES_NOT_KEYED } from '../../api/route-scopes';
import { SCOPES } from '../../db/clients';
import { enumerateRoutes, type Route } from '../support/routes';
import { startStack, type Stack } from '../support/stack';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { postWebhook, provisionTestClient, textNotification } from '../support/whatsapp';

const SECURITY_HEADERS = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'x-request-id'];

describe('access control: every route is authenticated, scoped and tenant-isolated', () => {
  let stack: Stack;
  let routes: Route[];
  let a: { clientId: string; apiKey: string; phoneNumberId: string };
  let b: { clientId: string; apiKey: string; phoneNumberId: string };
  const mintKey = async (clientId: string, scopes: string[]) => {
    const res = await fetch(`${stack.apiUrl}/admin/v1/clients/${clientId}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes }),
    });
    return ((await res.json()) as { apiKey: string }).apiKey;
  };
  const call = (method: string, path: string, key?: string, body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  before(async () => {
    stack = await startStack();
    routes = enumerateRoutes(stack.app);
    a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    b = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
  });
  after(async () => {
    await stack?.close();
  });

  it('when the router is enumerated, then every route is in the scope map or explicitly excluded', () => {
    assert.ok(routes.length >= 10, 'the router stack was read');
    const unmapped = routes
      .filter((r) => !Object.keys(ROUTES_NOT_KEYED).some((p) => r.path === p || r.path.startsWith(`${p}/`)))
      .filter((r) => !(`${r.method} ${r.path}` in ROUTE_SCOPES));
    assert.deepEqual(unmapped, [], 'add each new route to ROUTE_SCOPES in api/route-scopes.ts');
    const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
    assert.deepEqual(
      Object.keys(ROUTE_SCOPES).filter((k) => !served.has(k)),
      [],
      'the map lists only routes that exist',
    );
  });

  it('when a keyed route is called without a key, with a bad key or a key lacking its scope, then 401, 401, 403', async () => {
    for (const [route, scope] of Object.entries(ROUTE_SCOPES)) {
      const [method, pattern] = route.split(' ') as [string, string];
      const path = withParams(pattern, {});
      const none = await call(method, path);
      assert.equal(none.status, 401, `${route} without a key`);
      for (const h of SECURITY_HEADERS) assert.ok(none.headers.get(h), `${route} sends ${h}`);
      assert.equal((await call(method, path, 'aura_bad_key')).status, 401, `${route} with a bad key`);
      if (scope === 'any') continue;
      const required: readonly string[] = typeof scope === 'string' ? [scope] : scope;
      const wrong = SCOPES.filter((s) => !required.includes(s) && s !== 'admin');
      const key = await mintKey(a.clientId, [wrong[0]!]);
      assert.equal((await call(method, path, key)).status, 403, `${route} with scope ${wrong[0]}`);
      for (const s of required) {
        const right = await mintKey(a.clientId, [s]);
        assert.notEqual((await call(method, path, right)).status, 403, `${route} with scope ${s}`);
      }
    }
  });

  it('when a client names another client’s resource in any route, then 404 (never 2xx or 5xx)', async () => {
    const waId = '5511911110001';
    await postWebhook(
      stack.apiUrl,
      textNotification({ phoneNumberId: b.phoneNumberId, waId, text: 'b only' }),
    );
    await stack.graph.waitFor((s) => s.some((m) => m.body.to === waId));
    assert.equal((await call('GET', `/v1/privacy/subjects/${waId}/export`, b.apiKey)).status, 200);
    const erase = await call('DELETE', `/v1/privacy/subjects/${phoneNumberId9()}`, b.apiKey);
    const { requestId } = (await erase.json()) as { requestId: string };
    assert.equal((await call('GET', `/v1/privacy/requests/${requestId}`, b.apiKey)).status, 200);

    // Resources of client B, by route: a route listed here must answer 404 to client A. A keyed route
    // with a path parameter and no fixture must at least refuse (400/404) an id A does not own.
    await putRates(stack, b.apiKey);
    const order = orderBody(waId);
    assert.equal((await call('POST', '/v1/orders', b.apiKey, order)).status, 201);
    const ofB: Record<string, Record<string, string>> = {
      'GET /v1/privacy/subjects/:userId/export': { userId: waId },
      'GET /v1/privacy/requests/:id': { id: requestId },
      'GET /v1/orders/:id': { id: order.orderId },
      'POST /v1/orders/:id/delivered': { id: order.orderId },
      'POST /v1/orders/:id/cancel': { id: order.orderId },
    };
    // Erasing a user id is per client by construction (the subject hash includes the client id):
    // it answers 202 for A and leaves B's data alone (checked below).
    const notNotFoundByDesign = new Set(['DELETE /v1/privacy/subjects/:userId']);
    for (const [route] of Object.entries(ROUTE_SCOPES).filter(([r]) => r.includes('/:'))) {
      if (notNotFoundByDesign.has(route)) continue;
      const [method, pattern] = route.split(' ') as [string, string];
      const res = await call(
        method,
        withParams(pattern, ofB[route] ?? {}),
        a.apiKey,
        method === 'GET' ? undefined : {},
      );
      if (ofB[route]) assert.equal(res.status, 404, `${route} with client B's resource`);
      else assert.ok([400, 404].includes(res.status), `${route} with an id A does not own: ${res.status}`);
    }
    assert.equal((await call('DELETE', `/v1/privacy/subjects/${waId}`, a.apiKey)).status, 202);
    assert.equal((await call('GET', `/v1/privacy/subjects/${waId}/export`, b.apiKey)).status, 200);

    const audit = (await (await call('GET', '/v1/audit', a.apiKey)).json()) as {
      records: { resource: string }[];
    };
    assert.ok(!audit.records.some((r) => r.resource === requestId), 'A does not see B’s audit records');
    const ownAudit = (await (await call('GET', '/v1/audit', b.apiKey)).json()) as {
      records: { resource: string }[];
    };
    assert.ok(ownAudit.records.some((r) => r.resource === requestId));
  });

  it('when admin and codec routes are called without their credentials, then 401', async () => {
    const adminRoutes = routes.filter((r) => r.path.startsWith('/admin/v1'));
    assert.ok(adminRoutes.length >= 3);
    for (const r of adminRoutes) {
      const path = r.path.replace(':clientId', a.clientId).replace(':keyId', 'k');
      assert.equal((await call(r.method, path)).status, 401, `${r.method} ${r.path}`);
      assert.equal(
        (await call(r.method, path, a.apiKey)).status,
        401,
        `${r.method} ${r.path} with a client key`,
      );
    }
    for (const op of ['encode', 'decode']) {
      assert.equal((await call('POST', `/codec/${op}`, undefined, { payloads: [] })).status, 401);
      assert.equal((await call('POST', `/codec/${op}`, a.apiKey, { payloads: [] })).status, 401);
    }
  });

  it('when settings are read and changed, then invalid input is a 400 naming the field and every change is audited', async () => {
    const key = await mintKey(a.clientId, ['settings']);
    const current = (await (await call('GET', '/v1/settings', key)).json()) as {
      retention: { transcriptDays: number };
    };
    assert.equal(current.retention.transcriptDays, 90);
    const bad = await call('PATCH', '/v1/settings', key, { retention: { transcriptDays: 0 } });
    assert.equal(bad.status, 400);
    assert.match(
      ((await bad.json()) as { error: { message: string } }).error.message,
      /retention\.transcriptDays/,
    );
    const good = await call('PATCH', '/v1/settings', key, { retention: { transcriptDays: 7 } });
    assert.equal(good.status, 200);
    const stored = (await (await call('GET', '/v1/settings', key)).json()) as {
      retention: { transcriptDays: number };
    };
    assert.equal(stored.retention.transcriptDays, 7);
    const { rows } = await stack.db.pool.query(
      `SELECT action FROM audit_log WHERE client_id = $1 AND action = 'settings.update'`,
      [a.clientId],
    );
    assert.equal(rows.length, 1, 'one audited change (the 400 wrote nothing)');
  });

  it('when the audit log is paged, then the cursor walks every record once, in order', async () => {
    for (let i = 0; i < 3; i += 1) await call('GET', `/v1/privacy/subjects/55119000000${i}/export`, a.apiKey);
    const seen: string[] = [];
    let cursor: string | null = '0';
    while (cursor !== null) {
      const page = (await (await call('GET', `/v1/audit?after=${cursor}&limit=2`, a.apiKey)).json()) as {
        records: { id: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.records.map((r) => r.id));
      cursor = page.nextCursor;
    }
    assert.ok(seen.length >= 4, `seen ${JSON.stringify(seen)}`);
    assert.deepEqual(
      seen,
      [...new Set(seen)].sort((x, y) => Number(x) - Number(y)),
    );
    assert.equal((await call('GET', '/v1/audit?limit=abc', a.apiKey)).status, 400);
  });

  it('when anyone tries to UPDATE, DELETE or TRUNCATE the audit log, then the database refuses', async () => {
    const { rows } = await stack.db.pool.query('SELECT count(*)::int AS n FROM audit_log');
    assert.ok(rows[0].n > 0);
    // The owner is refused by the table's trigger; the application's role may not even ask.
    await assert.rejects(stack.db.owner.query(`UPDATE audit_log SET actor = 'me'`), /append-only/);
    await assert.rejects(stack.db.owner.query('DELETE FROM audit_log'), /append-only/);
    await assert.rejects(stack.db.owner.query('TRUNCATE audit_log'), /append-only/);
    for (const sql of [`UPDATE audit_log SET actor = 'me'`, 'DELETE FROM audit_log', 'TRUNCATE audit_log'])
      await assert.rejects(stack.db.pool.query(sql), /permission denied/);
    const again = await stack.db.pool.query('SELECT count(*)::int AS n FROM audit_log');
    assert.equal(again.rows[0].n, rows[0].n);
  });

  it('when the application connects, then its role cannot alter the audit log or drop its guard, and only reads and appends', async () => {
    for (const sql of [
      'ALTER TABLE audit_log DISABLE TRIGGER ALL',
      'DROP TABLE audit_log',
      'DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log',
      'CREATE TABLE sneaky (id int)',
    ])
      await assert.rejects(stack.db.pool.query(sql), /must be owner|permission denied/, sql);
    const { rows } = await stack.db.pool.query<{ privilege_type: string }>(
      `SELECT privilege_type FROM information_schema.role_table_grants
       WHERE table_name = 'audit_log' AND grantee = current_user ORDER BY privilege_type`,
    );
    assert.deepEqual(
      rows.map((r) => r.privilege_type),
      ['INSERT', 'SELECT'],
    );
  });

  it('when a page asks for a catalogue section, then it gets every language of it and an unknown one is a 404 naming the sections', async () => {
    const res = await fetch(`${stack.apiUrl}/i18n/common.json`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(body).sort(), ['en', 'es', 'pt']);
    assert.equal(body.pt!['language.pt'], 'Português');
    const missing = await fetch(`${stack.apiUrl}/i18n/nope.json`);
    assert.equal(missing.status, 404);
    const error = (await missing.json()) as { error: { details: { sections: string[] } } };
    assert.ok(error.error.details.sections.includes('common.json'));
    assert.equal((await fetch(`${stack.apiUrl}/i18n/__proto__.json`)).status, 404);
  });

  it('when public and unknown routes answer, then the security headers are there too', async () => {
    for (const path of ['/healthz', '/readyz', '/nope', '/webhooks/whatsapp', '/i18n/common.json']) {
      const res = await fetch(`${stack.apiUrl}${path}`);
      for (const h of SECURITY_HEADERS) assert.ok(res.headers.get(h), `${path} sends ${h}`);
    }
  });
});

/** Fills a route pattern: given values first, then well-formed ids nobody owns. */
function withParams(pattern: string, values: Record<string, string>): string {
  return pattern.replace(
    /:(\w+)/g,
    (_m, p: string) => values[p] ?? (p === 'userId' ? '5511900000000' : `pr_${'0'.repeat(32)}`),
  );
}

function phoneNumberId9(): string {
  return `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}
