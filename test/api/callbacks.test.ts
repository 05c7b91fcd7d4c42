import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { setContactLanguage, upsertContact } from '../../db/contacts';
import { recordCallbackRequest } from '../../db/conversations';
import { ARTIFACTS, launchChromium, openConsole } from '../support/browser';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';

describe('callback requests: GET /v1/callbacks and the console list', () => {
  let stack: Stack;
  let browser: Browser;
  let shop: { clientId: string; apiKey: string };
  let other: { clientId: string; apiKey: string };
  let n = 0;
  before(async () => {
    stack = await startStack();
    browser = await launchChromium();
    shop = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    other = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  const key = async (clientId: string, scopes: string[]) => {
    const res = await fetch(`${stack.apiUrl}/admin/v1/clients/${clientId}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes, label: 'agent' }),
    });
    return ((await res.json()) as { apiKey: string }).apiKey;
  };
  const call = async (apiKey: string, method: string, url: string) => {
    const res = await fetch(`${stack.apiUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, json: (text ? JSON.parse(text) : undefined) as any };
  };
  /** A customer who asked for a callback, writing in `language`. */
  const asked = async (clientId: string, language?: 'pt' | 'es') => {
    n += 1;
    const subjectHash = String(n).padStart(64, 'c');
    const ref = `cv_100000000001_${String(n).padStart(40, 'c')}`;
    await upsertContact(stack.db.pool, {
      clientId,
      subjectHash,
      recipientEnc: 'x',
      nameEnc: null,
      inboundAt: new Date(),
    });
    if (language) await setContactLanguage(stack.db.pool, { clientId, subjectHash, language });
    await recordCallbackRequest(stack.db.pool, { clientId, ref, subjectHash });
    return ref;
  };

  it('when customers asked to be called back, then agents of that client list them (oldest first, with the language) and mark them done', async () => {
    const agent = await key(shop.clientId, ['agent']);
    const first = await asked(shop.clientId, 'pt');
    const second = await asked(shop.clientId);
    await asked(other.clientId, 'es');
    const list = await call(agent, 'GET', '/v1/callbacks');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json.callbacks.map((c: { conversation: string; language: string | null }) => [
        c.conversation,
        c.language,
      ]),
      [
        [first, 'pt'],
        [second, null],
      ],
    );
    const id = list.json.callbacks[0].id;
    assert.equal((await call(agent, 'POST', `/v1/callbacks/${id}/done`)).status, 204);
    assert.equal((await call(agent, 'POST', `/v1/callbacks/${id}/done`)).status, 404);
    assert.deepEqual(
      (await call(agent, 'GET', '/v1/callbacks')).json.callbacks.map(
        (c: { conversation: string }) => c.conversation,
      ),
      [second],
    );
  });

  it("when another client's agent or a key without the agent scope asks, then it sees nothing or is refused", async () => {
    await asked(shop.clientId);
    const foreign = await call(await key(other.clientId, ['agent']), 'GET', '/v1/callbacks');
    assert.ok(foreign.json.callbacks.every((c: { language: string }) => c.language === 'es'));
    const theirs = (await call(await key(shop.clientId, ['agent']), 'GET', '/v1/callbacks')).json.callbacks[0]
      .id;
    assert.equal(
      (await call(await key(other.clientId, ['agent']), 'POST', `/v1/callbacks/${theirs}/done`)).status,
      404,
    );
    assert.equal((await call(await key(shop.clientId, ['orders:read']), 'GET', '/v1/callbacks')).status, 403);
    assert.equal(
      (await call(await key(shop.clientId, ['agent']), 'POST', '/v1/callbacks/abc/done')).status,
      400,
    );
    assert.equal(
      (await call(await key(shop.clientId, ['agent']), 'GET', '/v1/callbacks?limit=0')).status,
      400,
    );
  });

  it('when an agent opens the console in Portuguese, then the callback list is shown with the catalogue texts and "done" removes one', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const ref = await asked(client.clientId, 'es');
    const page = await openConsole(browser, stack.apiUrl, await key(client.clientId, ['agent']), {
      locale: 'pt-PT',
      viewport: { width: 1280, height: 760 },
    });
    await page.waitForSelector('#callbacks:not([hidden]) h3:text("Pedidos de contacto")', {
      timeout: 30_000,
    });
    const item = page.locator('#callback-list li', { hasText: ref.slice(0, 22) });
    await item.waitFor({ timeout: 30_000 });
    assert.match(await item.innerText(), /escreve em Espanhol/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-callbacks.png') });
    await item.locator('button.done').click();
    await page.waitForSelector('#callbacks p:text("Não há pedidos de contacto.")', { timeout: 30_000 });
    await page.close();
  });
});
