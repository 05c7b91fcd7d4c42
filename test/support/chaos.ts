import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { openHarness, type Harness, type HarnessOptions } from '../../chaos/harness';
import { calibrate } from '../../chaos/measure';
import { violations, type ScenarioResult } from '../../chaos/scenarios';

/** Fails with every broken promise of a scenario, the result and the processes' last log lines. */
export function assertClean(h: Harness, result: ScenarioResult): void {
  assert.deepEqual(
    violations(result),
    [],
    `${JSON.stringify(result, null, 2)}\n--- worker\n${h.worker.tail(20)}\n--- api\n${h.api.tail(20)}`,
  );
}

/**
 * A chaos harness for the tests of one `describe` block: opened before them (with how many replies
 * one message gets, measured once), closed after. Read `h` and `repliesPerMessage` inside a test.
 */
export function chaosHarness(opts: HarnessOptions = {}): { h: Harness; repliesPerMessage: number } {
  const held = {} as { h: Harness; repliesPerMessage: number };
  before(async () => {
    held.h = await openHarness(opts);
    held.repliesPerMessage = await calibrate(held.h);
  });
  after(async () => {
    await held.h?.close();
  });
  return held;
}
