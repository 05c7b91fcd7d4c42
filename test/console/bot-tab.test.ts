import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bodyOf, endUser, type TestClient } from '../conversation/helpers';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, waitUntil } from '../support/whatsapp';

const UI_TIMEOUT = 30_000;

interface Entry {
  id: string;
  examples: string[];
  answer: { text: string; buttons?: string[] };
}

describe("console's Bot tab in a real browser (Debian's Chromium)", () => {
  let stack: Stack;
  let browser: Browser;
  let client: TestClient;

  const call = async (key: string, method: string, p: string, body?: unknown) => {
    const res = await fetch(`${stack.apiUrl}${p}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
  const mintKey = async (scopes: string[]) =>
    (await call(TEST_ADMIN_TOKEN, 'POST', `/admin/v1/clients/${client.clientId}/keys`, { scopes })).body
      .apiKey as string;
  const consoleFor = async (key: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.apiUrl}/console/`);
    await page.fill('#api-key', key);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#tabs:not([hidden])', { timeout: UI_TIMEOUT });
    return page;
  };
  const entry = async (id: string) =>
    (await call(client.apiKey, 'GET', `/v1/bot/faq/${id}`)).body as unknown as Entry;

  before(async () => {
    stack = await startStack({ env: { AURA_PROFILE: 'local' } });
    browser = await launchChromium();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { insights: { reviewNoMatch: true } },
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('when an agent with the settings scope edits an entry in the Bot tab, then it is stored and the bot answers with it', async () => {
    const created = await call(client.apiKey, 'POST', '/v1/bot/faq', {
      language: 'es',
      examples: ['¿cuál es su horario?', '¿a qué hora abren?'],
      answer: { text: 'Abrimos a las 9.' },
    });
    const { id } = created.body as unknown as Entry;
    const page = await consoleFor(await mintKey(['agent', 'settings']));
    await page.click('#bot-tab');
    const row = page.locator(`#faq-list li[data-id="${id}"]`);
    await row.waitFor({ timeout: UI_TIMEOUT });
    await row.locator('.faq-edit').click();
    assert.equal(await page.inputValue('#faq-examples'), '¿cuál es su horario?\n¿a qué hora abren?');
    await page.fill('#faq-examples', '¿cuál es su horario?\n¿a qué hora abren?\n¿abren los domingos?');
    await page.fill('#faq-answer', 'Abrimos todos los días de 9:00 a 21:00.');
    await page.fill('#faq-buttons', 'Dirección, Teléfono');
    await page.click('#faq-save');
    await page.waitForSelector('#banner:text("Entry saved")', { timeout: UI_TIMEOUT });
    await row.locator('.answer:text("todos los días")').waitFor({ timeout: UI_TIMEOUT });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-bot-tab.png'), fullPage: true });

    const stored = await entry(id);
    assert.deepEqual(stored.examples.at(-1), '¿abren los domingos?');
    assert.deepEqual(stored.answer, {
      text: 'Abrimos todos los días de 9:00 a 21:00.',
      buttons: ['Dirección', 'Teléfono'],
    });
    const u = endUser(stack, client, '351910900001');
    await u.says('¿hasta qué hora abren hoy?');
    const [sent] = await u.waitForReplies(1, 30_000);
    assert.equal(bodyOf(sent!), 'Abrimos todos los días de 9:00 a 21:00.');
  });

  it('when an utterance in Insights is taught as an example, then it leaves the review and the entry has it', async () => {
    const { id } = (
      await call(client.apiKey, 'POST', '/v1/bot/faq', {
        language: 'en',
        examples: ['how do returns work?'],
        answer: { text: 'Returns are free for 30 days.' },
      })
    ).body as unknown as Entry;
    const u = endUser(stack, client, '351910900002');
    await u.says('purple elephants dancing');
    await waitUntil(
      async () =>
        ((await call(client.apiKey, 'GET', '/v1/insights/no-match')).body.items as unknown[]).length > 0,
      20_000,
      'utterance kept',
    );
    const page = await consoleFor(await mintKey(['agent', 'settings']));
    await page.click('#tabs button[data-tab="insights"]');
    const item = page.locator('#no-match li', { hasText: 'purple elephants dancing' });
    await item.waitFor({ timeout: UI_TIMEOUT });
    await item
      .locator(`.teach-entry option[value="${id}"]`)
      .waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    await item.locator('.teach-entry').selectOption(id);
    await item.locator('button:text("Teach the bot")').click();
    await item.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    assert.deepEqual((await entry(id)).examples, ['how do returns work?', 'purple elephants dancing']);
  });

  it('when a key has the settings scope, then the Bot tab is offered; without it, it is not', async () => {
    const teacher = await consoleFor(await mintKey(['agent', 'settings']));
    await teacher.locator('#bot-tab').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const agent = await consoleFor(await mintKey(['agent']));
    assert.equal(await agent.locator('#bot-tab').count(), 1);
    assert.equal(await agent.locator('#bot-tab').isHidden(), true);
  });
});
