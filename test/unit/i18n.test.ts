import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fill, sectionProblems, supportedLanguage, type Section } from '../../i18n';
import { REFUSAL_REASONS } from '../../activities/whatsapp';
import { SECTIONS } from '../../i18n/sections';
import { REFUSAL_TYPES } from '../../workflows/conversation/state';

describe('message catalogue', () => {
  for (const [name, texts] of Object.entries(SECTIONS)) {
    it(`when section ${name} is read in every language, then each has the same keys and placeholders, none empty`, () => {
      assert.deepEqual(sectionProblems(texts), []);
    });
  }

  it('when the API refuses an action or a send, then the console words every reason in the agent’s language', () => {
    const words = Object.keys(SECTIONS.console!.en);
    const typed = REFUSAL_TYPES.filter((t) => t !== 'OwnedByAnother').map((t) => `refused.${t}`);
    const sends = REFUSAL_REASONS.map((r) => `notSent.${r}`);
    assert.deepEqual(
      [...typed, ...sends].filter((k) => !words.includes(k)),
      [],
    );
  });

  it('when a language lacks a key, has an extra one or other placeholders, then the check names each', () => {
    const broken = {
      en: { a: 'Order {id}', b: 'y' },
      es: { a: 'Pedido {id}' },
      pt: { a: 'Pedido {ref}', b: 'y', c: 'z' },
    } as unknown as Section;
    assert.deepEqual(sectionProblems(broken), [
      'es lacks b',
      'pt.a has other placeholders than en',
      'pt has extra c',
    ]);
  });

  it('when a language code has a region or is unsupported, then the base language or the fallback is used', () => {
    assert.equal(supportedLanguage('pt-BR'), 'pt');
    assert.equal(supportedLanguage('es_ES'), 'es');
    assert.equal(supportedLanguage('fr'), 'en');
    assert.equal(supportedLanguage(undefined, 'es'), 'es');
  });

  it('when placeholders are filled, then named values replace them and unknown ones stay visible', () => {
    assert.equal(fill('Order {id}: {status}', { id: 'A-1', status: 'paid' }), 'Order A-1: paid');
    assert.equal(fill('Hi {name}'), 'Hi {name}');
  });
});
