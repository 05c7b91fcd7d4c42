import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { parseConfig, processEnv } from '../config';
import { blindIndexKey } from '../crypto/keys';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded';
import { migrate } from '../db/migrate';
import { createPool, type Db } from '../db/pool';
import { startFakeGraph, type FakeGraph } from '../sandbox/fake-graph';
import { provisionClient } from '../sandbox/provision';
import { createTemporalClient } from '../temporal/connection';
import { freePort, startDevServer, type DevServer } from '../temporal/dev-server';
import { build } from '../scripts/build';
import { ManagedProcess, type Crash } from './processes';

const ROOT = path.resolve(__dirname, '..');

/**
 * The system as separate OS processes that the chaos scenarios can break: a Temporal dev server on a
 * persistent SQLite file and an embedded PostgreSQL (both stoppable and restartable on the same port
 * and data), the worker and the API as child processes started from their production entry points,
 * and the fake Graph API in this process. Everything lives in one temporary folder, removed on close.
 */
export interface Harness {
  readonly dir: string;
  readonly apiUrl: string;
  readonly appSecret: string;
  /** The admin API's bearer token (the benchmark provisions more clients with it). */
  readonly adminToken: string;
  /** The Temporal dev server's SQLite file, and its process id while it runs. */
  readonly temporalDbFile: string;
  readonly temporalAddress: string;
  /** The task queue the worker polls. */
  readonly taskQueue: string;
  /** The worker's Prometheus endpoint (its own metrics and the Temporal SDK's). */
  readonly workerMetricsUrl: string;
  temporalPid(): number | undefined;
  /** The one provisioned client every scenario writes to. */
  readonly client: { clientId: string; phoneNumberId: string };
  readonly graph: FakeGraph;
  /** Harness-side pool, for counting rows; not used while PostgreSQL is stopped. */
  readonly db: Db;
  /** The processes' blind-index key: rows name messages by the hash of their wamid under it. */
  readonly indexKey: Buffer;
  /** Harness-side Temporal client, for visibility queries (workflow counts, failed workflows). */
  readonly temporal: Client;
  readonly worker: ManagedProcess;
  readonly api: ManagedProcess;
  /** Unexpected exits of the worker or the API since the harness started. */
  readonly crashes: Crash[];
  startWorker(): Promise<void>;
  /** The worker kills itself (SIGKILL) after the next send Meta accepts, before recording it. */
  armKillAfterAccepted(): void;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  close(): Promise<void>;
}

const TASK_QUEUE = 'aura-engage';

/** A server the harness stops and starts again on the same port and data. */
class Restartable<T extends { stop(): Promise<void> }> {
  current: T | undefined;
  constructor(private readonly launch: () => Promise<T>) {}
  async start(): Promise<T> {
    this.current = await this.launch();
    return this.current;
  }
  async stop(): Promise<void> {
    const running = this.current;
    this.current = undefined;
    await running?.stop();
  }
}

/** The production environment of the worker and the API, with secrets generated for this run. */
function childEnv(
  urls: { postgres: string; temporal: string; graph: string },
  ports: { api: number; workerMetrics: number },
) {
  return {
    ...processEnv(),
    AURA_ADMIN_TOKEN: randomBytes(24).toString('hex'),
    AURA_MASTER_KEY: randomBytes(32).toString('base64'),
    WHATSAPP_APP_SECRET: randomBytes(16).toString('hex'),
    WHATSAPP_VERIFY_TOKEN: randomBytes(12).toString('hex'),
    AURA_PROFILE: 'production',
    DATABASE_URL: urls.postgres,
    TEMPORAL_ADDRESS: urls.temporal,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    WHATSAPP_GRAPH_URL: urls.graph,
    PORT: String(ports.api),
    WORKER_METRICS_PORT: String(ports.workerMetrics),
    LOG_LEVEL: 'warn',
  };
}

export interface HarnessOptions {
  /** Extra `node` flags for the worker and the API processes. */
  nodeArgs?: readonly string[];
  /** Extra environment for the worker and the API (the benchmark lifts the API's rate limit). */
  env?: Record<string, string>;
  /**
   * Run the compiled entry points (`npm run build` output, as the Docker image does) instead of the
   * TypeScript through tsx: the benchmark measures what production runs.
   */
  compiled?: boolean;
  /** The fake Graph reports each send's statuses to the API's webhook, as Meta does (the chaos runs). */
  statuses?: boolean;
}

