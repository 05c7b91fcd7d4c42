import http from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The worker's `/metrics`: its own registry followed by the Temporal SDK's metrics (workflow task
 * failures, schedule-to-start latency, cache size …), which the SDK exports on an internal port.
 */
export function serveWorkerMetrics(opts: {
  port: number;
  /** Bind address: `127.0.0.1` by default (`WORKER_METRICS_HOST`), so metrics are not public. */
  host: string;
  registry: Registry;
  sdkMetricsUrl?: string;
  /** A port already in use must not stop the worker: it is reported and the worker runs on. */
  onError?: (err: Error) => void;
}): http.Server {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
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
