import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identifyLanguage, nextLanguage } from '../../nlu/language';
import type { Language } from '../../nlu/port';

/**
 * A labelled corpus of short WhatsApp-style messages: the language each is clearly written in, or
 * null where the conversation must not switch on it (acknowledgements, emoji, numbers, place names,
 * words every language shares). It is the data behind the choice of detector and switching rule
 * (see nlu/language.ts); a detector upgrade that makes it worse fails here.
 */
const CORPUS: [string, Language | null][] = [
  // English
  ['hello', 'en'],
  ['hi there', 'en'],
  ['good morning', 'en'],
  ['where is my order?', 'en'],
  ['where is my order #4521?', 'en'],
  ['how much is shipping to Spain?', 'en'],
  ['I want to talk to a person', 'en'],
  ['thank you so much', 'en'],
  ['thanks!', 'en'],
  ['can I return this item?', 'en'],
  ['my parcel arrived broken', 'en'],
  ['what are your opening hours', 'en'],
  ['do you ship to Brazil', 'en'],
  ['I never got my package', 'en'],
  ['hey, any update on my delivery?', 'en'],
  ['the tracking number does not work', 'en'],
  ['cancel my order please', 'en'],
  ['is anyone there?', 'en'],
  ['I need help', 'en'],
  ['how long does delivery take', 'en'],
  ['and to Spain?', 'en'],
  ['what about order A-10024?', 'en'],
  ['yes please', 'en'],
  ['no thanks', 'en'],
  ['I paid yesterday but it says pending', 'en'],
  ['wrong size, can I exchange it?', 'en'],
  ['how do returns work?', 'en'],
  ['please call me back', 'en'],
  // Spanish
  ['hola', 'es'],
  ['buenos días', 'es'],
  ['buenas tardes', 'es'],
  ['¿dónde está mi pedido?', 'es'],
  ['dónde está mi pedido 4521', 'es'],
  ['cuánto cuesta el envío a Madrid', 'es'],
  ['quiero hablar con una persona', 'es'],
  ['muchas gracias', 'es'],
  ['gracias', 'es'],
  ['¿puedo devolver este artículo?', 'es'],
  ['mi paquete llegó roto', 'es'],
  ['¿cuál es su horario?', 'es'],
  ['¿hacen envíos a Brasil?', 'es'],
  ['nunca recibí mi paquete', 'es'],
  ['oye, ¿hay novedades de mi envío?', 'es'],
  ['el número de seguimiento no funciona', 'es'],
  ['cancela mi pedido por favor', 'es'],
  ['¿hay alguien ahí?', 'es'],
  ['necesito ayuda', 'es'],
  ['¿cuánto tarda la entrega?', 'es'],
  ['¿y a España?', 'es'],
  ['¿y el pedido A-10024?', 'es'],
  ['sí, por favor', 'es'],
  ['no, gracias', 'es'],
  ['pagué ayer pero sale pendiente', 'es'],
  ['talla equivocada, ¿puedo cambiarla?', 'es'],
  ['¿cómo funcionan las devoluciones?', 'es'],
  ['llámenme por favor', 'es'],
  // Portuguese
  ['olá', 'pt'],
  ['oi', 'pt'],
  ['bom dia', 'pt'],
  ['boa tarde', 'pt'],
  ['onde está o meu pedido?', 'pt'],
  ['cadê meu pedido 4521', 'pt'],
  ['quanto custa o frete para Lisboa', 'pt'],
  ['quero falar com uma pessoa', 'pt'],
  ['muito obrigado', 'pt'],
  ['obrigado', 'pt'],
  ['obrigada!', 'pt'],
  ['posso devolver este produto?', 'pt'],
  ['minha encomenda chegou partida', 'pt'],
  ['qual é o horário de funcionamento?', 'pt'],
  ['vocês enviam para o Brasil?', 'pt'],
  ['nunca recebi a minha encomenda', 'pt'],
  ['alguma novidade sobre a entrega?', 'pt'],
  ['o código de rastreio não funciona', 'pt'],
  ['cancelem o meu pedido por favor', 'pt'],
  ['tem alguém aí?', 'pt'],
  ['preciso de ajuda', 'pt'],
  ['quanto tempo demora a entrega', 'pt'],
  ['e para Espanha?', 'pt'],
  ['e o pedido A-10024?', 'pt'],
  ['sim, por favor', 'pt'],
  ['não, obrigado', 'pt'],
  ['paguei ontem mas aparece pendente', 'pt'],
  ['tamanho errado, posso trocar?', 'pt'],
  ['como funcionam as devoluções?', 'pt'],
  ['me liguem por favor', 'pt'],
  // must never switch
  ['ok', null],
  ['OK', null],
  ['👍', null],
  ['🙏🙏', null],
  ['#4521', null],
  ['A-10024', null],
  ['9000100', null],
  ['1100-053', null],
  ['28013', null],
  ['01310-100', null],
  ['94105', null],
  ['menu', null],
  ['Menu', null],
  ['Lisboa', null],
  ['Madrid', null],
  ['Porto', null],
  ['Spain', null],
  ['Espanha', null],
  ['España', null],
  ['Brasil', null],
  ['Portugal', null],
  ['PT', null],
  ['?', null],
  ['...', null],
  ['no', null],
  ['sim', null],
  ['k', null],
  ['hmm', null],
  ['test', null],
  ['STOP', null],
  ['wow', null],
  ['haha', null],
  ['jaja', null],
  ['kkkk', null],
  ['SKU-TEE', null],
];

describe('language identification on short messages', () => {
  it('when the corpus is identified, then no message gets a wrong language, every one of three words or more is found, and 85% overall', async () => {
    const wrong: string[] = [];
    const missedSentences: string[] = [];
    let found = 0;
    const labelled = CORPUS.filter(([, lang]) => lang !== null);
    for (const [text, lang] of labelled) {
      const got = await identifyLanguage(text);
      if (got === lang) found += 1;
      else if (got) wrong.push(`${text} → ${got}`);
      else if (text.split(/\s+/).length >= 3) missedSentences.push(text);
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(missedSentences, []);
    // What is left unidentified are one-word greetings and thanks ("hola", "obrigado"): the engine's language decides those.
    assert.ok(found / labelled.length >= 0.85, `found ${found} of ${labelled.length}`);
  });

  it('when a message shows no language (ok, 👍, an order number, a postal code, a place), then it switches nothing', async () => {
    const switched: string[] = [];
    for (const [text, lang] of CORPUS)
      if (lang === null && (await identifyLanguage(text))) switched.push(text);
    assert.deepEqual(switched, []);
  });

  it('when the detector cannot tell, then the engine\'s matched language decides ("hola"); a no-match keeps the current one', () => {
    const es = { language: 'es' as const, noMatch: false };
    assert.deepEqual(nextLanguage('en', undefined, es), { language: 'es', sure: true });
    assert.deepEqual(nextLanguage('en', undefined, { language: 'es', noMatch: true }), {
      language: 'en',
      sure: false,
    });
    assert.deepEqual(nextLanguage('en', undefined, { language: 'en', noMatch: false }), {
      language: 'en',
      sure: false,
    });
    assert.deepEqual(nextLanguage('en', 'pt', es), { language: 'pt', sure: true });
  });
});
