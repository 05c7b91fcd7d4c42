import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openHarness, type Harness } from '../../chaos/harness';
import { sample } from '../support/prometheus';

/**
 * The worker's `/metrics` as an operator scrapes it: the production entry point in its own process
 * (where the Temporal runtime is installed with its Prometheus exporter), not the in-process stack.
 */
describe('operations: the worker process exports the Temporal SDK metrics', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('when a workflow task fails on the worker, then its /metrics counts it in temporal_workflow_task_execution_failed', async () => {
    // A workflow type the worker does not have: a real workflow task failure, as a typo in a starter would cause.
    const workflowType = 'noSuchWorkflow';
    const failed = async () =>
      sample(await (await fetch(h.workerMetricsUrl)).text(), 'temporal_workflow_task_execution_failed', {
        workflow_type: workflowType,
        task_queue: h.taskQueue,
      });
    assert.equal(await failed(), 0);
    const handle = await h.temporal.workflow.start(workflowType, {
      taskQueue: h.taskQueue,
      workflowId: `metrics-${randomBytes(4).toString('hex')}`,
    });
    try {
      const deadline = Date.now() + 30_000;
      while ((await failed()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      assert.ok((await failed()) > 0, `no failure counted:\n${h.worker.tail(20)}`);
    } finally {
      await handle.terminate('test over');
    }
  });
});
