import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { consoleTexts } from '../../i18n/console';
import { consoleAttentionTexts } from '../../i18n/console-attention';
import { okApi } from '../support/api';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { launchChromium, openConsole, screenshot as shot, UI_TIMEOUT } from '../support/browser';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, mintKey as mintAdminKey } from '../support/whatsapp';
import { endUser, type TestClient } from '../conversation/helpers';

type Key = { apiKey: string; keyId: string };
/** What the page's stubbed `Notification` recorded (runs in the page). */
type Recorded = { title: string; tag?: string }[];
/** The page's globals the test reads (this file is compiled without the DOM library). */
type Win = {
  document: {
    querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  };
  dispatchEvent(e: Event): boolean;
};

/**
 * Runs in the page before its scripts: a `Notification` that records what the console shows and
 * asks for permission like a browser would (granted here), and a focus the test can take away.
 * A string, not a function: the test runner's transpiler adds helpers a page does not have.
 */
const STUB_NOTIFICATIONS = `
  window.__shown = [];
  window.__focused = true;
  class FakeNotification {
    static permission = 'default';
    static requestPermission() {
      FakeNotification.permission = 'granted';
      return Promise.resolve('granted');
    }
    constructor(title, opts = {}) {
      this.onclick = null;
      window.__shown.push({ title, tag: opts.tag });
    }
    close() {}
  }
  window.Notification = FakeNotification;
  document.hasFocus = () => window.__focused === true;
`;

