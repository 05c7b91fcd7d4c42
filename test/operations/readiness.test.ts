import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../api/app';
import { createSecretBox } from '../../crypto/secret-box';
import { createLogger } from '../../logging';
import { createMetrics } from '../../metrics';
import { serveWorkerMetrics } from '../../metrics/server';
import { freePort } from '../../temporal/dev-server';
import { startStack, type Stack } from '../support/stack';

describe('readiness means a worker is there to answer', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  /** An API like the stack's, but for a task queue that no worker polls. */
  async function apiWithoutWorker(): Promise<{ url: string; close(): Promise<void> }> {
    const config = {
      ...stack.config,
      temporal: { ...stack.config.temporal, taskQueue: `nobody-${Date.now()}` },
    };
    const app = createApp({
      config,
      db: stack.db.pool,
      temporal: stack.temporal,
      secrets: createSecretBox(config.masterKey),
      keys: stack.keys,
      vault: stack.vault,
      log: createLogger('silent'),
      metrics: createMetrics('api'),
    });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((r) => server.close(() => r())),
    };
  }

  it('when no worker polls the task queue, then /readyz is 503 naming the worker, while PostgreSQL and Temporal are ok', async () => {
    const api = await apiWithoutWorker();
    try {
      const res = await fetch(`${api.url}/readyz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), {
        status: 'unavailable',
        checks: { postgres: 'ok', temporal: 'ok', worker: 'down', graphTokens: 'ok', templates: 'ok' },
        down: ['worker'],
      });
      assert.equal((await fetch(`${api.url}/healthz`)).status, 200, 'alive all the same');
    } finally {
      await api.close();
    }
  });

  it('when a worker polls the task queue, then /readyz is 200 with the worker ok', async () => {
    const res = await fetch(`${stack.apiUrl}/readyz`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { checks: { worker: string } }).checks.worker, 'ok');
  });
});

describe("the worker's own /readyz", () => {
  const serve = async (readiness: () => Promise<{ ready: boolean; body: Record<string, unknown> }>) => {
    const port = await freePort();
    const server = serveWorkerMetrics({
      port,
      host: '127.0.0.1',
      registry: createMetrics('worker').registry,
      readiness,
    });
    await new Promise((r) => setTimeout(r, 50));
    return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
  };

  it('when the worker is warming, not polling or Temporal does not answer, then 503 with the reason; when it polls, then 200', async () => {
    const states: (() => Promise<{ ready: boolean; body: Record<string, unknown> }>)[] = [
      async () => ({ ready: false, body: { status: 'warming' } }),
      async () => ({ ready: false, body: { status: 'not_polling' } }),
      () => new Promise(() => undefined), // Temporal hangs
      async () => ({ ready: true, body: { status: 'polling', identity: '1@host' } }),
    ];
    let current = 0;
    const endpoint = await serve(() => states[current]!());
    try {
      const answers: [number, unknown][] = [];
      for (current = 0; current < states.length; current++) {
        const res = await fetch(`${endpoint.url}/readyz`);
        answers.push([res.status, ((await res.json()) as { status: string }).status]);
      }
      assert.deepEqual(answers, [
        [503, 'warming'],
        [503, 'not_polling'],
        [503, 'unknown'],
        [200, 'polling'],
      ]);
      assert.equal((await fetch(`${endpoint.url}/healthz`)).status, 200);
    } finally {
      endpoint.close();
    }
  });
});
