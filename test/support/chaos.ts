import assert from 'node:assert/strict';
import type { Harness } from '../../chaos/harness';
import { violations, type ScenarioResult } from '../../chaos/scenarios';

/** Fails with every broken promise of a scenario, the result and the processes' last log lines. */
export function assertClean(h: Harness, result: ScenarioResult): void {
  assert.deepEqual(
    violations(result),
    [],
    `${JSON.stringify(result, null, 2)}\n--- worker\n${h.worker.tail(20)}\n--- api\n${h.api.tail(20)}`,
  );
}
