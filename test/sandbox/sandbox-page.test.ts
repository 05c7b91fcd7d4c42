import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { common } from '../../i18n/common';
import { sandbox } from '../../i18n/sandbox';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, waitUntil } from '../support/whatsapp';

describe('sandbox phone simulator in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  before(async () => {
    stack = await startStack({ env: { AURA_PROFILE: 'local' }, statusWebhooks: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('when a person chats and sends a voice note on /sandbox, then both travel the signed webhook, the bot answers, and ticks turn blue', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: 'Browser Shop' });
    const page = await browser.newPage({ viewport: { width: 420, height: 780 } });
    await page.goto(`${stack.apiUrl}/sandbox`);
    await page.selectOption('#number', client.phoneNumberId);
    await page.selectOption('#user', { index: 0 });
    await page.fill('#text', 'hello from the browser');
    await page.press('#text', 'Enter');
    await page.waitForSelector('.bubble.bot .ticks.read', { timeout: 20_000 });

    await page.setInputFiles('#file', {
      name: 'voice.ogg',
      mimeType: 'audio/ogg',
      buffer: Buffer.from('OggS-browser-voice-note'),
    });
    await page.locator('.bubble.bot').nth(1).waitFor({ timeout: 20_000 });
    const inbound = await waitUntil(async () => {
      const { rows } = await stack.db.pool.query<{ type: string }>(
        `SELECT m.type FROM messages m WHERE m.client_id = $1 AND m.direction = 'in' ORDER BY m.occurred_at`,
        [client.clientId],
      );
      return rows.length === 2 ? rows : undefined;
    });
    assert.deepEqual(
      inbound.map((r) => r.type),
      ['text', 'audio'],
    );
    const { rows: media } = await stack.db.pool.query('SELECT status FROM media WHERE client_id = $1', [
      client.clientId,
    ]);
    assert.deepEqual(media, [{ status: 'stored' }]);
    assert.equal(await page.locator('.bubble.user').count(), 2);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'sandbox.png') });
  });

  it('when the page is reloaded, then both sides of the conversation are still there, in order', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: 'Reload Shop' });
    const page = await browser.newPage({ viewport: { width: 420, height: 780 } });
    await page.goto(`${stack.apiUrl}/sandbox`);
    await page.selectOption('#number', client.phoneNumberId);
    await page.selectOption('#user', { index: 1 });
    await page.fill('#text', 'first message before the reload');
    await page.press('#text', 'Enter');
    await page.locator('.bubble.bot').first().waitFor({ timeout: 20_000 });
    await page.reload();
    await page.selectOption('#number', client.phoneNumberId);
    await page.selectOption('#user', { index: 1 });
    await page.locator('.bubble.bot').first().waitFor({ timeout: 10_000 });
    const sides = await page
      .locator('.bubble')
      .evaluateAll((els) => els.map((e) => e.className.split(' ')[1]));
    assert.equal(sides[0], 'user');
    assert.ok(sides.includes('bot'));
    assert.equal(
      await page
        .locator('.bubble.user')
        .first()
        .innerText()
        .then((t) => t.split('\n')[0]),
      'first message before the reload',
    );
    await page.close();
  });

  for (const lang of ['es', 'pt'] as const) {
    it(`when the language is switched to ${lang}, then every text of the page comes from the catalogue in ${lang}`, async () => {
      const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: `Shop ${lang}` });
      const page = await browser.newPage({ viewport: { width: 420, height: 780 } });
      await page.goto(`${stack.apiUrl}/sandbox`);
      await page.locator('#hint').filter({ hasText: /\S/ }).waitFor();
      await page.selectOption('#lang', lang);
      await page.selectOption('#number', client.phoneNumberId);
      const texts = sandbox[lang];
      assert.equal(await page.title(), texts.title);
      assert.equal(await page.locator('#hint').innerText(), texts.hint);
      assert.equal(await page.locator('#send').innerText(), texts.send);
      assert.equal(await page.locator('#text').getAttribute('placeholder'), texts.placeholder);
      assert.equal(await page.locator('html').getAttribute('lang'), lang);
      assert.equal(await page.locator('#lang option:checked').innerText(), common[lang][`language.${lang}`]);
      await page.fill('#text', lang === 'es' ? 'hola' : 'olá');
      await page.press('#text', 'Enter');
      await page.locator('.bubble.bot').first().waitFor({ timeout: 20_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, `sandbox-${lang}.png`) });
      await page.reload();
      assert.equal(await page.locator('#lang').inputValue(), lang, 'the choice is remembered');
      await page.close();
    });
  }

  it('when the sandbox page asks for its catalogue section, then it gets every language of it', async () => {
    const res = await fetch(`${stack.apiUrl}/i18n/sandbox.json`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), sandbox);
  });

  it('when the profile is production, then /sandbox does not exist', async () => {
    const api = await stack.apiWith({ config: { ...stack.config, profile: 'production' } });
    try {
      assert.equal((await fetch(`${api.url}/sandbox/`)).status, 404);
      assert.equal((await fetch(`${api.url}/sandbox/api/numbers`)).status, 404);
    } finally {
      await api.close();
    }
  });
});
