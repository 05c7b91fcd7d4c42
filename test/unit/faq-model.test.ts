import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faqReply, trainFaqModel } from '../../nlu/faq-model';
import { PARAPHRASES, SHOP_FAQ } from '../support/faq';

describe('FAQ model (nlp.js, trained from the built-in intents and the entries)', () => {
  it('when a customer paraphrases an entry in en, es or pt, then the model finds that entry', async () => {
    const model = await trainFaqModel(SHOP_FAQ);
    for (const [lang, text, id] of PARAPHRASES) {
      const match = await model.classify(text, lang);
      assert.equal(match?.entry.id, id, `${lang}: ${text} (${match?.confidence})`);
      assert.ok(match.confidence >= 0.5, `${text}: confidence ${match.confidence}`);
    }
  });

  it('when a message is a built-in intent or nothing of the FAQ, then no entry is matched', async () => {
    const model = await trainFaqModel(SHOP_FAQ);
    for (const [lang, text] of [
      ['en', 'where is my order?'],
      ['en', 'I want to talk to a person'],
      ['es', 'hola'],
      ['pt', 'quanto custa o frete para Espanha?'],
      ['en', 'the weather on mars'],
    ] as const) {
      const match = await model.classify(text, lang);
      assert.ok(
        !match || match.confidence < 0.5,
        `${text}: matched ${match?.entry.id} (${match?.confidence})`,
      );
    }
  });

  it('when an answer has buttons or a link, then the reply carries them', () => {
    assert.deepEqual(faqReply({ text: 'Pick one', buttons: ['Returns', 'Hours'] }), {
      type: 'buttons',
      body: 'Pick one',
      buttons: [
        { id: 'faq:0', title: 'Returns' },
        { id: 'faq:1', title: 'Hours' },
      ],
    });
    assert.deepEqual(
      faqReply({ text: 'See', link: { url: 'https://shop.example/returns', label: 'Returns' } }),
      {
        type: 'text',
        body: 'See\n\nReturns: https://shop.example/returns',
      },
    );
  });
});