export async function openHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-chaos-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its folder
  const ports = { temporal: await freePort(), postgres: await freePort(), api: await freePort() };
  const temporalServer = new Restartable(() => launchTemporal(dir, ports.temporal));
  const postgresServer = new Restartable(() => launchPostgres(dir, ports.postgres));
  const crashes: Crash[] = [];
  const closers: (() => Promise<void>)[] = [() => temporalServer.stop(), () => postgresServer.stop()];
  try {
    const [devServer, postgres, graph] = await Promise.all([
      temporalServer.start(),
      postgresServer.start(),
      startFakeGraph(),
    ]);
    closers.push(() => graph.close());
    const workerMetrics = await freePort();
    const killTrigger = path.join(dir, 'kill-after-accepted');
    const env = {
      ...childEnv(
        { postgres: postgres.url, temporal: devServer.address, graph: graph.url },
        { api: ports.api, workerMetrics },
      ),
      // The media store (and anything else kept on disk) lives in the run's folder, removed on close.
      AURA_DATA_DIR: path.join(dir, 'data'),
      AURA_CHAOS_KILL_AFTER_ACCEPTED: killTrigger,
      ...opts.env,
    };
    const db = createPool(postgres.url, 4);
    closers.push(() => db.end());
    await migrate(db);
    const config = parseConfig(env);
    const temporal = createTemporalClient(config, devServer.address);
    closers.push(() => temporal.connection.close());
    const entries = opts.compiled
      ? compiledEntries(closers)
      : { worker: 'worker/main.ts', api: 'api/main.ts' };
    const managed = (name: 'worker' | 'api') =>
      new ManagedProcess(name, entries[name], env, path.join(dir, `${name}.log`), crashes, opts.nodeArgs);
    const worker = managed('worker');
    const api = managed('api');
    closers.push(async () => (await worker.stop(), worker.close()));
    closers.push(async () => (await api.stop(), api.close()));
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const startWorker = () => worker.start((pid) => hasPoller(temporal, pid));
    await Promise.all([startWorker(), api.start(() => isReady(apiUrl))]);
    if (opts.statuses) graph.connectWebhook(`${apiUrl}/webhooks/whatsapp`, env.WHATSAPP_APP_SECRET);
    return {
      dir,
      apiUrl,
      appSecret: env.WHATSAPP_APP_SECRET,
      adminToken: env.AURA_ADMIN_TOKEN,
      temporalDbFile: path.join(dir, 'temporal.sqlite'),
      temporalAddress: devServer.address,
      taskQueue: TASK_QUEUE,
      workerMetricsUrl: `http://127.0.0.1:${workerMetrics}/metrics`,
      temporalPid: () => temporalServer.current?.process.pid,
      client: await provisionClient(apiUrl, env.AURA_ADMIN_TOKEN, { name: 'Chaos Shop' }),
      graph,
      db,
      indexKey: blindIndexKey(config.masterKey),
      temporal,
      worker,
      api,
      crashes,
      startWorker,
      armKillAfterAccepted: () => {
        worker.expectExit();
        writeFileSync(killTrigger, '');
      },
      stopTemporal: () => temporalServer.stop(),
      startTemporal: async () => void (await temporalServer.start()),
      stopPostgres: () => postgresServer.stop(),
      startPostgres: async () => void (await postgresServer.start()),
      close: () => closeAll(closers, dir),
    };
  } catch (err) {
    await closeAll(closers, dir);
    throw err;
  }
}

async function closeAll(closers: (() => Promise<void>)[], dir: string): Promise<void> {
  // Reverse order: children before the servers they talk to.
  for (const close of closers.reverse()) await close().catch(() => undefined);
  // AURA_KEEP_RUN_FILES=1 keeps the folder (logs, the Temporal SQLite file) to read afterwards.
  if (process.env.AURA_KEEP_RUN_FILES) process.stdout.write(`[chaos] run files kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

function launchTemporal(dir: string, port: number): Promise<DevServer> {
  return startDevServer({ port, headless: true, dbFile: path.join(dir, 'temporal.sqlite') });
}

function launchPostgres(dir: string, port: number): Promise<EmbeddedDatabase> {
  return startEmbeddedPostgres({ dir: path.join(dir, 'postgres'), port, persistent: true });
}

async function isReady(apiUrl: string): Promise<boolean> {
  const res = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(3_000) });
  return res.ok;
}

/** The worker is ready once the server lists a workflow poller with its identity (`pid@host`). */
async function hasPoller(temporal: Client, pid: number): Promise<boolean> {
  const { pollers } = await temporal.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: TASK_QUEUE, kind: proto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return pollers.some((p) => p.identity?.startsWith(`${pid}@`));
}

/**
 * Builds the system into a folder of its own inside the project (the compiled code resolves its
 * packages from the project's node_modules), removed when the harness closes; answers the compiled
 * worker and API entry points.
 */
function compiledEntries(closers: (() => Promise<void>)[]): { worker: string; api: string } {
  const out = path.join(ROOT, '.data', `build-${randomBytes(4).toString('hex')}`);
  closers.push(async () => rmSync(out, { recursive: true, force: true }));
  build(out);
  return { worker: path.join(out, 'worker/main.js'), api: path.join(out, 'api/main.js') };
}
