import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Harness } from '../../chaos/harness';
import { postgresOutage, temporalRestart, workerKill, type ScenarioResult } from '../../chaos/scenarios';
import { assertClean, chaosHarness } from '../support/chaos';

/** Short versions of chaos scenarios 1–3 (`npm run chaos` runs the full ones). */
const BURST = { messages: 60, users: 20, perSecond: 10 };

/** Every promise kept, and every message of the burst answered. */
function assertBurstClean(h: Harness, result: ScenarioResult): void {
  assertClean(h, result);
  assert.equal(result.answered, BURST.messages);
}

describe('chaos: process faults in the middle of a burst (short versions)', () => {
  const run = chaosHarness();

  it('when the worker is killed with SIGKILL mid-burst and restarted, then every message is answered and no duplicate is unexplained', async () => {
    const { h, repliesPerMessage } = run;
    const result = await workerKill(h, BURST, repliesPerMessage);
    assertBurstClean(h, result);
    assert.match(result.notes.join('\n'), /killed \(SIGKILL\)/);
  });

  it('when the Temporal server restarts mid-burst, then webhooks meeting the outage are redelivered and every message is answered once', async () => {
    const { h, repliesPerMessage } = run;
    const result = await temporalRestart(h, BURST, repliesPerMessage, 2_000);
    assertBurstClean(h, result);
    assert.equal(result.duplicates, 0);
  });

  it('when PostgreSQL is down mid-burst, then webhooks are still accepted, activities retry, every message is answered and no workflow fails', async () => {
    const { h, repliesPerMessage } = run;
    const result = await postgresOutage(h, BURST, repliesPerMessage, 4_000);
    assertBurstClean(h, result);
    assert.equal(result.unavailable, 0);
  });
});
