import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Language, Section } from '../../i18n';
import { conversation } from '../../i18n/conversation';
import { orders } from '../../i18n/orders';
import type { SentMessage } from '../../sandbox/fake-graph';
import { bodyOf, endUser, type TestClient } from '../conversation/helpers';
import { RATES } from '../orders/fixtures';
import { call, putRates } from '../orders/support';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';

/**
 * Whole dialogues in English, Spanish and Portuguese through the signed webhook, the conversation
 * and order workflows and the fake Graph API. "In the customer's language" is checked against the
 * catalogue: every line of every message the customer gets must be one of the catalogue's texts in
 * that language (placeholders standing for any value), and none may be a no-match.
 */

/** A catalogue text as a pattern: its literal parts exact, each `{placeholder}` any value. */
const pattern = (text: string) =>
  new RegExp(
    `^${text
      .split(/\{\w+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
    's',
  );

/** The catalogue key `line` is, in `lang`: of the texts it matches, the one with the most literal text. */
function keyOf(line: string, lang: Language): string | undefined {
  const literal = (text: string) => text.replace(/\{\w+\}/g, '').length;
  return ([conversation, orders] as Section[])
    .flatMap((texts) => Object.entries(texts[lang]))
    .filter(([, text]) => pattern(text).test(line))
    .sort((a, b) => literal(b[1]) - literal(a[1]))[0]?.[0];
}

/** The catalogue keys one message is made of, line by line; fails when a line is not in `lang`. */
function catalogueKeys(m: SentMessage, lang: Language): string[] {
  return bodyOf(m)
    .split('\n')
    .map((line) => {
      const key = keyOf(line, lang);
      assert.ok(key, `not a ${lang} catalogue text: ${JSON.stringify(line)}`);
      return key;
    });
}

const NO_MATCH = ['fallback', 'askOrderAgain', 'askDestinationAgain', 'askCallbackAgain', 'stuck'];

const SAYS = {
  en: {
    hello: 'hello there',
    statusOf: 'where is my order #{id}?',
    status: 'where is my order?',
    quoteTo: 'how much is shipping to Spain?',
    quote: 'how much is shipping?',
    country: 'Spain',
    postal: '28013',
    city: 'Seville',
    thanks: 'thank you so much',
    person: 'I want to talk to a person',
    stop: 'STOP',
  },
  es: {
    hello: 'hola, buenas tardes',
    statusOf: '¿dónde está mi pedido {id}?',
    status: '¿dónde está mi pedido?',
    quoteTo: '¿cuánto cuesta el envío a Portugal?',
    quote: '¿cuánto cuesta el envío?',
    country: 'España',
    postal: '28013',
    city: 'Sevilla',
    thanks: 'muchas gracias',
    person: 'quiero hablar con una persona',
    stop: 'PARAR',
  },
  pt: {
    hello: 'olá, bom dia',
    statusOf: 'onde está o meu pedido {id}?',
    status: 'onde está o meu pedido?',
    quoteTo: 'quanto custa o frete para Espanha?',
    quote: 'quanto custa o frete?',
    country: 'Espanha',
    postal: '9000100',
    city: 'Lisboa',
    thanks: 'muito obrigado',
    person: 'quero falar com uma pessoa',
    stop: 'SAIR',
  },
} satisfies Record<Language, Record<string, string>>;

describe('whole dialogues in the customer language (en, es, pt) through webhook, workflows and Graph', () => {
  let stack: Stack;
  let client: TestClient;
  before(async () => {
    stack = await startStack();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { language: 'en', country: 'PT', timezone: 'Europe/Lisbon' },
    });
    await putRates(stack, client.apiKey, {
      ...RATES,
      zones: [
        ...RATES.zones,
        {
          id: 'br',
          name: 'Brasil',
          countries: ['BR'],
          basePrice: 2500,
          brackets: [{ fromGrams: 0, price: 0 }],
        },
      ],
    });
  });
  after(async () => {
    await stack?.close();
  });

  for (const [lang, waId, orderId] of [
    ['en', '351910700001', 'A-51001'],
    ['es', '351910700002', 'A-51002'],
    ['pt', '351910700003', 'A-51003'],
  ] as const) {
    it(`when a customer writes ${lang}, then every reply and order notification is in ${lang} and no question of the bot's gets a no-match`, async () => {
      const u = endUser(stack, client, waId);
      const say = SAYS[lang];
      const got: string[][] = [];
      /** Sends `text` and waits for `replies` more messages; records their catalogue keys. */
      const turn = async (text: string, replies = 1) => {
        const before = u.received().length;
        await u.says(text);
        const sent = await u.waitForReplies(before + replies);
        const keys = sent.slice(before).map((m) => catalogueKeys(m, lang).join(' + '));
        got.push(keys);
        return keys;
      };
      const notified = async (count: number) => {
        const sent = await u.waitForReplies(count);
        return catalogueKeys(sent.at(-1)!, lang).join(' + ');
      };

      assert.deepEqual(await turn(say.hello), ['greeting']);
      const order = await call(stack, client.apiKey, 'POST', '/v1/orders', {
        orderId,
        customer: { userId: waId, name: 'Cliente' },
        currency: 'EUR',
        items: [{ sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1250, weightGrams: 400 }],
        deliveryAddress: { lines: ['Rua Augusta 1'], city: 'Lisboa', postalCode: '1100-048', country: 'PT' },
      });
      assert.equal(order.status, 201);
      assert.equal(await notified(2), 'confirmation + payBy');
      assert.deepEqual(await turn(say.statusOf.replace('{id}', orderId)), ['status.awaiting_payment']);
      assert.deepEqual(await turn(say.status), ['askOrder']);
      assert.deepEqual(await turn(orderId), ['status.awaiting_payment']);
      assert.deepEqual(await turn(say.quoteTo), ['quoteFrom']);
      for (const answer of [say.country, say.postal, say.city]) {
        assert.deepEqual(await turn(say.quote), ['askDestination']);
        assert.deepEqual(await turn(answer), ['quoteFrom'], `answered with ${answer}`);
      }
      assert.deepEqual(await turn(say.thanks), ['thanks']);
      await call(stack, client.apiKey, 'POST', `/v1/orders/${orderId}/payment`, {
        status: 'paid',
        reference: `p-${orderId}`,
      });
      assert.equal(await notified(u.received().length + 1), 'paymentReceived');
      await call(stack, client.apiKey, 'POST', `/v1/orders/${orderId}/shipment`, {
        carrier: 'CTT',
        trackingNumber: 'RR1PT',
        trackingUrl: 'https://track.example/RR1PT',
      });
      assert.equal(await notified(u.received().length + 1), 'shipped + trackIt');
      assert.deepEqual(await turn(say.person), ['queued']);
      await u.waitForMode('queued');
      assert.deepEqual(await turn(say.stop), ['optedOut']);
      await u.waitForMode('opted_out');

      const everything = u.received().flatMap((m) => catalogueKeys(m, lang));
      assert.deepEqual(
        everything.filter((k) => NO_MATCH.includes(k)),
        [],
        `no-match replies in ${JSON.stringify(got)}`,
      );
      const { rows } = await stack.db.pool.query(
        'SELECT language FROM contacts WHERE client_id = $1 AND subject_hash = $2',
        [client.clientId, u.subjectHash],
      );
      assert.equal(rows[0].language, lang);
    });
  }

  it('when a quote or a status was just answered, then "and to Spain?", a bare postal code and "what about order …?" continue it', async () => {
    const u = endUser(stack, client, '351910700004');
    const keys = async (text: string) => {
      const before = u.received().length;
      await u.says(text);
      const sent = await u.waitForReplies(before + 1);
      return { keys: catalogueKeys(sent.at(-1)!, 'en'), body: bodyOf(sent.at(-1)!) };
    };
    assert.deepEqual((await keys('how much is shipping to Portugal?')).keys, ['quoteFrom']);
    const spain = await keys('and to Spain?');
    assert.deepEqual(spain.keys, ['quoteFrom']);
    assert.match(spain.body, /Spain.*€7\.00/);
    const bare = await keys('1100-053');
    assert.deepEqual(bare.keys, ['quoteFrom'], 'a bare postal code right after a quote is priced');
    assert.match(bare.body, /Portugal/);
    await u.says('hi');
    await u.waitForReplies(4);
    await call(stack, client.apiKey, 'POST', '/v1/orders', {
      orderId: 'A-51004',
      customer: { userId: '351910700004' },
      currency: 'EUR',
      items: [{ sku: 'MUG-1', name: 'Mug', quantity: 1, unitPrice: 1250, weightGrams: 400 }],
      deliveryAddress: { lines: ['Rua Augusta 1'], postalCode: '1100-048', country: 'PT' },
    });
    await u.waitForReplies(5);
    assert.deepEqual((await keys('where is my order #A-51004?')).keys, ['status.awaiting_payment']);
    const other = await keys('what about order A-10024?');
    assert.deepEqual(other.keys, ['orderNotFound']);
    assert.match(other.body, /A-10024/);
  });
});
