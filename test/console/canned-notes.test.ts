import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { RETENTION_RULES, sweepRetention } from '../../db/retention';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { okApi, subjectRows, type Json } from '../support/api';
import { launchChromium, openConsole, screenshot as shot, UI_TIMEOUT } from '../support/browser';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, waitUntil, mintKey as mintAdminKey } from '../support/whatsapp';
import { endUser, type TestClient } from '../conversation/helpers';
import { orderInput, RATES } from '../orders/fixtures';

const DAY = 24 * 60 * 60 * 1000;
type Key = { apiKey: string; keyId: string };

describe('agent console in a real browser: canned responses, notes and labels', () => {
  let stack: Stack;
  let browser: Browser;
  let client: TestClient;

  const mintKey = (scopes: string[], label: string): Promise<Key> =>
    mintAdminKey(stack.apiUrl, client.clientId, scopes, label);
  const clientApi = (method: string, p: string, body?: unknown): Promise<Json> =>
    okApi(stack.apiUrl, client.apiKey, method, p, body);
  const consoleFor = (key: Key, locale = 'en-US') =>
    openConsole(browser, stack.apiUrl, key.apiKey, { locale });
  const left = (table: string, subjectHash: string) =>
    subjectRows(stack.db.pool, table, client.clientId, subjectHash);

  before(async () => {
    stack = await startStack();
    browser = await launchChromium();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { name: 'Mug Shop' });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('when the agent replies with a canned response, adds a note and a label, then the customer gets the filled text, the list filters by the label, the export lists them in clear, and erasure and retention remove them', async () => {
    const alice = await mintKey(['agent'], 'Alice');
    const waId = '5511900000951';
    const u = endUser(stack, client, waId);
    await u.says('I want to talk to a human please', { name: 'Marta Lima' });
    await u.waitForMode('queued');
    const other = endUser(stack, client, '5511900000952');
    await other.says('I want to talk to a human please', { name: 'Otto Other' });
    await other.waitForMode('queued');
    await clientApi('PUT', '/v1/shipping/rates', RATES);
    const { currency, items, deliveryAddress } = orderInput();
    await clientApi('POST', '/v1/orders', {
      orderId: 'M-7',
      customer: { userId: waId },
      currency,
      items,
      deliveryAddress,
      phoneNumberId: client.phoneNumberId,
    });
    await clientApi('POST', '/v1/orders/M-7/payment', { status: 'paid', reference: 'p-7' });
    await clientApi('POST', '/v1/orders/M-7/shipment', {
      carrier: 'DHL',
      trackingNumber: 'JD7',
      trackingUrl: 'https://track.example/JD7',
    });
    await clientApi('POST', '/v1/canned-responses', {
      shortcut: 'tracking',
      language: 'en',
      body: 'Hi {{customer.name}}, order {{order.id}} is on its way: {{order.trackingUrl}}',
    });
    await clientApi('POST', '/v1/canned-responses', {
      shortcut: 'thanks',
      language: 'en',
      body: 'Thanks for waiting, {{customer.name}}!',
    });

    const agent = await consoleFor(alice);
    await agent.locator('#list li', { hasText: 'Marta Lima' }).click();
    await agent.waitForSelector('#conv-title:text("Marta Lima")', { timeout: UI_TIMEOUT });
    await agent.click('#accept');
    await agent.waitForSelector('#send:not([disabled])', { timeout: UI_TIMEOUT });

    // `/` opens the picker; typing narrows it; Enter puts the filled text in the reply box.
    await agent.focus('#reply');
    await agent.keyboard.type('/');
    await agent.locator('#canned-picker li[data-shortcut=thanks]').waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await agent.locator('#canned-picker li[data-shortcut]').count(), 2);
    await agent.keyboard.type('tra');
    await waitUntil(
      async () => (await agent.locator('#canned-picker li[data-shortcut]').count()) === 1,
      UI_TIMEOUT,
      'the picker narrowed to /tracking',
    );
    await shot(agent, 'console-canned-picker.png');
    await agent.keyboard.press('Enter');
    const filled = 'Hi Marta Lima, order M-7 is on its way: https://track.example/JD7';
    assert.equal(await agent.inputValue('#reply'), filled);
    assert.ok(await agent.locator('#canned-picker').isHidden());
    await agent.click('#send');
    await stack.graph.waitFor(
      (s) =>
        s.some((m) => m.body.to === waId && (m.body.text as { body?: string } | undefined)?.body === filled),
      UI_TIMEOUT,
    );
    await agent.locator('#transcript li.out', { hasText: filled }).waitFor({ timeout: UI_TIMEOUT });

    // A note and a label on the card.
    await agent.fill('#note-input', 'Prefers a call after 6pm');
    await agent.click('#note-add');
    await agent
      .locator('#note-list li', { hasText: 'Prefers a call after 6pm' })
      .waitFor({ timeout: UI_TIMEOUT });
    assert.match(await agent.locator('#note-list li').first().innerText(), /^you · /m);
    await agent.fill('#label-input', 'VIP');
    await agent.click('#label-add');
    await agent.locator('#label-list li.label[data-label=VIP]').waitFor({ timeout: UI_TIMEOUT });
    await shot(agent, 'console-notes-labels.png');

    // The list filters by label: Marta's conversation, not Otto's.
    await agent.click('#tabs button[data-tab=mine]');
    await agent.click('#tabs button[data-tab=queue]');
    await agent.locator('#list li', { hasText: 'Otto Other' }).waitFor({ timeout: UI_TIMEOUT });
    await agent.fill('#label-filter', 'vip');
    await agent.click('#tabs button[data-tab=mine]');
    await agent.locator('#list li', { hasText: 'Marta Lima' }).waitFor({ timeout: UI_TIMEOUT });
    await agent.click('#tabs button[data-tab=queue]');
    await waitUntil(
      async () => (await agent.locator('#list li').count()) === 0,
      UI_TIMEOUT,
      "Otto's unlabelled conversation filtered out of the queue",
    );

    // The export lists both in clear.
    const exported = await clientApi('GET', `/v1/privacy/subjects/${waId}/export`);
    assert.deepEqual(exported.unreadable, []);
    assert.deepEqual(
      exported.tables.contact_notes.map((n: Json) => [n.body, n.author]),
      [['Prefers a call after 6pm', `agent:${alice.keyId}`]],
    );
    assert.deepEqual(
      exported.tables.conversation_labels.map((l: Json) => l.label),
      ['VIP'],
    );
    const audits = await stack.db.pool.query<{ action: string }>(
      `SELECT DISTINCT action FROM audit_log WHERE client_id = $1 AND actor = $2 ORDER BY action`,
      [client.clientId, alice.keyId],
    );
    for (const action of ['canned.render', 'contact.read', 'label.add', 'note.add'])
      assert.ok(
        audits.rows.some((r) => r.action === action),
        `${action} audited`,
      );

    // Erasure removes them.
    const { requestId } = await clientApi('DELETE', `/v1/privacy/subjects/${waId}`);
    await waitUntil(
      async () => (await clientApi('GET', `/v1/privacy/requests/${requestId}`)).status === 'completed',
      300_000,
      'the erasure completed',
    );
    assert.equal(await left('contact_notes', u.subjectHash), 0);
    assert.equal(await left('conversation_labels', u.subjectHash), 0);

    // Retention removes Otto's with his transcript, once its period has passed.
    await clientApi('POST', `/v1/conversations/${other.ref}/notes`, { text: 'Asked twice about glue' });
    await clientApi('POST', `/v1/conversations/${other.ref}/labels`, { label: 'glue' });
    assert.ok((await left('messages', other.subjectHash)) > 0);
    await agent.context().close();
    await sweepRetention(stack.db.pool, new Date(Date.now() + 400 * DAY), RETENTION_RULES, async () => {});
    for (const table of ['messages', 'contact_notes', 'conversation_labels'])
      assert.equal(await left(table, other.subjectHash), 0, `${table} gone with the transcript`);
  });

  it('when the agent reads Spanish or Portuguese, then the picker, the notes, the labels and the label filter are in that language', async () => {
    const carla = await mintKey(['agent'], 'Carla');
    const u = endUser(stack, client, '5511900000953');
    await u.says('I need a human agent', { name: 'Rui Costa' });
    await u.waitForMode('queued');
    for (const [locale, notes, labels, filter, none] of [
      [
        'es-ES',
        'Notas',
        'Etiquetas',
        'Filtrar por etiqueta',
        'Ninguna respuesta predefinida empieza por /zzz.',
      ],
      [
        'pt-PT',
        'Notas',
        'Etiquetas',
        'Filtrar por etiqueta',
        'Nenhuma resposta predefinida começa por /zzz.',
      ],
    ] as const) {
      const page = await consoleFor(carla, locale);
      assert.equal(await page.getAttribute('#label-filter', 'placeholder'), filter);
      await page.locator('#list li', { hasText: 'Rui Costa' }).click();
      await page.locator('#note-add').waitFor({ timeout: UI_TIMEOUT });
      const headings = await page.locator('#side h3').allInnerTexts();
      assert.ok(headings.includes(notes) && headings.includes(labels), headings.join(', '));
      assert.equal(
        await page.locator('#note-add').innerText(),
        locale === 'es-ES' ? 'Añadir nota' : 'Adicionar nota',
      );
      await page.focus('#reply');
      await page.keyboard.type('/zzz');
      await page.locator('#canned-picker li', { hasText: none }).waitFor({ timeout: UI_TIMEOUT });
      await shot(page, `console-notes-${locale.slice(0, 2)}.png`);
      await page.context().close();
    }
  });
});
