import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { okApi } from '../support/api';
import { launchChromium, openConsole, screenshot as shot, UI_TIMEOUT } from '../support/browser';
import { notification } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import {
  postWebhook,
  provisionTestClient,
  waitUntil,
  wamid,
  mintKey as mintAdminKey,
} from '../support/whatsapp';
import { endUser, type TestClient } from '../conversation/helpers';
import { orderInput, RATES } from '../orders/fixtures';

type Key = { apiKey: string; keyId: string };

/** One second of a 440 Hz tone as 8 kHz 8-bit mono WAV: a voice note Chromium can decode. */
function toneWav(): Buffer {
  const samples = 8000;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples, 40);
  const data = Buffer.alloc(samples);
  for (let i = 0; i < samples; i++)
    data[i] = 128 + Math.round(100 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return Buffer.concat([header, data]);
}

describe('agent workspace in a real browser: who the customer is and what they sent', () => {
  let stack: Stack;
  let browser: Browser;
  let client: TestClient;

  const mintKey = (scopes: string[], label: string): Promise<Key> =>
    mintAdminKey(stack.apiUrl, client.clientId, scopes, label);
  const clientApi = (method: string, p: string, body: unknown) =>
    okApi(stack.apiUrl, client.apiKey, method, p, body);
  const consoleFor = (key: Key, locale = 'en-US') =>
    openConsole(browser, stack.apiUrl, key.apiKey, { locale, acceptDownloads: true });

  /** One webhook POST carrying these messages from the customer, as Meta batches them. */
  async function customerSends(user: string, items: { type: string; object: unknown }[]) {
    const t = Math.floor(Date.now() / 1000);
    const res = await postWebhook(
      stack.apiUrl,
      notification(client.phoneNumberId, {
        contacts: [{ wa_id: user, profile: { name: 'Marta Lima' } }],
        messages: items.map((m, i) => ({
          from: user,
          id: wamid(),
          timestamp: String(t + i),
          type: m.type,
          [m.type]: m.object,
        })),
      }),
    );
    assert.equal(res.status, 200);
  }

  before(async () => {
    stack = await startStack({ statusWebhooks: true });
    browser = await launchChromium();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: 'Mug Shop' });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('when a customer sends a photo, a voice note, a PDF, a location and a contact and asks for a person, then the agent sees name and number, views, plays, downloads, sends an image and a second agent is told who has it by label', async () => {
    const alice = await mintKey(['agent'], 'Alice');
    const bob = await mintKey(['agent'], 'Bob');
    const agent = await consoleFor(alice);
    assert.equal(await agent.locator('#who').innerText(), 'Alice');
    const waId = '5511900000801';
    const u = endUser(stack, client, waId);

    await u.says('menu', { name: 'Marta Lima' });
    await u.waitForHandled(1);
    const photo = await agent.screenshot({ clip: { x: 0, y: 0, width: 320, height: 200 } });
    const pdf = Buffer.from('%PDF-1.4\n% the broken mug receipt\n%%EOF\n');
    await customerSends(waId, [
      { type: 'image', object: { id: stack.graph.addMedia(photo, 'image/png'), mime_type: 'image/png' } },
      { type: 'audio', object: { id: stack.graph.addMedia(toneWav(), 'audio/wav'), voice: true } },
      {
        type: 'document',
        object: { id: stack.graph.addMedia(pdf, 'application/pdf'), filename: 'receipt.pdf' },
      },
      { type: 'location', object: { latitude: 38.7223, longitude: -9.1393, name: 'Loja Baixa' } },
      {
        type: 'contacts',
        object: [{ name: { formatted_name: 'João Lima' }, phones: [{ phone: '+351 910 000 000' }] }],
      },
    ]);
    await u.waitForHandled(6);
    await u.says('I want to talk to a human please', { name: 'Marta Lima' });
    await u.waitForMode('queued');
    await clientApi('PUT', '/v1/shipping/rates', RATES);
    const { currency, items, deliveryAddress } = orderInput();
    await clientApi('POST', '/v1/orders', {
      orderId: 'M-1',
      customer: { userId: waId },
      currency,
      items,
      deliveryAddress,
      phoneNumberId: client.phoneNumberId,
    });

    // The queue names the customer, not the hash.
    await agent.click('#tabs button[data-tab=mine]');
    await agent.click('#tabs button[data-tab=queue]');
    const item = agent.locator('#list li', { hasText: 'Marta Lima' });
    await item.waitFor({ timeout: UI_TIMEOUT });
    await item.click();
    await agent.waitForSelector('#conv-title:text("Marta Lima")', { timeout: UI_TIMEOUT });
    assert.equal(await agent.locator('#card-phone').innerText(), `+${waId}`);
    await agent.locator('#orders li[data-order=M-1]', { hasText: 'Mug' }).waitFor({ timeout: UI_TIMEOUT });
    assert.match(await agent.locator('#orders li[data-order=M-1]').innerText(), /Rua A 1/);
    const second = await consoleFor(bob);
    await second.locator('#list li', { hasText: 'Marta Lima' }).click();
    await second.waitForSelector('#accept:not([disabled])', { timeout: UI_TIMEOUT });
    await agent.click('#accept');
    await agent.waitForSelector('#send:not([disabled])', { timeout: UI_TIMEOUT });

    // The bot's menu shows its rows, not "[]".
    const menu = agent.locator('#transcript li.out', { hasText: 'Here is what I can help you with' });
    assert.match(await menu.innerText(), /Order status[\s\S]*Shipping cost[\s\S]*Talk to a person/);
    assert.doesNotMatch(await menu.innerText(), /\[\]/);

    // The photo inline (click to enlarge), the voice note loads in its player.
    const img = agent.locator('#transcript img.photo');
    await img.waitFor({ timeout: UI_TIMEOUT });
    await waitUntil(
      () => img.evaluate((n) => (n as unknown as { naturalWidth: number }).naturalWidth > 0),
      UI_TIMEOUT,
      'the photo shown',
    );
    const audio = agent.locator('#transcript audio');
    await audio.waitFor({ timeout: UI_TIMEOUT });
    await waitUntil(
      () =>
        audio.evaluate((n) => {
          const a = n as unknown as { readyState: number; duration: number };
          return a.readyState >= 1 && a.duration > 0.5;
        }),
      UI_TIMEOUT,
      'the voice note loaded',
    );
    assert.match(
      (await agent.locator('#transcript .location a').getAttribute('href')) ?? '',
      /^https:\/\/www\.openstreetmap\.org\/\?mlat=38\.7223&mlon=-9\.1393/,
    );
    assert.match(await agent.locator('#transcript .contact-card').innerText(), /João Lima[\s\S]*\+351 910/);
    await shot(agent, 'console-workspace.png');
    await img.click();
    assert.ok(await img.evaluate((n) => n.classList.contains('enlarged')));
    await shot(agent, 'console-workspace-photo.png');
    await img.click();

    // The PDF downloads byte for byte.
    const link = agent.locator('#transcript a.download', { hasText: 'receipt.pdf' });
    assert.match(await link.innerText(), /receipt\.pdf \(\d+ B\)/);
    const [download] = await Promise.all([agent.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'receipt.pdf');
    assert.deepEqual(readFileSync((await download.path())!), pdf);

    // The agent sends an image: the fake Graph gets an upload and a send of it.
    const uploads = stack.graph.uploads.length;
    await agent.setInputFiles('#attach-file', { name: 'label.png', mimeType: 'image/png', buffer: photo });
    await waitUntil(async () => stack.graph.uploads.length > uploads, UI_TIMEOUT, 'an upload');
    await stack.graph.waitFor(
      (s) => s.some((m) => m.body.to === waId && m.body.type === 'image'),
      UI_TIMEOUT,
    );
    await agent.locator('#transcript li.out img.photo').waitFor({ timeout: UI_TIMEOUT });

    // A second agent reads who has it, by label, in the header pill and the refusal banner.
    await second.waitForSelector('#conv-mode:text("with Alice")', { timeout: UI_TIMEOUT });
    await second.click('#accept');
    await second.waitForSelector('#banner:text("Alice")', { timeout: UI_TIMEOUT });
    assert.match(
      await second.locator('#banner').innerText(),
      /Alice \(agent:[^)]+\) already has this conversation/,
    );
    await shot(second, 'console-workspace-second-agent.png');

    await agent.click('#resolve');
    await agent.waitForSelector('#conv-mode[data-mode=bot]', { timeout: UI_TIMEOUT });
    const { rows } = await stack.db.pool.query<{ action: string; n: string }>(
      `SELECT action, count(*) AS n FROM audit_log WHERE client_id = $1 AND actor = $2 GROUP BY action`,
      [client.clientId, alice.keyId],
    );
    const counts = Object.fromEntries(rows.map((r) => [r.action, Number(r.n)]));
    assert.ok(counts['contact.read']! >= 1, 'the card was audited');
    assert.ok(counts['media.read']! >= 4, 'photo, voice note, PDF and the sent image were audited');
    await Promise.all([agent.context().close(), second.context().close()]);
  });

  it('when the agent reads Spanish or Portuguese, then the console, the card and the transcript labels are in that language', async () => {
    const carla = await mintKey(['agent'], 'Carla');
    const u = endUser(stack, client, '5511900000802');
    await u.says('I need a human agent', { name: 'Rui Costa' });
    await u.waitForMode('queued');
    for (const [locale, queue, customer, insights] of [
      ['es-ES', 'Cola', 'Cliente', 'Los informes requieren'],
      ['pt-PT', 'Fila', 'Cliente', 'Os relatórios precisam'],
    ] as const) {
      const page = await consoleFor(carla, locale);
      await page.locator('#tabs button[data-tab=queue]', { hasText: queue }).waitFor({ timeout: UI_TIMEOUT });
      await page.locator('#list li', { hasText: 'Rui Costa' }).click();
      await page.waitForSelector('#conv-title:text("Rui Costa")', { timeout: UI_TIMEOUT });
      assert.equal(await page.locator('#side h3').first().innerText(), customer);
      assert.equal(await page.locator('#send').innerText(), 'Enviar');
      await shot(page, `console-workspace-${locale.slice(0, 2)}.png`);
      await page.click('#tabs button[data-tab=insights]');
      await page.waitForSelector(`#banner:text("${insights}")`, { timeout: UI_TIMEOUT });
      await page.context().close();
    }
  });

  it('when a burst of 5 customer messages and their replies falls within one second, then the console renders them in handling order', async () => {
    const dora = await mintKey(['agent'], 'Dora');
    const u = endUser(stack, client, '5511900000803');
    const second = Math.floor(Date.now() / 1000); // Meta's whole-second stamp, the same for the burst
    const words = ['hi', 'hello', 'hey', 'good morning', 'hello'];
    for (const [i, text] of words.entries()) {
      await u.says(text, { timestamp: second, name: 'Eva Burst' });
      await u.waitForHandled(i + 1);
    }
    await u.waitForReplies(5);
    const page = await consoleFor(dora);
    await page.click('#tabs button[data-tab=bot]');
    await page.locator('#list li', { hasText: 'Eva Burst' }).click();
    await page.locator('#transcript li').nth(9).waitFor({ timeout: UI_TIMEOUT });
    const rows = await page
      .locator('#transcript li')
      .evaluateAll((nodes) =>
        nodes.map((n) => (n as unknown as { className: string }).className.split(' ')[0]),
      );
    assert.match(rows.join(' '), /^in( out)+ in( out)+ in( out)+ in( out)+ in( out)+$/, rows.join(' '));
    const inbound = await page.locator('#transcript li.in').allInnerTexts();
    assert.deepEqual(
      inbound.map((text) => text.split('\n')[0]),
      words,
    );
    await shot(page, 'console-workspace-burst.png');
    await page.context().close();
  });
});
