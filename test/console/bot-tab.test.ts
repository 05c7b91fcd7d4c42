import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bodyOf, endUser, type TestClient } from '../conversation/helpers';
import { launchChromium, openConsole, screenshot, UI_TIMEOUT } from '../support/browser';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, waitUntil } from '../support/whatsapp';

type Catalogue = Record<'en' | 'es' | 'pt', Record<string, string>>;

/**
 * Every text a person reads in these parts of the page: text nodes (hidden ones too), option
 * labels, placeholders, aria-labels and titles, trimmed.
 */
const SHOWN_TEXTS = (selectors: string[]) => `(() => {
  const out = [];
  for (const root of document.querySelectorAll(${JSON.stringify(selectors.join(','))})) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push(n.textContent.trim());
    for (const node of [root, ...root.querySelectorAll('*')])
      for (const name of ['placeholder', 'aria-label', 'title'])
        if (node.hasAttribute(name)) out.push(node.getAttribute(name).trim());
  }
  return out.filter(Boolean);
})()`;

/** A catalogue text as a pattern: its `{placeholders}` match anything. */
const pattern = (text: string) =>
  new RegExp(
    `^${text
      .split(/\{\w+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&'))
      .join('.+')}$`,
  );

/** The shown texts that are neither user content nor one of the catalogue's texts of a language. */
function notInLanguage(shown: string[], texts: Record<string, string>, userContent: string[]): string[] {
  const patterns = Object.values(texts).map(pattern);
  return shown.filter((s) => !userContent.includes(s) && !patterns.some((p) => p.test(s)));
}

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
  const consoleFor = (key: string, locale = 'en-US') =>
    openConsole(browser, stack.apiUrl, key, { viewport: { width: 1280, height: 900 }, locale });
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
    await screenshot(page, 'console-bot-tab.png', true);

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

  it('when a key has the settings scope, then the Bot tab is offered under its name; without it, it is not', async () => {
    const teacher = await consoleFor(await mintKey(['agent', 'settings']));
    await teacher.locator('#bot-tab').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    assert.equal(await teacher.locator('#bot-tab').innerText(), 'Bot');
    const agent = await consoleFor(await mintKey(['agent']));
    assert.equal(await agent.locator('#bot-tab').count(), 1);
    assert.equal(await agent.locator('#bot-tab').isHidden(), true);
  });

  interface InLanguage {
    lang: 'es' | 'pt';
    texts: Record<string, string>;
    t: (key: string, vars?: Record<string, string>) => string;
  }
  const inLanguage = async (lang: 'es' | 'pt'): Promise<InLanguage> => {
    const read = async (name: string) =>
      ((await (await fetch(`${stack.apiUrl}/i18n/${name}.json`)).json()) as Catalogue)[lang];
    const texts = { ...(await read('common')), ...(await read('console')) };
    const t = (key: string, vars: Record<string, string> = {}) =>
      texts[key]!.replace(/\{(\w+)\}/g, (_, name: string) => vars[name]!);
    return { lang, texts, t };
  };
  /** The first example and the answer of each entry (of one language): what the client wrote. */
  const written = async (language = '') =>
    (
      (await call(client.apiKey, 'GET', `/v1/bot/faq${language && `?language=${language}`}`)).body
        .entries as Entry[]
    ).flatMap((e) => [e.examples[0]!, e.answer.text]);
  const nonsense = (lang: string) =>
    `${lang === 'es' ? 'violet giraffes' : 'orange penguins'} skating quietly`;

  /** The Bot tab with an entry open for editing: every text, the saved banner, the confirm dialog. */
  async function checkBotTab(page: Page, { lang, texts, t }: InLanguage, question: string) {
    await page.click('#bot-tab');
    await page.selectOption('#faq-filter', lang);
    const row = page.locator('#faq-list li', { hasText: question });
    await row.waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await page.locator('#bot-tab').innerText(), t('tab.teach'));
    assert.equal(await page.locator('#faq-language option[value=pt]').innerText(), t('language.pt'));
    await row.locator('.faq-edit').click();
    assert.equal(await page.locator('#faq-save').innerText(), t('faq.saveChanges'));
    const shown = (await page.evaluate(SHOWN_TEXTS(['#bot-tab', '#bot-content']))) as string[];
    for (const k of ['faq.title', 'faq.empty', 'faq.examples', 'faq.cancel', 'faq.listLabel'])
      assert.ok(shown.includes(t(k)), k);
    assert.deepEqual(notInLanguage(shown, texts, [...(await written(lang)), lang, 'https://…']), []);
    await screenshot(page, `console-bot-tab-${lang}.png`, true);

    await page.click('#faq-save');
    await page.waitForSelector(`#banner:text("${t('faq.saved')}")`, { timeout: UI_TIMEOUT });
    const dialog = page.waitForEvent('dialog');
    const clicked = row.locator('.faq-delete').click();
    const confirm = await dialog;
    assert.equal(confirm.message(), t('faq.confirmDelete', { question }));
    await confirm.dismiss();
    await clicked;
  }

  /** The Teach controls beside this language's no-match utterance, then teaching it as a new entry. */
  async function checkTeach(page: Page, { lang, texts, t }: InLanguage, answer: string) {
    await page.click('#tabs button[data-tab="insights"]');
    const item = page.locator('#no-match li', { hasText: nonsense(lang) });
    await item.locator('.teach button').waitFor({ timeout: UI_TIMEOUT });
    const controls = (await page.evaluate(SHOWN_TEXTS(['#no-match .teach']))) as string[];
    for (const k of ['teach.as', 'teach.newEntry', 'teach.answer', 'teach.submit'])
      assert.ok(controls.includes(t(k)), k);
    assert.deepEqual(notInLanguage(controls, texts, await written()), []);
    await item.locator('.teach-answer').fill(answer);
    await screenshot(page, `console-bot-teach-${lang}.png`, true);
    await item.locator('.teach button').click();
    await page.waitForSelector(`#banner:text("${t('teach.done')}")`, { timeout: UI_TIMEOUT });
  }

  it('when the agent reads Spanish or Portuguese, then the Bot tab, its banners, its confirm dialog and the Teach controls are in that language, no English left', async () => {
    const key = await mintKey(['agent', 'settings']);
    const cases = [
      { lang: 'es', locale: 'es-ES', waId: '351910900011', answer: 'Sí, en 3 días.' },
      { lang: 'pt', locale: 'pt-PT', waId: '351910900012', answer: 'Sim, em 3 dias.' },
    ] as const;
    const examples = {
      es: ['¿hacen envíos a Canarias?', '¿envían a las islas?'],
      pt: ['fazem entregas nos Açores?', 'enviam para as ilhas?'],
    };
    // Said before the entries exist: a model of one entry would take anything for it.
    for (const { lang, waId } of cases) await endUser(stack, client, waId).says(nonsense(lang));
    await waitUntil(
      async () =>
        ((await call(client.apiKey, 'GET', '/v1/insights/no-match')).body.items as { text: string }[]).filter(
          (i) => i.text.endsWith('skating quietly'),
        ).length === 2,
      20_000,
      'utterances kept',
    );
    for (const { lang, locale, answer } of cases) {
      await call(client.apiKey, 'POST', '/v1/bot/faq', {
        language: lang,
        examples: examples[lang],
        answer: { text: answer },
      });
      const page = await consoleFor(key, locale);
      await checkBotTab(page, await inLanguage(lang), examples[lang][0]!);
      await checkTeach(page, await inLanguage(lang), answer);
      await page.context().close();
    }
  });
});