describe('agent console: template picker, attention and availability in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let client: TestClient;

  const mintKey = (scopes: string[], label: string): Promise<Key> =>
    mintAdminKey(stack.apiUrl, client.clientId, scopes, label);
  const consoleFor = async (key: Key, locale = 'en-US'): Promise<Page> => {
    const lang = locale.slice(0, 2) as 'en' | 'es' | 'pt';
    const page = await openConsole(browser, stack.apiUrl, key.apiKey, {
      viewport: { width: 1280, height: 800 },
      locale,
      initScript: STUB_NOTIFICATIONS,
    });
    await page.waitForSelector('#availability', { timeout: UI_TIMEOUT });
    await page.waitForSelector(`#live:text("${consoleTexts[lang]['live.on']}")`, { timeout: UI_TIMEOUT });
    return page;
  };
  const shown = (page: Page) => page.evaluate(() => (globalThis as unknown as { __shown: Recorded }).__shown);
  const setFocus = (page: Page, focused: boolean) =>
    page.evaluate((f) => {
      (globalThis as unknown as { __focused: boolean }).__focused = f;
      (globalThis as unknown as Win).dispatchEvent(new Event(f ? 'focus' : 'blur'));
    }, focused);
  const waitForShown = (page: Page, n: number) =>
    page.waitForFunction(
      (count) => (globalThis as unknown as { __shown: Recorded }).__shown.length >= count,
      n,
      {
        timeout: UI_TIMEOUT,
      },
    );

  before(async () => {
    stack = await startStack({ env: { AURA_PROFILE: 'local' } });
    browser = await launchChromium();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      name: 'Attention Shop',
      settings: {
        handoff: { slaMinutes: 2, maxWaitMinutes: 600, agentIdleMinutes: 600, keywords: [] },
        templates: {
          handoff_update: { name: 'team_follow_up', language: 'en' },
          order_shipped: { name: 'order_shipped_v2', language: 'en', parameters: ['#1', 'a carrier'] },
        },
      },
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('when the window is closed, then the reply box is the template picker: the note says why in the agent’s language, and fields, preview and send deliver the template', async () => {
    const alice = await mintKey(['agent'], 'Alice');
    const u = endUser(stack, client, '5511988800001');
    await u.says('hello there', {
      timestamp: Math.floor(Date.now() / 1000) - 25 * 3600,
      name: 'Carla Stale',
    });
    await u.waitForHandled(1);
    const page = await consoleFor(alice);
    await page.click('#tabs button[data-tab=bot]');
    await page.locator('#list li', { hasText: 'Carla Stale' }).click();
    await page.waitForSelector('#takeover:not([disabled])', { timeout: UI_TIMEOUT });
    await page.click('#takeover');

    await page.waitForSelector('#template-picker:not([hidden]) #template-select', { timeout: UI_TIMEOUT });
    assert.equal(await page.isHidden('#reply-form'), true, 'no free-text box while the window is closed');
    assert.equal(await page.textContent('#template-why'), consoleAttentionTexts.en['template.why']);
    const options = await page.locator('#template-select option').allTextContents();
    assert.deepEqual(options, [
      'Order shipped · order_shipped_v2 (en)',
      'Message from the team · team_follow_up (en)',
    ]);
    // The configured values prefill the two slots; the agent changes them, the preview follows.
    assert.deepEqual(
      await page
        .locator('#template-fields input')
        .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value)),
      ['#1', 'a carrier'],
    );
    await page.fill('#template-fields input[data-index="0"]', '#1042');
    await page.fill('#template-fields input[data-index="1"]', 'DHL');
    assert.match(
      (await page.textContent('#template-preview'))!,
      /order_shipped_v2 \(en\).*\{\{1\}\} = #1042.*\{\{2\}\} = DHL/s,
    );
    // A template without configured values: free fields, added by the agent.
    await page.selectOption('#template-select', '1');
    assert.equal(await page.locator('#template-fields input').count(), 0);
    await page.click('#template-add');
    await page.fill('#template-fields input[data-index="0"]', 'Ana');
    assert.match((await page.textContent('#template-preview'))!, /team_follow_up \(en\).*\{\{1\}\} = Ana/s);
    await shot(page, 'console-template-picker.png');
    await page.click('#template-send');

    const [sent] = await u.waitForReplies(1);
    const template = sent!.body.template as {
      name: string;
      components: { parameters: { text: string }[] }[];
    };
    assert.equal(template.name, 'team_follow_up');
    assert.deepEqual(
      template.components[0]!.parameters.map((p) => p.text),
      ['Ana'],
    );
    await page.waitForSelector('#banner.info:text("Template team_follow_up sent.")', { timeout: UI_TIMEOUT });
    await page.waitForSelector(
      '#transcript li.out[data-status="sent"], #transcript li.out[data-status="delivered"]',
      {
        timeout: UI_TIMEOUT,
      },
    );

    for (const [lang, locale] of [
      ['es', 'es-ES'],
      ['pt', 'pt-PT'],
    ] as const) {
      const other = await consoleFor(alice, locale);
      await other.click('#tabs button[data-tab=mine]');
      await other.locator('#list li').first().click();
      await other.waitForSelector('#template-picker:not([hidden]) #template-why', { timeout: UI_TIMEOUT });
      assert.equal(await other.textContent('#template-why'), consoleAttentionTexts[lang]['template.why']);
      assert.equal(await other.textContent('#template-send'), consoleAttentionTexts[lang]['template.send']);
      await shot(other, `console-template-picker-${lang}.png`);
      await other.context().close();
    }
    await page.context().close();
  });

  it("when the client's template is synced from Meta, then the picker's fields are named after its placeholders and the preview is its body with the typed values", async () => {
    const wabaId = `7${Date.now()}`;
    const text = 'Olá {{first_name}}, sobre o pedido {{order_id}}: responda quando puder.';
    stack.graph.setTemplates(wabaId, [
      {
        name: 'seguimento_nomeado',
        language: 'pt_BR',
        status: 'APPROVED',
        category: 'UTILITY',
        components: [{ type: 'BODY', text }],
      },
    ]);
    const shop = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { wabaId, name: 'Loja Nomeada' });
    await okApi(stack.apiUrl, shop.apiKey, 'POST', '/v1/templates/sync');
    await okApi(stack.apiUrl, shop.apiKey, 'PATCH', '/v1/settings', {
      language: 'pt',
      templates: {
        handoff_update: {
          name: 'seguimento_nomeado',
          language: 'pt_BR',
          parameters: ['cliente', 'seu pedido'],
        },
      },
    });
    const bea = await mintAdminKey(stack.apiUrl, shop.clientId, ['agent'], 'Bea');
    const u = endUser(stack, shop, '5511988800031');
    await u.says('olá, o meu pedido chegou partido', {
      timestamp: Math.floor(Date.now() / 1000) - 25 * 3600,
      name: 'Duarte Antigo',
    });
    await u.waitForHandled(1);
    const page = await consoleFor(bea, 'pt-PT');
    await page.click('#tabs button[data-tab=bot]');
    await page.locator('#list li', { hasText: 'Duarte Antigo' }).click();
    await page.waitForSelector('#takeover:not([disabled])', { timeout: UI_TIMEOUT });
    await page.click('#takeover');
    await page.waitForSelector('#template-picker:not([hidden]) #template-body', { timeout: UI_TIMEOUT });

    const labels = await page
      .locator('#template-fields input')
      .evaluateAll((els) =>
        els.map((e) =>
          (e as unknown as { getAttribute(n: string): string | null }).getAttribute('aria-label'),
        ),
      );
    assert.deepEqual(labels, ['first_name', 'order_id']);
    assert.equal(
      await page.textContent('#template-body'),
      'Olá cliente, sobre o pedido seu pedido: responda quando puder.',
    );
    await page.fill('#template-fields input[data-index="0"]', 'Duarte');
    await page.fill('#template-fields input[data-index="1"]', 'SB-1042');
    assert.equal(
      await page.textContent('#template-body'),
      'Olá Duarte, sobre o pedido SB-1042: responda quando puder.',
    );
    await page.fill('#template-fields input[data-index="1"]', '');
    assert.match((await page.textContent('#template-body'))!, /sobre o pedido \{\{order_id\}\}:/);
    await page.fill('#template-fields input[data-index="1"]', 'SB-1042');
    await page.locator('#template-send').scrollIntoViewIfNeeded();
    await shot(page, 'console-template-named-pt.png');
    await page.click('#template-send');

    const [sent] = await u.waitForReplies(1);
    const template = sent!.body.template as { name: string; components: { parameters: unknown[] }[] };
    assert.equal(template.name, 'seguimento_nomeado');
    assert.deepEqual(template.components[0]!.parameters, [
      { type: 'text', parameter_name: 'first_name', text: 'Duarte' },
      { type: 'text', parameter_name: 'order_id', text: 'SB-1042' },
    ]);
  });
  it('when the agent is not looking, then a new queued conversation and a new message in one of theirs notify and count in the title; waits turn amber then red against the SLA; away agents get no queue notifications', async () => {
    const bob = await mintKey(['agent'], 'Bob');
    const page = await consoleFor(bob);
    const baseTitle = await page.title();
    // Permission is asked on the agent's click, not before.
    await page.click('#notify');
    await page.waitForSelector('#notify', { state: 'detached', timeout: UI_TIMEOUT });
    await setFocus(page, false);

    const u = endUser(stack, client, '5511988800002');
    await u.says('I want to talk to a human please');
    await waitForShown(page, 1);
    assert.deepEqual(await shown(page), [
      { title: consoleAttentionTexts.en['attention.queued'], tag: u.ref },
    ]);
    assert.equal(await page.title(), `(1) ${baseTitle}`);

    // Bob accepts (over the API: the page keeps looking away) and the customer writes again.
    const accepted = await fetch(`${stack.apiUrl}/v1/conversations/${u.ref}/assign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.apiKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(accepted.status, 200);
    await u.says('are you there?');
    await waitForShown(page, 2);
    assert.equal((await shown(page))[1]!.title, consoleAttentionTexts.en['attention.message']);
    assert.equal(await page.title(), `(2) ${baseTitle}`);
    await setFocus(page, true);
    assert.equal(await page.title(), baseTitle, 'looking again clears the count');

    // Waiting time against the 2-minute SLA: amber from 90 s, red past 2 min.
    const v = endUser(stack, client, '5511988800003');
    await v.says('I want a person now');
    await v.waitForMode('queued');
    const waitOf = page.locator('#list li', { hasText: 'I want a person now' }).locator('.top span').last();
    await waitOf.waitFor({ timeout: UI_TIMEOUT });
    assert.match((await waitOf.getAttribute('class'))!, /muted/);
    const age = (seconds: number) =>
      stack.db.pool.query(
        `UPDATE handoff_queue SET queued_at = now() - make_interval(secs => $3) WHERE client_id = $1 AND ref = $2 AND status = 'waiting'`,
        [client.clientId, v.ref, seconds],
      );
    await age(100);
    await page.click('#tabs button[data-tab=queue]');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as Win).document.querySelector('#list li .sla-near')?.getAttribute('title') ===
        'close to the 2-minute SLA',
      null,
      { timeout: UI_TIMEOUT },
    );
    await age(130);
    await page.click('#tabs button[data-tab=queue]');
    await page.waitForSelector('#list li .sla-past[title="past the 2-minute SLA"]', { timeout: UI_TIMEOUT });
    await shot(page, 'console-queue-sla.png');

    // Away: the toggle is stored, and a new queued conversation no longer notifies this agent.
    await page.click('#availability');
    await page.waitForSelector('#availability[data-status="away"]:text("Away")', { timeout: UI_TIMEOUT });
    const me = await fetch(`${stack.apiUrl}/v1/agents/me`, {
      headers: { authorization: `Bearer ${bob.apiKey}` },
    });
    assert.equal(((await me.json()) as { availability: { status: string } }).availability.status, 'away');
    await setFocus(page, false);
    const w = endUser(stack, client, '5511988800004');
    await w.says('I need a human agent');
    await w.waitForMode('queued');
    await page.locator('#list li', { hasText: 'I need a human agent' }).waitFor({ timeout: UI_TIMEOUT });
    assert.equal((await shown(page)).length, 2, 'no queue notification while away');
    assert.equal(await page.title(), baseTitle);
    await page.click('#availability');
    await page.waitForSelector('#availability[data-status="available"]', { timeout: UI_TIMEOUT });
    await shot(page, 'console-availability.png');
    await page.context().close();
  });
});
