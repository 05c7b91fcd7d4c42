import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { barePlace, Dialogue, followUp, orderNumberIn, yesOrNo } from '../../workflows/conversation/dialogue';

describe('dialogue state', () => {
  it('when the bot asked and gets unusable answers, then it asks once more and then gives up', () => {
    const d = new Dialogue();
    d.ask('destination');
    assert.equal(d.miss(), 'again');
    d.ask('destination'); // asking the same question again keeps the count
    assert.equal(d.miss(), 'give_up');
    assert.equal(d.asked, undefined);
  });

  it('when a question is answered, then it is forgotten and the topic is kept for follow-ups', () => {
    const d = new Dialogue();
    d.ask('order_number');
    d.settle('order_status');
    assert.deepEqual(JSON.parse(JSON.stringify(d.carry())), { topic: 'order_status' });
    assert.deepEqual(new Dialogue(d.carry()).state.topic, 'order_status');
  });

  it('when a message holds an order number, then it is found in its usual shapes', () => {
    for (const [text, id] of [
      ['A-10024', 'A-10024'],
      ['#4521', '4521'],
      ['é o 4521', '4521'],
      ['what about order a-10024?', 'A-10024'],
      ['mi pedido es WA-1F2E3D4C5B6A', 'WA-1F2E3D4C5B6A'],
    ] as const)
      assert.equal(orderNumberIn(text), id, text);
    for (const text of ['ok', 'my order', 'Espanha', '12'])
      assert.equal(orderNumberIn(text), undefined, text);
  });

  it('when a yes/no question is answered in any of the languages, then the answer is read', () => {
    for (const text of ['yes', 'Sí', 'sim!', 'claro', 'ok', '👍']) assert.equal(yesOrNo(text), true, text);
    for (const text of ['no', 'Não, obrigado', 'no gracias', 'not now'])
      assert.equal(yesOrNo(text), false, text);
    assert.equal(yesOrNo('maybe tomorrow'), undefined);
  });

  it('when a short follow-up continues the last topic, then it is read as that topic ("and to Spain?")', () => {
    assert.deepEqual(followUp('and to Spain?', 'shipping_quote'), {
      topic: 'shipping_quote',
      destination: 'and to Spain?',
    });
    assert.equal(followUp('¿y a Sevilla?', 'shipping_quote')?.topic, 'shipping_quote');
    assert.equal(followUp('e para Espanha?', 'shipping_quote')?.topic, 'shipping_quote');
    assert.deepEqual(followUp('what about order A-10024?', 'order_status'), {
      topic: 'order_status',
      orderNumber: 'A-10024',
    });
    assert.equal(followUp('e o pedido A-10024?', 'order_status')?.topic, 'order_status');
    assert.equal(followUp('and to Spain?', undefined), undefined);
    assert.equal(followUp('what about it', 'order_status'), undefined);
    assert.equal(followUp('hello', 'shipping_quote'), undefined);
  });

  it('when a short text the NLU could not place follows a quote, then it may be the next destination ("Lisboa", "1100-053")', () => {
    for (const place of ['Lisboa', '1100-053', 'São Paulo', 'Rio de Janeiro'])
      assert.equal(barePlace(place, 'shipping_quote'), true, place);
    assert.equal(barePlace('Lisboa', 'order_status'), false, 'only after a quote');
    assert.equal(barePlace('Lisboa', undefined), false);
    assert.equal(barePlace('is it cheaper to Lisboa?', 'shipping_quote'), false, 'a question is not a place');
  });
});
