import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { okApi } from '../support/api';
import { launchChromium, openConsole, screenshot as shot, UI_TIMEOUT } from '../support/browser';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, mintKey as mintAdminKey } from '../support/whatsapp';
import { orderInput, RATES } from '../orders/fixtures';
import { endUser } from '../conversation/helpers';

const DOCS = path.resolve(__dirname, '../../docs');
/** Runs in the page: the key the console keeps in session storage. */
const storedKey = () =>
  (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem(
    'aura.apiKey',
  );

type Key = { apiKey: string; keyId: string };

describe('agent console in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let client: { clientId: string; apiKey: string; phoneNumberId: string };

  const mintKey = (scopes: string[], label: string): Promise<Key> =>
    mintAdminKey(stack.apiUrl, client.clientId, scopes, label);

  /** The sandbox phone of one end-user (index into the page's user list). */
  const phone = async (userIndex: number): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 420, height: 780 } });
    await page.goto(`${stack.apiUrl}/sandbox`);
    await page.selectOption('#number', client.phoneNumberId);
    await page.selectOption('#user', { index: userIndex });
    return page;
  };
  const say = async (page: Page, text: string) => {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  };

  const clientApi = (method: string, p: string, body: unknown) =>
    okApi(stack.apiUrl, client.apiKey, method, p, body);

  /** The queue as a key sees it over the API: each entry's message preview, if it is given one. */
  const queuedPreviews = async (key: Key) => {
    const res = await fetch(`${stack.apiUrl}/v1/conversations?mode=queued`, {
      headers: { authorization: `Bearer ${key.apiKey}` },
    });
    assert.equal(res.status, 200);
    const { conversations } = (await res.json()) as { conversations: { lastMessage?: string }[] };
    return conversations.map((c) => c.lastMessage);
  };

  const consoleFor = async (key: Key): Promise<Page> => {
    const page = await openConsole(browser, stack.apiUrl, key.apiKey, {
      viewport: { width: 1280, height: 760 },
    });
    await page.waitForSelector('#live:text("live updates: on")', { timeout: UI_TIMEOUT });
    return page;
  };
  const queueItem = (page: Page, text: string) => page.locator('#list li', { hasText: text });

  before(async () => {
    stack = await startStack({ env: { AURA_PROFILE: 'local' }, statusWebhooks: true });
    browser = await launchChromium();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      name: 'Console Shop',
      settings: { insights: { reviewNoMatch: true } },
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('when a user asks for a human, then an agent sees it live, accepts, chats, resolves, and the bot answers again; a second agent is told who has it', async () => {
    const alice = await mintKey(['agent', 'settings'], 'Alice');
    const bob = await mintKey(['agent'], 'Bob');
    const agent = await consoleFor(alice);
    const second = await consoleFor(bob);
    assert.equal(await agent.evaluate(storedKey), alice.apiKey);
    assert.ok(!agent.url().includes(alice.apiKey), 'the key is never in the URL');

    const user = await phone(0);
    await say(user, 'I want to talk to a human please');
    const item = queueItem(agent, 'I want to talk to a human please');
    await item.waitFor({ timeout: UI_TIMEOUT });
    assert.match(await item.innerText(), /waiting \d+s/);
    await shot(agent, 'console-queue.png');

    // Both agents look at the waiting conversation; Alice accepts first.
    await queueItem(second, 'I want to talk to a human please').click();
    await second.waitForSelector('#accept:not([disabled])', { timeout: UI_TIMEOUT });
    await item.click();
    await agent.waitForSelector('#accept:not([disabled])', { timeout: UI_TIMEOUT });
    await agent.click('#accept');
    await agent.waitForSelector('#send:not([disabled])', { timeout: UI_TIMEOUT });
    // Written as the card writes moments (month name, no seconds), not as the browser's default.
    assert.match(
      await agent.locator('#conv-window').innerText(),
      /window open until [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/,
    );

    await second.waitForSelector('#conv-mode:text("with Alice")', { timeout: UI_TIMEOUT });
    await second.click('#accept');
    await second.waitForSelector('#banner:text("already has this conversation")', { timeout: UI_TIMEOUT });
    assert.match(await second.locator('#banner').innerText(), /Alice \(agent:[^)]+\) already has/);
    assert.ok(await second.locator('#send').isDisabled());

    await agent.fill('#reply', 'Hi, this is Alice. How can I help?');
    await agent.click('#send');
    await user.locator('.bubble.bot', { hasText: 'this is Alice' }).waitFor({ timeout: UI_TIMEOUT });
    await agent
      .locator('#transcript li.out', { hasText: 'this is Alice' })
      .locator('.ticks.read')
      .waitFor({ timeout: UI_TIMEOUT });

    // The customer's orders, with their status as it changes.
    await clientApi('PUT', '/v1/shipping/rates', RATES);
    const { currency, items, deliveryAddress } = orderInput();
    await clientApi('POST', '/v1/orders', {
      orderId: 'A-7001',
      customer: { userId: '5511999990001' },
      currency,
      items,
      deliveryAddress,
      phoneNumberId: client.phoneNumberId,
    });
    await agent.locator('#orders li', { hasText: 'A-7001' }).waitFor({ timeout: UI_TIMEOUT });
    await clientApi('POST', '/v1/orders/A-7001/payment', { status: 'paid', reference: 'pay-7001' });
    await agent.locator('#orders li', { hasText: 'A-7001 · paid' }).waitFor({ timeout: UI_TIMEOUT });

    await say(user, 'my parcel arrived broken');
    await agent
      .locator('#transcript li.in', { hasText: 'parcel arrived broken' })
      .waitFor({ timeout: UI_TIMEOUT });
    const conversationShot = await shot(agent, 'console-conversation.png');
    // The docs' screenshot (docs/console.md) is refreshed by deleting it and running this test; otherwise every run
    // would leave the committed image modified.
    if (!existsSync(path.join(DOCS, 'console.png'))) {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(conversationShot, path.join(DOCS, 'console.png'));
    }

    await agent.click('#resolve');
    await agent.waitForSelector('#conv-mode[data-mode=bot]', { timeout: UI_TIMEOUT });
    await say(user, 'hello');
    await user
      .locator('.bubble.bot', { hasText: 'How can we help you today?' })
      .waitFor({ timeout: UI_TIMEOUT });
    await say(user, 'purple elephants at 42 Elm St');
    await user.locator('.bubble.bot', { hasText: 'did not understand' }).waitFor({ timeout: UI_TIMEOUT });

    const { rows: audits } = await stack.db.pool.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE client_id = $1 AND actor = $2`,
      [client.clientId, alice.keyId],
    );
    const actions = new Set(audits.map((a) => a.action));
    for (const a of ['conversation.preview', 'transcript.read', 'conversation.assign'])
      assert.ok(actions.has(a), `audited ${a}`);

    await agent.click('#tabs button[data-tab=insights]');
    await agent.waitForSelector('#insights-body .metric', { timeout: UI_TIMEOUT });
    await agent
      .locator('#no-match li', { hasText: 'purple elephants at [number] Elm St' })
      .waitFor({ timeout: UI_TIMEOUT });
    await shot(agent, 'console-insights.png', true);
    await Promise.all([user.close(), second.close(), agent.close()]);
  });

  it('when an agent writes to a user who opted out, then the console shows the refusal; only agents get queue previews', async () => {
    const carol = await mintKey(['agent'], 'Carol');
    const agent = await consoleFor(carol);
    const user = await phone(1);
    await say(user, 'I need a human agent');
    const item = queueItem(agent, 'I need a human agent');
    await item.waitFor({ timeout: UI_TIMEOUT });
    assert.deepEqual(await queuedPreviews(carol), ['I need a human agent']);
    assert.deepEqual(await queuedPreviews(await mintKey(['conversations:read'], 'Reports')), [undefined]);
    await item.click();
    await agent.waitForSelector('#accept:not([disabled])', { timeout: UI_TIMEOUT });
    await agent.click('#accept');
    await agent.waitForSelector('#send:not([disabled])', { timeout: UI_TIMEOUT });

    await say(user, 'STOP');
    await agent.waitForSelector('#conv-mode[data-mode=opted_out]', { timeout: UI_TIMEOUT });
    await agent.fill('#reply', 'Are you still there?');
    await agent.click('#send');
    await agent.waitForSelector('#banner:text("opted out")', { timeout: UI_TIMEOUT });
    await shot(agent, 'console-opted-out.png');
    await Promise.all([user.close(), agent.close()]);
  });

  it('when an agent reading Spanish or Portuguese accepts a conversation, then the header says it is with them, in their language', async () => {
    for (const [locale, waId, withYou] of [
      ['es-ES', '5511900000961', 'agente · contigo'],
      ['pt-PT', '5511900000962', 'agente · com você'],
    ] as const) {
      const key = await mintKey(['agent'], `Agent ${locale}`);
      const u = endUser(stack, client, waId);
      await u.says('I want to talk to a human please', { name: `Cliente ${locale}` });
      await u.waitForMode('queued');
      const page = await openConsole(browser, stack.apiUrl, key.apiKey, { locale });
      await page.locator('#list li', { hasText: `Cliente ${locale}` }).click();
      await page.waitForSelector('#accept:not([disabled])', { timeout: UI_TIMEOUT });
      await page.click('#accept');
      await page.waitForSelector('#send:not([disabled])', { timeout: UI_TIMEOUT });
      assert.equal(await page.locator('#conv-mode').innerText(), withYou);
      await page.context().close();
    }
  });

  it('when the agent key is revoked, then the console signs out with a message', async () => {
    const dave = await mintKey(['agent'], 'Dave');
    const agent = await consoleFor(dave);
    const res = await fetch(`${stack.apiUrl}/admin/v1/clients/${client.clientId}/keys/${dave.keyId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.ok(res.ok);
    await agent.click('#tabs button[data-tab=mine]');
    await agent.waitForSelector('#sign-in:not([hidden])', { timeout: UI_TIMEOUT });
    assert.match(await agent.locator('#banner').innerText(), /no longer valid/);
    assert.equal(await agent.evaluate(storedKey), null);
    assert.ok(await agent.locator('#workspace').isHidden(), 'the conversations are no longer shown');
    assert.ok(await agent.locator('#tabs').isHidden());
    await agent.close();
  });
});
