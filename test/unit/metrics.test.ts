import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createMetrics } from '../../metrics';
import { serveWorkerMetrics } from '../../metrics/server';
import { freePort } from '../../temporal/dev-server';
import { testConfig } from '../support/env';

describe('worker metrics endpoint', () => {
  it('when scraped, then it serves the worker registry followed by the Temporal SDK metrics', async () => {
    const sdk = http.createServer((_req, res) => res.end('temporal_workflow_task_execution_failed{} 3\n'));
    await new Promise<void>((r) => sdk.listen(0, '127.0.0.1', r));
    const metrics = createMetrics('worker');
    metrics.messagesOut.inc({ type: 'text', outcome: 'sent' });
    const port = await freePort();
    const server = serveWorkerMetrics({
      port,
      host: '127.0.0.1',
      registry: metrics.registry,
      sdkMetricsUrl: `http://127.0.0.1:${(sdk.address() as AddressInfo).port}/metrics`,
    });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(text, /aura_messages_out_total\{type="text",outcome="sent",service="worker"\} 1/);
      assert.match(text, /temporal_workflow_task_execution_failed\{\} 3/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    } finally {
      server.close();
      sdk.close();
    }
  });

  it('when nothing configures its address, then the worker metrics endpoint listens on localhost only', async () => {
    const config = testConfig();
    assert.equal(config.workerMetricsHost, '127.0.0.1');
    const server = serveWorkerMetrics({
      port: await freePort(),
      host: config.workerMetricsHost,
      registry: createMetrics('worker').registry,
    });
    try {
      await once(server, 'listening');
      assert.equal((server.address() as AddressInfo).address, '127.0.0.1');
    } finally {
      server.close();
    }
  });
});
