import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Harness } from '../../chaos/harness';
import {
  killAfterAccepted,
  postgresOutage,
  temporalRestart,
  workerKill,
  type ScenarioResult,
} from '../../chaos/scenarios';
import { assertClean, chaosHarness } from '../support/chaos';

/** Short versions of chaos scenarios 1–3 and 1b (`npm run chaos` runs the full ones). */
const BURST = { messages: 60, users: 20, perSecond: 10 };

/** Every promise kept, and every message of the burst answered. */
function assertBurstClean(h: Harness, result: ScenarioResult): void {
  assertClean(h, result);
  assert.equal(result.answered, BURST.messages);
}

describe('chaos: process faults in the middle of a burst (short versions)', () => {
  const run = chaosHarness({ statuses: true });

  it('when the worker is killed with SIGKILL mid-burst and restarted, then every message is answered once', async () => {
    const { h, repliesPerMessage } = run;
    const result = await workerKill(h, BURST, repliesPerMessage);
    assertBurstClean(h, result);
    assert.equal(result.duplicates, 0);
    assert.match(result.notes.join('\n'), /killed \(SIGKILL\)/);
  });

  it("when the worker dies between Meta's 200 and the wamid record, three times, then every message is answered exactly once", async () => {
    const { h, repliesPerMessage } = run;
    const burst = { messages: 30, users: 10, perSecond: 2 };
    const result = await killAfterAccepted(h, burst, repliesPerMessage, 3);
    assertClean(h, result);
    assert.equal(result.answered, burst.messages);
    assert.equal(result.duplicates, 0);
    assert.equal(result.unrecorded, 0);
    assert.match(result.notes.join('\n'), /3 workers killed/);
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
