import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzz } from '../../chaos/fuzz';
import { duplicateStorm } from '../../chaos/scenarios';
import { assertClean, chaosHarness } from '../support/chaos';

/** Short versions of chaos scenarios 4 and 5 (`npm run chaos` runs the full ones). */

describe('chaos: hostile deliveries (short versions)', () => {
  const run = chaosHarness();

  it('when every webhook is delivered three times concurrently in random order, then each message is handled once', async () => {
    const { h, repliesPerMessage } = run;
    const result = await duplicateStorm(h, { messages: 60, users: 20, perSecond: 20 }, repliesPerMessage);
    assertClean(h, result);
    assert.equal(result.posts, 180);
    assert.equal(result.answered, 60);
    assert.equal(result.duplicates, 0);
  });

  it('when mutated, random and badly signed payloads arrive, then no 5xx, no crash, and workflows start only for valid messages', async () => {
    const { h, repliesPerMessage } = run;
    const result = await fuzz(h, { signed: 300, badSignatures: 60, seed: 20261129 }, repliesPerMessage);
    assertClean(h, result);
    assert.ok(result.sent > 0, 'some mutations keep the message valid, and those are answered');
    assert.equal(result.answered, result.sent);
  });
});
