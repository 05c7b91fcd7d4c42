import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { translate } from '../../i18n';
import { conversation } from '../../i18n/conversation';
import { bodyOf, endUser, type TestClient } from '../conversation/helpers';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { PARAPHRASES, SHOP_FAQ } from '../support/faq';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';

/**
 * The business teaches the bot over the API and the customer's own words (never one of the
 * examples) get the answer, in the customer's language, through the signed webhook, the
 * conversation workflow, the NLU activity and the fake Graph API.
 */
describe('FAQ entries taught over the API, answered through webhook, workflow and Graph', () => {
  let stack: Stack;
  let client: TestClient;
  const ids = new Map<string, string>();
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const reply = async (waId: string, text: string) => {
    const u = endUser(stack, client, waId);
    const before = u.received().length;
    await u.says(text);
    return bodyOf((await u.waitForReplies(before + 1, 30_000)).at(-1)!);
  };

  before(async () => {
    stack = await startStack();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { settings: { language: 'en' } });
    for (const e of SHOP_FAQ) {
      const res = await call('POST', '/v1/bot/faq', {
        language: e.language,
        examples: e.examples,
        answer: e.answer,
      });
      assert.equal(res.status, 201);
      ids.set(e.id, ((await res.json()) as { id: string }).id);
    }
  });
  after(async () => {
    await stack?.close();
  });

  for (const [i, [lang, text, id]] of PARAPHRASES.entries()) {
    it(`when a customer asks "${text}" (${lang}), then the ${id} answer comes back in ${lang}`, async () => {
      const answer = SHOP_FAQ.find((e) => e.id === id)!.answer.text;
      assert.equal(await reply(`35191080000${i}`, text), answer);
    });
  }

  it("when the client set its own Spanish greeting, then a Spanish hello gets it, with the client's menu button titles", async () => {
    const res = await call('PUT', '/v1/bot/texts/es', {
      greeting: '¡Hola! Somos la Tienda Sol. ¿En qué te ayudamos?',
      'menu.human_agent': 'Hablar con Ana',
    });
    assert.equal(res.status, 200);
    const u = endUser(stack, client, '351910800200');
    await u.says('hola, buenas tardes');
    const [sent] = await u.waitForReplies(1, 30_000);
    assert.equal(bodyOf(sent!), '¡Hola! Somos la Tienda Sol. ¿En qué te ayudamos?');
    const buttons = (
      sent!.body as { interactive: { action: { buttons: { reply: { title: string } }[] } } }
    ).interactive.action.buttons.map((b) => b.reply.title);
    assert.deepEqual(buttons, [
      translate(conversation, 'es', 'menu.order_status'),
      translate(conversation, 'es', 'menu.shipping_quote'),
      'Hablar con Ana',
    ]);
  });

  it('when the entry is edited, then the next question gets the new answer; a built-in question still gets its own', async () => {
    const hours = ids.get('hours-en')!;
    const res = await call('PUT', `/v1/bot/faq/${hours}`, {
      examples: SHOP_FAQ.find((e) => e.id === 'hours-en')!.examples,
      answer: { text: 'Open every day, 8:00–22:00.' },
    });
    assert.equal(res.status, 200);
    assert.equal(
      await reply('351910800100', 'until what time are you open today?'),
      'Open every day, 8:00–22:00.',
    );
    assert.equal(
      await reply('351910800100', 'where is my order?'),
      translate(conversation, 'en', 'askOrder'),
    );
    assert.equal(
      await reply('351910800101', 'the weather on mars'),
      translate(conversation, 'en', 'fallback'),
    );
  });
});
