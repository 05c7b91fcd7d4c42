import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractDestination, extractOrderNumber, understandText } from '../../nlu/builtin';
import { consentKeyword, matchesHandoffKeyword } from '../../workflows/conversation/keywords';

describe('built-in NLU', () => {
  const cases: [string, string, string][] = [
    ['Hello there', 'greeting', 'en'],
    ['hola', 'greeting', 'es'],
    ['Bom dia!', 'greeting', 'pt'],
    ['menu', 'help', 'en'],
    ['necesito ayuda', 'help', 'es'],
    ['where is my order #4521?', 'order_status', 'en'],
    ['¿Dónde está mi pedido 8812?', 'order_status', 'es'],
    ['quero rastrear minha encomenda', 'order_status', 'pt'],
    ['how much is shipping to Lisbon?', 'shipping_quote', 'en'],
    ['cuánto cuesta el envío a Madrid', 'shipping_quote', 'es'],
    ['qual o frete para São Paulo', 'shipping_quote', 'pt'],
    ['I want to talk to a human', 'human_agent', 'en'],
    ['quiero hablar con un asesor', 'human_agent', 'es'],
    ['quero falar com um atendente', 'human_agent', 'pt'],
    ['thanks a lot', 'thanks', 'en'],
    ['muchas gracias', 'thanks', 'es'],
    ['valeu, tchau', 'thanks', 'pt'],
  ];
  for (const [text, intent, language] of cases) {
    it(`when the user writes "${text}", then the intent is ${intent} in ${language}`, () => {
      const r = understandText(text, 'en');
      assert.equal(r.intent, intent);
      assert.equal(r.language, language);
      assert.ok(r.confidence > 0.5 && r.confidence <= 1);
      assert.equal(r.noMatch, false);
    });
  }

  it('when the client language is Spanish and the word is shared, then Spanish is detected', () => {
    assert.equal(understandText('menu', 'es').language, 'es');
    assert.equal(understandText('pedido 1234', 'pt').language, 'pt');
  });

  it('when nothing matches, then fallback with no-match and zero confidence', () => {
    const r = understandText('purple elephants dance', 'en');
    assert.deepEqual([r.intent, r.noMatch, r.confidence], ['fallback', true, 0]);
  });

  it('when an order number is present, then it is extracted', () => {
    assert.deepEqual(understandText('where is my order #4521?', 'en').parameters, { orderNumber: '4521' });
    assert.equal(extractOrderNumber('pedido A-10023 por favor'), 'A-10023');
    assert.equal(understandText('#99812', 'en').intent, 'order_status');
    assert.deepEqual(understandText('order status please', 'en').parameters, {});
  });

  it('when a destination is present, then it is extracted', () => {
    assert.deepEqual(understandText('how much is shipping to Lisbon?', 'en').parameters, {
      destination: 'Lisbon',
    });
    assert.equal(extractDestination('qual o frete para São Paulo'), 'São Paulo');
    assert.equal(extractDestination('cuánto cuesta el envío a Madrid'), 'Madrid');
    assert.deepEqual(understandText('shipping costs?', 'en').parameters, {});
  });
});

describe('consent keywords', () => {
  for (const text of [
    'STOP',
    ' stop ',
    'Stop!',
    'STOP ALL',
    'stop-all',
    'Unsubscribe.',
    'opt out',
    'OPT-OUT',
    'END',
    'quit',
    'Parar',
    'darme de baja',
    'cancelar inscrição',
    'SAIR',
  ]) {
    it(`when the whole message is "${text}", then it is an opt-out`, () => {
      assert.equal(consentKeyword(text)?.kind, 'opt_out');
    });
  }
  for (const [text, language] of [
    ['PARAR', 'es'],
    ['darme de baja', 'es'],
    ['SAIR', 'pt'],
    ['Unsubscribe', 'en'],
    ['STOP', undefined],
  ] as const) {
    it(`when the opt-out is "${text}", then it tells the language ${language ?? 'of nobody in particular'}`, () => {
      assert.equal(consentKeyword(text)?.language, language);
    });
  }
  for (const text of ['START', 'unstop', 'Start.']) {
    it(`when the whole message is "${text}", then it is an opt-in`, () => {
      assert.equal(consentKeyword(text)?.kind, 'opt_in');
    });
  }
  for (const text of [
    'cancel my order',
    'please stop sending the wrong size',
    'the end of the week',
    'starting now',
  ]) {
    it(`when the message is "${text}", then it is not a consent keyword`, () => {
      assert.equal(consentKeyword(text), undefined);
    });
  }

  it('when a client keyword appears as whole words, then it matches; as part of a word, it does not', () => {
    assert.equal(matchesHandoffKeyword('I have a COMPLAINT about it', ['complaint']), true);
    assert.equal(matchesHandoffKeyword('complaints dept', ['complaint']), false);
    assert.equal(matchesHandoffKeyword('anything', []), false);
  });
});
