import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';
import { bodyOf, endUser, type TestClient } from './helpers';

describe('conversation engine: the bot', () => {
  let stack: Stack;
  let client: TestClient;
  let n = 0;
  const user = () => endUser(stack, client, `55119888${String((n += 1)).padStart(5, '0')}`);
  before(async () => {
    stack = await startStack();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { handoff: { keywords: ['complaint'] } },
    });
  });
  after(async () => {
    await stack?.close();
  });

  it('when the user greets, then the bot answers with the menu buttons; "menu" gets an interactive list', async () => {
    const u = user();
    await u.says('hello');
    await u.says('menu');
    const [greeting, menu] = await u.waitForReplies(2);
    assert.equal((greeting!.body.interactive as { type: string }).type, 'button');
    assert.equal((menu!.body.interactive as { type: string }).type, 'list');
  });

  it('when the user asks for an order by number without an orders module, then the bot says it cannot find it', async () => {
    const u = user();
    await u.says('where is my order #4521?');
    await u.says('order status please');
    const [first, second] = await u.waitForReplies(2);
    assert.match(bodyOf(first!), /couldn't find order 4521/);
    assert.match(bodyOf(second!), /order number/);
  });

  it('when the user asks for shipping without a destination, then the bot asks for it; with one and no rates, it says it cannot quote, in the language of the answer', async () => {
    const u = user();
    await u.says('how much is shipping?');
    await u.says('cuánto cuesta el envío a Madrid');
    const [ask, quote] = await u.waitForReplies(2);
    assert.match(bodyOf(ask!), /Where should we ship to/);
    assert.match(bodyOf(quote!), /Ahora no puedo calcular el envío/);
  });

  it('when the user taps a menu button, then its action runs without NLU', async () => {
    const u = user();
    const id = await u.sends({
      type: 'interactive',
      payload: { type: 'button_reply', button_reply: { id: 'menu:shipping_quote', title: 'Shipping cost' } },
    });
    const [reply] = await u.waitForReplies(1);
    assert.match(bodyOf(reply!), /Where should we ship to/);
    const { rows } = await stack.db.pool.query('SELECT 1 FROM nlu_results WHERE message_id = $1', [id]);
    assert.equal(rows.length, 0, 'no NLU result was recorded for a tap');
  });

  it('when the user writes twice something the bot does not understand, then the conversation is queued for an agent', async () => {
    const u = user();
    await u.says('purple elephants');
    await u.says('blue giraffes');
    await u.waitForMode('queued');
    const replies = await u.waitForReplies(2);
    const view = await u.view();
    assert.equal(view.queue?.position, 1 + (await countOtherWaiting(stack, client.clientId, u.ref)));
    assert.match(bodyOf(replies[0]!), /did not understand/);
    assert.match(bodyOf(replies[1]!), /connecting you/);
    const { rows } = await stack.db.pool.query(
      'SELECT reason, status, priority FROM handoff_queue WHERE client_id = $1 AND ref = $2',
      [client.clientId, u.ref],
    );
    assert.deepEqual(rows, [{ reason: 'no_match', status: 'waiting', priority: 0 }]);
  });

  it('when the message names a client handoff keyword or asks for a human, then it is queued', async () => {
    const u = user();
    await u.says('I have a complaint about my parcel');
    await u.waitForMode('queued');
    const v = user();
    await v.says('quero falar com um atendente');
    await v.waitForMode('queued');
    const [reply] = await v.waitForReplies(1);
    assert.match(bodyOf(reply!), /transferindo/);
    const desc = await v.handle().describe();
    assert.deepEqual(desc.searchAttributes.AuraMode, ['queued']);
  });

  it('when the user writes while queued, then the bot stays silent and the message is recorded', async () => {
    const u = user();
    await u.says('talk to a human');
    await u.waitForMode('queued');
    await u.says('hello?? anyone');
    await u.waitForReplies(1);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(u.received().length, 1);
    const { rows } = await stack.db.pool.query(
      "SELECT count(*)::int AS n FROM messages WHERE client_id = $1 AND subject_hash = $2 AND direction = 'in'",
      [client.clientId, u.subjectHash],
    );
    assert.equal(rows[0].n, 2);
  });

  it('when a voice note cannot be read (no media store), then the bot asks for text (not a no-match) and carries on', async () => {
    const u = user();
    await u.sends({ type: 'audio', payload: { id: 'media-unknown', voice: true } });
    await u.says('hello');
    const [first, second] = await u.waitForReplies(2);
    assert.match(bodyOf(first!), /can't listen to it/);
    assert.equal((second!.body.interactive as { type: string }).type, 'button');
  });

  it('when 50 messages arrive in a burst from one user, then each is answered exactly once, in order', async () => {
    const u = user();
    const start = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 50; i++) await u.says(`order ${1000 + i}`, { timestamp: start + i });
    const replies = await u.waitForReplies(50, 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(u.received().length, 50);
    // Not found, not found again, then the menu or a person is offered (two unusable answers).
    const numbers = replies.map((m) => Number(/order (\d+)/.exec(bodyOf(m))?.[1] ?? 0));
    assert.deepEqual(
      numbers,
      Array.from({ length: 50 }, (_, i) => (i % 3 === 2 ? 0 : 1000 + i)),
    );
    assert.equal((await u.view()).handled, 50);
  });
});

async function countOtherWaiting(stack: Stack, clientId: string, ref: string): Promise<number> {
  const { rows } = await stack.db.pool.query(
    "SELECT count(*)::int AS n FROM handoff_queue WHERE client_id = $1 AND ref <> $2 AND status = 'waiting'",
    [clientId, ref],
  );
  return rows[0].n as number;
}
