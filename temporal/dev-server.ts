import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_FLAGS } from './search-attributes';
import { ensureTemporalTools } from './tools';

export interface DevServer {
  readonly address: string;
  readonly uiUrl: string | undefined;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs` (10 s by default). */
  stop(graceMs?: number): Promise<void>;
}

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  /** Persistent SQLite file; in-memory when omitted. */
  dbFile?: string;
  headless?: boolean;
  namespace?: string;
  codecEndpoint?: string;
  dynamicConfig?: Record<string, string | number | boolean>;
  log?: (line: string) => void;
  /** Aborting kills the server, also while it is still starting. */
  signal?: AbortSignal;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `temporal server start-dev` and resolves once its frontend answers gRPC calls. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const { temporal } = ensureTemporalTools();
  const port = opts.port ?? (await freePort());
  const namespace = opts.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const attr of SEARCH_ATTRIBUTE_FLAGS) args.push('--search-attribute', attr);
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
  }
  if (opts.headless) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort ?? 8233));
  if (opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  const dynamic = { 'frontend.enableExecuteMultiOperation': true, ...opts.dynamicConfig };
  for (const [k, v] of Object.entries(dynamic))
    args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);

  const child = spawn(temporal, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const abort = () => child.kill('SIGKILL');
  opts.signal?.addEventListener('abort', abort, { once: true });
  const log = opts.log ?? (() => undefined);
  child.stdout?.on('data', (d: Buffer) => log(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log(d.toString()));
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilReachable(address, child);
  } finally {
    opts.signal?.removeEventListener('abort', abort);
  }
  return {
    address,
    uiUrl: opts.headless ? undefined : `http://127.0.0.1:${opts.uiPort ?? 8233}`,
    process: child,
    stop: (graceMs) => stopProcess(child, graceMs),
  };
}

async function waitUntilReachable(address: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() < deadline) {
    if (exited !== null)
      throw new Error(`temporal server exited with code ${String(exited)} before answering`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`temporal server at ${address} did not answer within ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
