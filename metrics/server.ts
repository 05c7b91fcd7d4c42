import http from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The worker's HTTP endpoint: `/metrics` (its own registry followed by the Temporal SDK's metrics —
 * workflow task failures, schedule-to-start latency, cache size … — which the SDK exports on an
 * internal port), `/healthz` (the process runs) and `/readyz` (200 only while `readiness` says so:
 * the worker is warm and Temporal lists its pollers; what orchestrators' health checks ask).
 */
export function serveWorkerMetrics(opts: {
  port: number;
  /** Bind address: `127.0.0.1` by default (`WORKER_METRICS_HOST`), so metrics are not public. */
  host: string;
  registry: Registry;
  sdkMetricsUrl?: string;
  readiness?: () => Promise<{ ready: boolean; body: Record<string, unknown> }>;
  /** A port already in use must not stop the worker: it is reported and the worker runs on. */
  onError?: (err: Error) => void;
}): http.Server {
  const server = http.createServer((req, res) => {
    const json = (status: number, body: unknown) =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/healthz') return json(200, { status: 'ok' });
    if (req.url === '/readyz' && opts.readiness) {
      void withTimeout(opts.readiness(), 2_000).then(
        (r) => json(r.ready ? 200 : 503, r.body),
        () => json(503, { status: 'unknown', reason: 'Temporal did not answer' }),
      );
      return;
    }
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    void (async () => {
      const own = await opts.registry.metrics();
      const sdk = opts.sdkMetricsUrl
        ? await fetch(opts.sdkMetricsUrl).then(
            (r) => (r.ok ? r.text() : ''),
            () => '',
          )
        : '';
      res.writeHead(200, { 'content-type': opts.registry.contentType }).end(`${own}\n${sdk}`);
    })();
  });
  server.on('error', (err) => opts.onError?.(err));
  server.listen(opts.port, opts.host);
  return server;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
