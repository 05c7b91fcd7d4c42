import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { DefaultLogger, Runtime, type NativeConnection, type Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { createApp } from '../../api/app';
import { masterKeys, type Config } from '../../config';
import { loadDeploymentKeys, type DeploymentKeys } from '../../crypto/deployment-keys';
import { LocalKms } from '../../crypto/kms';
import { createSecretBox } from '../../crypto/secret-box';
import { SubjectVault } from '../../crypto/vault';
import { createMetrics, type Metrics } from '../../metrics';
import { createLogger, type Logger } from '../../logging';
import { createLocalMediaStore, type MediaStore } from '../../media/store';
import { startFakeGraph, type FakeGraph } from '../../sandbox/fake-graph';
import { connectWorker, createTemporalClient } from '../../temporal/connection';
import { createGraphClient } from '../../whatsapp/graph-client';
import { bundleWorkflows, createAuraWorker } from '../../worker/worker';
import { createTestDatabase, testConfig, testInfra, type TestDatabase } from './env';

export interface Stack {
  config: Config;
  /** The Express app the API serves (its router stack lists every route). */
  app: Express;
  vault: SubjectVault;
  /** The deployment keys API (and worker) loaded from the database (blind index, order content). */
  keys: DeploymentKeys;
  db: TestDatabase;
  graph: FakeGraph;
  temporal: Client;
  worker: Worker;
  /** Shuts the worker down (as a deploy or a crash-restart would) and starts a new one on the same queue. */
  restartWorker(): Promise<void>;
  /** The worker's media store (a temporary folder). */
  media: MediaStore;
  /** The worker's Prometheus registry and instruments. */
  workerMetrics: Metrics;
  /** The API's Prometheus registry and instruments (served at `/metrics`). */
  apiMetrics: Metrics;
  /** Base URL of the API over real HTTP. */
  apiUrl: string;
  /** Another API process over this stack's parts, some replaced; the caller closes what it gave. */
  apiWith(overrides: Partial<AppDeps>): Promise<{ url: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

type AppDeps = Parameters<typeof createApp>[0];

/** An app listening on a free port of the loopback interface. */
async function listen(app: Express, port = 0): Promise<{ server: Server; url: string }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let bundle: ReturnType<typeof bundleWorkflows> | undefined;
/** The workflow code, bundled once per test process (workers and replays share it). */
export const workflowBundle = () => (bundle ??= bundleWorkflows());
let runtimeInstalled = false;

/**
 * The whole system for one test file: its own database, a fake Graph API, a worker on its own task
 * queue against the shared Temporal server, and the API listening on a free port.
 */
export async function startStack(
  opts: {
    env?: Record<string, string>;
    log?: Logger;
    /** Have the fake Graph report sent/delivered/read for every send to the webhook, as Meta does. */
    statusWebhooks?: boolean;
    /** Another Temporal server (e.g. one with a low continue-as-new threshold). */
    temporalAddress?: string;
    /** Activity dependencies beyond the defaults (NLU engine, media reader). */
    deps?: Pick<ActivityDeps, 'nlu' | 'fetchMedia' | 'mediaStallMs' | 'webhooks'>;
    /** Another media store for worker and API (e.g. one whose health check fails). */
    media?: MediaStore;
    /** The API's port, when something must know it in advance (default: any free port). */
    apiPort?: number;
    /** A database to start on (a restart of the stack); the caller drops it, `close` leaves it. */
    database?: TestDatabase;
  } = {},
): Promise<Stack> {
  const temporalAddress = opts.temporalAddress ?? testInfra().temporalAddress;
  const graph = await startFakeGraph();
  const db = opts.database ?? (await createTestDatabase());
  const config = testConfig({
    WHATSAPP_GRAPH_URL: graph.url,
    TEMPORAL_ADDRESS: temporalAddress,
    DATABASE_URL: db.url,
    ...opts.env,
  });
  const log = opts.log ?? createLogger('silent');
  const secrets = createSecretBox(config.masterKey, config.previousMasterKeys);
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const connection: NativeConnection = await connectWorker(config, temporalAddress);
  const keys = await loadDeploymentKeys(db.pool, config);
  const temporal = createTemporalClient(config, temporalAddress, keys.retiredPayloadKeys);
  const vault = new SubjectVault(db.pool, new LocalKms(masterKeys(config)));
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'aura-media-'));
  const media = opts.media ?? createLocalMediaStore(mediaDir);
  const workerMetrics = createMetrics('worker');
  const apiMetrics = createMetrics('api');
  const workerOptions = {
    config,
    connection,
    bundle: await workflowBundle(),
    retiredPayloadKeys: keys.retiredPayloadKeys,
    deps: {
      db: db.pool,
      temporal,
      graph: createGraphClient({
        baseUrl: graph.url,
        version: config.whatsapp.graphVersion,
        mediaHosts: config.whatsapp.mediaHosts,
      }),
      mediaDownloads: config.mediaDownloads,
      indexKey: keys.indexKey,
      secrets,
      vault,
      media,
      log,
      metrics: workerMetrics,
      // Meta's pair limit (a burst of 30, then one message per 6 s to the same user) would make the
      // burst tests wait minutes; the pacing tests use Meta's shape with their own numbers.
      pacing: { pairIntervalMs: 100, pairBurst: 30 },
      ...opts.deps,
    },
  };
  let worker = await createAuraWorker(workerOptions);
  let running = worker.run();
  const appDeps: AppDeps = {
    config,
    db: db.pool,
    temporal,
    secrets,
    keys,
    vault,
    log,
    metrics: apiMetrics,
    media,
  };
  const app = createApp(appDeps);
  const { server, url: apiUrl } = await listen(app, opts.apiPort);
  if (opts.statusWebhooks)
    graph.connectWebhook(`${apiUrl}/webhooks/whatsapp`, config.whatsapp.appSecrets[0]!);

  return {
    config,
    app,
    vault,
    keys,
    db,
    graph,
    temporal,
    get worker() {
      return worker;
    },
    async restartWorker() {
      worker.shutdown();
      await running;
      worker = await createAuraWorker(workerOptions);
      running = worker.run();
    },
    media,
    workerMetrics,
    apiMetrics,
    apiUrl,
    async apiWith(overrides) {
      const other = await listen(createApp({ ...appDeps, ...overrides }));
      return {
        url: other.url,
        async close() {
          other.server.closeAllConnections();
          await new Promise((r) => other.server.close(r));
        },
      };
    },
    async close() {
      await new Promise((r) => server.close(r));
      server.closeAllConnections();
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.connection.close();
      await graph.close();
      if (!opts.database) await db.drop();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}
