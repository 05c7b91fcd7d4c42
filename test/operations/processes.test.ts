import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { openHarness, type Harness } from '../../chaos/harness';
import { sample } from '../support/prometheus';

/**
 * The production entry points as operators run them, each in its own process (the worker installs
 * the Temporal runtime with its Prometheus exporter; the API's shutdown hook runs on SIGTERM), not
 * the in-process stack.
 */
describe('operations: the worker and API processes', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('when the worker process polls, then its /readyz is 200 naming the identity Temporal lists as a poller', async () => {
    const res = await fetch(h.workerMetricsUrl.replace('/metrics', '/readyz'));
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; identity: string; taskQueue: string };
    assert.deepEqual(body, {
      status: 'polling',
      identity: `${h.worker.pid}@${hostname()}`,
      taskQueue: h.taskQueue,
    });
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

  it('when the API is stopped while a console streams events, then the stream ends cleanly and the process exits by itself', async () => {
    const minted = await fetch(`${h.apiUrl}/admin/v1/clients/${h.client.clientId}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['agent'] }),
    });
    const { apiKey } = (await minted.json()) as { apiKey: string };
    const res = await fetch(`${h.apiUrl}/v1/conversations/events`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const ended = (async () => {
      try {
        while (!(await reader.read()).done);
        return 'ended';
      } catch {
        return 'cut'; // the process died with the stream open
      }
    })();
    await h.api.stop();
    assert.equal(await ended, 'ended');
    assert.equal(h.api.exitCode, 0, 'exited by itself, not killed');
    assert.deepEqual(h.crashes, []);
  });
});
