import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { ensureTemporalTools } from '../../temporal/tools';
import { RETENTION_WORKFLOW_TYPE } from '../../workflows/retention/contract';

describe('retention sweep timer (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: ensureTemporalTools().testServer } },
    });
  });
  after(async () => {
    await env?.teardown();
  });

  it('when days pass with no traffic at all, then the sweep runs once a day, every day', async () => {
    const sweeps: number[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'retention-timer',
      workflowsPath: require.resolve('../../workflows'),
      activities: {
        sweepRetention: async () => {
          sweeps.push(Date.now());
          return {};
        },
      },
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(RETENTION_WORKFLOW_TYPE, {
        workflowId: 'retention-timer',
        taskQueue: 'retention-timer',
        args: [{}],
      });
      await env.sleep('3 days');
      await env.sleep('1 hour');
      assert.equal(sweeps.length, 4, 'one sweep at start, then one per day');
      await handle.terminate('test done');
    });
  });
});
