import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { SendMessageInput, SendMessageResult } from '../../activities/whatsapp';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';
import { bodyOf, endUser, type TestClient } from './helpers';
import { testActivityDeps } from '../support/activity-deps';

describe('conversation engine: opt-out', () => {
  let stack: Stack;
  let client: TestClient;
  let activities: ReturnType<typeof createActivities>;
  before(async () => {
    stack = await startStack();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    activities = createActivities(
      testActivityDeps(
        {
          db: stack.db.pool,
          temporal: stack.temporal,
          graphUrl: stack.graph.url,
          masterKey: stack.config.masterKey,
        },
        { vault: stack.vault, media: stack.media },
      ),
    );
  });
  after(async () => {
    await stack?.close();
  });

  const optedOut = async (subjectHash: string) =>
    (
      await stack.db.pool.query('SELECT opted_out FROM contacts WHERE client_id = $1 AND subject_hash = $2', [
        client.clientId,
        subjectHash,
      ])
    ).rows[0]?.opted_out as boolean | undefined;

  it('when the user sends STOP, then they are opted out at once with one confirmation, and the bot goes quiet', async () => {
    const u = endUser(stack, client, '5511977700001');
    await u.says('hi');
    await u.waitForReplies(1);
    await u.says('  Stop! ');
    const view = await u.waitForMode('opted_out');
    assert.equal(view.mode, 'opted_out');
    await u.says('STOP');
    await u.says('hello?');
    await new Promise((r) => setTimeout(r, 1_000));
    const replies = u.received();
    assert.equal(replies.length, 2);
    assert.match(bodyOf(replies[1]!), /unsubscribed/);
    assert.equal(await optedOut(u.subjectHash), true);
    assert.deepEqual((await u.handle().describe()).searchAttributes.AuraMode, ['opted_out']);
    const { rows } = await stack.db.pool.query(
      'SELECT event, source FROM consent_events WHERE client_id = $1 AND subject_hash = $2',
      [client.clientId, u.subjectHash],
    );
    assert.deepEqual(rows, [{ event: 'opt_out', source: 'whatsapp_keyword' }]);
  });

  it('when the user then sends START, then they are opted back in, in the language of their PARAR, and the bot answers again', async () => {
    const u = endUser(stack, client, '5511977700002');
    await u.says('PARAR');
    await u.waitForMode('opted_out');
    await u.says('START');
    await u.waitForMode('bot');
    await u.says('hello');
    const replies = await u.waitForReplies(3);
    assert.match(bodyOf(replies[0]!), /Te has dado de baja/);
    assert.match(bodyOf(replies[1]!), /Bienvenido de nuevo/);
    assert.equal(await optedOut(u.subjectHash), false);
  });

  it('when "cancel my order" is sent, then it is not an opt-out', async () => {
    const u = endUser(stack, client, '5511977700003');
    await u.says('cancel my order');
    await u.waitForReplies(1);
    assert.equal((await u.view()).mode, 'bot');
    assert.equal(await optedOut(u.subjectHash), false);
  });

  it('when STOP arrives while order notifications are being sent, then every send after the flag is refused by the send activity', async () => {
    const u = endUser(stack, client, '5511977700004');
    await u.says('hi');
    await u.waitForReplies(1);
    const env = new MockActivityEnvironment();
    const results: string[] = [];
    const notify = async (i: number) => {
      const input: SendMessageInput = {
        clientId: client.clientId,
        phoneNumberId: client.phoneNumberId,
        subjectHash: u.subjectHash,
        idempotencyKey: `order-notification-${u.subjectHash}-${i}`,
        content: { type: 'text', body: `Your order update ${i}` },
        sentBy: 'system',
      };
      const r = (await env.run(activities.sendMessage, input)) as SendMessageResult;
      results.push(r.status === 'sent' ? 'sent' : `refused:${r.reason}`);
    };
    const stop = u.says('STOP');
    for (let i = 0; !results.includes('refused:opted_out') && i < 500; i++) await notify(i);
    await stop;
    for (let i = 500; i < 505; i++) await notify(i);
    const firstRefusal = results.indexOf('refused:opted_out');
    assert.ok(firstRefusal >= 0);
    assert.ok(results.slice(firstRefusal).every((r) => r === 'refused:opted_out'));
    const notifications = u.received().filter((m) => bodyOf(m).startsWith('Your order update'));
    assert.equal(notifications.length, firstRefusal);
  });
});
