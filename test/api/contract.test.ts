import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Browser } from 'playwright-core';
import { OPERATIONS } from '../../api/openapi/operations';
import { createLogger } from '../../logging';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { enumerateRoutes } from '../support/routes';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>> };

describe('the API contract: OpenAPI 3.1 document, /docs, the landing page, and 4xx a developer understands', () => {
  let stack: Stack;
  let browser: Browser;
  let doc: Doc;
  let key: string;
  const logs: string[] = [];

  before(async () => {
    // The local profile serves every route, the sandbox's included.
    stack = await startStack({
      env: { AURA_PROFILE: 'local' },
      log: createLogger('info', {}, (line) => logs.push(line)),
    });
    doc = (await (await fetch(`${stack.apiUrl}/openapi.json`)).json()) as Doc;
    key = (await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN)).apiKey;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('when the router is enumerated, then every route is in the OpenAPI document and the document names only served routes', () => {
    const served = enumerateRoutes(stack.app).map((r) => `${r.method} ${r.path}`);
    assert.ok(served.length > 30, 'the router stack was read');
    const missing = served.filter((r) => !(r in OPERATIONS));
    assert.deepEqual(
      missing,
      [],
      `add each of these routes to OPERATIONS in api/openapi/operations.ts, with the zod schemas the route parses: ${missing.join(', ')}`,
    );
    const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    assert.deepEqual(
      documented.filter((r) => !served.includes(r)),
      [],
      'OPERATIONS names only routes that exist',
    );
  });

  it('when /openapi.json is validated, then it is a valid OpenAPI 3.1 document with error responses and security schemes', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    assert.equal(validator.version, '3.1');
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    const create = doc.paths['/v1/orders']!.post as {
      responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
      security: unknown[];
    };
    assert.equal(
      create.responses['400']!.content!['application/json']!.schema.$ref,
      '#/components/schemas/Error',
    );
    assert.deepEqual(create.security, [{ apiKey: [] }]);
    const schemes = (doc as unknown as { components: { securitySchemes: Record<string, unknown> } })
      .components.securitySchemes;
    assert.deepEqual(Object.keys(schemes).sort(), [
      'adminToken',
      'apiKey',
      'codecSession',
      'webhookSignature',
    ]);
  });

  it('when /docs is opened in a browser under the strict CSP, then the reference renders every tag with no blocked resource', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text());
    });
    page.on('requestfailed', (r) => blocked.push(`failed: ${r.url()}`));
    const res = await page.goto(`${stack.apiUrl}/docs`);
    assert.match(res!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.waitForSelector('.opblock-tag-section', { timeout: 20_000 });
    assert.ok(await page.locator('text=Aura Engage API').count());
    assert.ok((await page.locator('.opblock-tag').count()) >= 10);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs.png') });
    assert.deepEqual(blocked, []);
    await page.close();
  });

  it('when the landing page is opened in Portuguese or Spanish, then its texts are in that language and it links the console, sandbox and docs', async () => {
    for (const [locale, heading] of [
      ['pt-BR', 'Console de agentes'],
      ['es-ES', 'Consola de agentes'],
      ['en-US', 'Agent console'],
    ] as const) {
      const context = await browser.newContext({ locale, viewport: { width: 1000, height: 700 } });
      const page = await context.newPage();
      await page.goto(`${stack.apiUrl}/`);
      assert.equal(await page.locator('html').getAttribute('lang'), locale.slice(0, 2));
      assert.equal(await page.locator('[data-area="console"] h2').textContent(), heading);
      for (const href of ['/console/', '/sandbox', '/docs'])
        assert.equal(await page.locator(`.cards a[href="${href}"]`).count(), 1, href);
      await page.screenshot({ path: path.join(ARTIFACTS, `landing-${locale}.png`) });
      await context.close();
    }
    const chosen = await (
      await fetch(`${stack.apiUrl}/?lang=pt`, { headers: { 'accept-language': 'en' } })
    ).text();
    assert.match(chosen, /Referência da API/);
  });

  it('when probes, scrapes, codec calls, sandbox polling and static files are served, then their request lines stay below the default level', async () => {
    logs.length = 0;
    const quiet = [
      '/healthz',
      '/readyz',
      '/metrics',
      '/console/console.css',
      '/sandbox/api/numbers',
      '/docs/init.js',
      '/',
    ];
    for (const p of quiet) assert.ok((await fetch(`${stack.apiUrl}${p}`)).status < 500, p);
    await fetch(`${stack.apiUrl}/codec/decode`, { method: 'POST' });
    await fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    const requests = logs
      .map((l) => JSON.parse(l) as { msg: string; route?: string })
      .filter((r) => r.msg === 'request');
    assert.deepEqual(
      requests.map((r) => r.route),
      ['/v1/me'],
    );
  });

  const post = (p: string, init: { body?: string; type?: string }) =>
    fetch(`${stack.apiUrl}${p}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, ...(init.type ? { 'content-type': init.type } : {}) },
      body: init.body,
    });
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; message: string } }).error;

  it('when a body is sent without the JSON content type, then 415 says to send application/json', async () => {
    const plain = await post('/v1/shipping/quote', {
      body: '{"destination":{"country":"PT"}}',
      type: 'text/plain',
    });
    assert.equal(plain.status, 415);
    const e = await errorOf(plain);
    assert.equal(e.code, 'unsupported_media_type');
    assert.match(e.message, /Content-Type: application\/json/);
    assert.match(e.message, /text\/plain/);
  });

  it('when a body is not JSON or is missing, then 400 says so', async () => {
    const broken = await post('/v1/shipping/quote', { body: '{"destination":', type: 'application/json' });
    assert.equal(broken.status, 400);
    assert.match((await errorOf(broken)).message, /not valid JSON/);
    const none = await post('/v1/shipping/quote', {});
    assert.equal(none.status, 400);
    assert.match(
      (await errorOf(none)).message,
      /body: is required: send a JSON object with Content-Type: application\/json/,
    );
  });

  it('when fields are missing, unknown or malformed, then the 400 names each field and the form expected', async () => {
    const res = await post('/v1/orders', {
      type: 'application/json',
      body: JSON.stringify({ orderId: 'o-1', customer: {}, currency: 'EUR', items: [], colour: 'red' }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as {
      error: { message: string; details: { fields: { field: string }[] } };
    };
    const fields = body.error.details.fields.map((f) => f.field);
    for (const f of ['customer.userId', 'items', 'deliveryAddress', 'colour'])
      assert.ok(fields.includes(f), f);
    assert.match(body.error.message, /customer\.userId: is required \(expected string\)/);
    assert.match(body.error.message, /colour: is not a known field/);
    assert.match(body.error.message, /items: Too small: expected array to have >=1 items/);
    const query = await fetch(`${stack.apiUrl}/v1/audit?limit=abc`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.match((await errorOf(query)).message, /query\.limit: expected number/);
  });

  it('when a route does not exist, then 404 names the method and path and points to the document', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/nothing`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 404);
    assert.match((await errorOf(res)).message, /no route GET \/v1\/nothing: see \/openapi\.json/);
  });
});
