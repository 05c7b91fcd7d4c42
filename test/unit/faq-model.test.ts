import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaqEntry } from '../../db/bot-content';
import type { Queryable } from '../../db/pool';
import { faqReply, trainFaqModel } from '../../nlu/faq-model';
import { createTaughtEngine } from '../../nlu/taught';
import { PARAPHRASES, SHOP_FAQ } from '../support/faq';

/** A `Queryable` answering the taught engine's two reads from memory, and counting them. */
function memoryDb(content: { entries: FaqEntry[]; version: number }) {
  const reads = { version: 0, entries: 0 };
  const db: Queryable = {
    query: ((sql: string) => {
      if (sql.includes('bot_content_version')) {
        reads.version += 1;
        return Promise.resolve({ rows: [{ version: String(content.version) }] });
      }
      reads.entries += 1;
      const at = new Date(0);
      return Promise.resolve({
        rows: content.entries.map((e) => ({ ...e, created_at: at, updated_at: at })),
      });
    }) as unknown as Queryable['query'],
  };
  return { db, reads };
}

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

  it('when the turn carries the content version, then the engine reads no version and retrains only when the version moves', async () => {
    const hours = SHOP_FAQ.find((e) => e.id === 'hours-en')!;
    const returns = SHOP_FAQ.find((e) => e.id === 'returns-en')!;
    const content = { entries: [hours], version: 1 };
    const { db, reads } = memoryDb(content);
    const trainings: number[] = [];
    const engine = createTaughtEngine(db, { onTrained: (t) => trainings.push(t.entries) });
    const ask = (text: string, contentVersion?: number) =>
      engine.detect({ clientId: 'c1', subjectHash: 's1', text, languageHint: 'en', contentVersion });

    for (let i = 0; i < 5; i++)
      assert.equal((await ask('until what time are you open today?', 1)).parameters.faqId, 'hours-en');
    assert.deepEqual([reads, trainings], [{ version: 0, entries: 1 }, [1]], 'trained once, no version read');

    content.entries = [hours, returns];
    content.version = 2;
    assert.equal((await ask('how can I return the shoes I bought?', 2)).parameters.faqId, 'returns-en');
    assert.deepEqual(trainings, [1, 2], 'retrained when the turn read a new version');
    assert.equal(reads.version, 0);

    // A caller that did not read the version (e.g. a test harness): the engine reads it itself.
    assert.equal((await ask('how can I return the shoes I bought?')).parameters.faqId, 'returns-en');
    assert.deepEqual([reads.version, trainings.length], [1, 2]);
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
