import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevServer, type DevServer } from '../../temporal/dev-server';
import { clientIdAttribute, modeAttribute } from '../../temporal/search-attributes';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, wamid } from '../support/whatsapp';
import { bodyOf, endUser } from './helpers';

/**
 * A dedicated dev server that suggests continue-as-new after a few dozen events, so a conversation
 * goes through many runs while messages (and their redeliveries) keep arriving.
 */
describe('conversation engine: continue-as-new', () => {
  let server: DevServer;
  let stack: Stack;
  before(async () => {
    server = await startDevServer({
      headless: true,
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 },
    });
    stack = await startStack({ temporalAddress: server.address });
  });
  after(async () => {
    await stack?.close();
    await server?.stop();
  });

  it('when messages and their duplicates keep arriving across many runs, then each is answered once, in order', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const u = endUser(stack, client, '5511933300001');
    const t0 = Math.floor(Date.now() / 1000) - 60;
    const firstRunId = (
      await (async () => {
        await u.says('order 2000', { timestamp: t0 });
        await u.waitForReplies(1);
        return u.handle().describe();
      })()
    ).runId;
    const ids = Array.from({ length: 40 }, () => wamid());
    for (let i = 0; i < ids.length; i++) {
      await u.says(`order ${2001 + i}`, { id: ids[i], timestamp: t0 + 1 + i });
      // Meta redelivers: the previous message again, while the workflow may be continuing as new.
      if (i > 0) await u.says(`order ${2000 + i}`, { id: ids[i - 1], timestamp: t0 + i });
    }
    await u.waitForReplies(41, 60_000);
    for (const [i, id] of ids.entries()) await u.says(`order ${2001 + i}`, { id, timestamp: t0 + 1 + i });
    await new Promise((r) => setTimeout(r, 2_000));
    // Unknown numbers: not found, not found again, then the menu or a person is offered — the
    // dialogue state (what the bot asked, how often it missed) survives continue-as-new too.
    const numbers = u.received().map((m) => Number(/order (\d+)/.exec(bodyOf(m))?.[1] ?? 0));
    assert.deepEqual(
      numbers,
      Array.from({ length: 41 }, (_, i) => (i % 3 === 2 ? 0 : 2000 + i)),
    );
    const desc = await u.handle().describe();
    assert.notEqual(desc.runId, firstRunId, 'the conversation continued as new at least once');
    // The runs after the first carry its search attributes: operators still find it by client and mode.
    assert.equal(desc.typedSearchAttributes.get(clientIdAttribute), client.clientId);
    assert.equal(desc.typedSearchAttributes.get(modeAttribute), 'bot');
    const view = await u.view();
    assert.equal(view.handled, 41);
    assert.equal(view.mode, 'bot');
  });
});
