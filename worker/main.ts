import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { loadConfigOrExit, masterKeys, type Config } from '../config';
import { loadDeploymentKeys } from '../crypto/deployment-keys';
import { LocalKms } from '../crypto/kms';
import { createSecretBox } from '../crypto/secret-box';
import { SubjectVault } from '../crypto/vault';
import { createPool } from '../db/pool';
import { hashStoredWamids } from '../db/wamid-backfill';
import { createLogger, type Logger } from '../logging';
import { createMetrics, type Metrics } from '../metrics';
import { serveWorkerMetrics } from '../metrics/server';
import { createLocalMediaStore } from '../media/store';
import { createNluEngine } from '../nlu';
import { connectWorker, createTemporalClient, payloadCodec } from '../temporal/connection';
import { freePort } from '../temporal/dev-server';
import { taskQueuePollers } from '../temporal/pollers';
import { createGraphClient } from '../whatsapp/graph-client';
import { deleteLegacyFollowUps } from './legacy-follow-ups';
import { ensureRetentionSweep, ensureTemplateRefresh } from './singletons';
import { warmUpWorker } from './warm-up';
import { killAfterAccepted } from './chaos-hook';
import { bundleWorkflows, createAuraWorker } from './worker';

/**
 * Worker entry point. Needs DATABASE_URL and TEMPORAL_ADDRESS (the start command provides both
 * locally). It warms up before it polls, so that readiness (a poller on the task queue) means warm;
 * `WORKER_METRICS_PORT` serves `/metrics` and `/readyz` (200 once Temporal lists this worker's
 * pollers). SIGINT/SIGTERM drain in-flight tasks, then close the pool; before polling they just exit.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, { service: 'worker' }, undefined, {
    pretty: config.profile === 'local',
  });
  if (!config.databaseUrl || !config.temporal.address) {
    log.error('DATABASE_URL and TEMPORAL_ADDRESS must be set for the worker (npm start sets them locally)');
    process.exit(1);
  }
  let polling = false;
  const stopEarly = () => (polling ? undefined : process.exit(0)); // nothing to drain yet
  process.once('SIGINT', stopEarly).once('SIGTERM', stopEarly);
  const metrics = createMetrics('worker');
  const sdkMetricsAddress = await installRuntime(config, log);
  const db = createPool(config.databaseUrl, config.databasePoolMax);
  // The deployment keys the API uses too (a keyed hash the worker makes must match the API's); this
  // also fails fast when the configured master keys cannot unwrap them.
  const keys = await loadDeploymentKeys(db, config);
  const connection = await connectWorker(config, config.temporal.address);
  const temporal = createTemporalClient(config, config.temporal.address, keys.retiredPayloadKeys);
  const nlu = createNluEngine(config, db);
  const rehashed = await hashStoredWamids(db, keys.indexKey);
  if (Object.keys(rehashed).length > 0) log.info('stored wamids hashed', { rehashed });
  const worker = await createAuraWorker({
    config,
    connection,
    bundle: await bundleWorkflows(),
    retiredPayloadKeys: keys.retiredPayloadKeys,
    deps: {
      db,
      temporal,
      graph: createGraphClient({
        baseUrl: config.whatsapp.graphUrl,
        version: config.whatsapp.graphVersion,
        mediaHosts: config.whatsapp.mediaHosts,
      }),
      mediaDownloads: config.mediaDownloads,
      indexKey: keys.indexKey,
      secrets: createSecretBox(config.masterKey, config.previousMasterKeys),
      vault: new SubjectVault(db, new LocalKms(masterKeys(config))),
      media: createLocalMediaStore(path.resolve(config.dataDir, 'media')),
      log,
      metrics,
      nlu,
      afterAccepted: killAfterAccepted(config.chaosKillAfterAccepted),
    },
  });
  const readiness = () => (polling ? pollingReadiness(config, temporal, worker) : warming());
  const metricsServer = serveMetrics(config, log, metrics, sdkMetricsAddress, readiness);
  const warmMs = await warmUpWorker({
    db,
    graphUrl: config.whatsapp.graphUrl,
    nlu,
    codec: payloadCodec(config, keys.retiredPayloadKeys),
  });
  await ensureRetentionSweep(temporal, config.temporal.taskQueue);
  await ensureTemplateRefresh(temporal, config.temporal.taskQueue);
  const legacy = await deleteLegacyFollowUps(temporal);
  if (legacy > 0) log.info('follow-ups named by clear wamids deleted', { legacy });
  const { taskQueue, namespace } = config.temporal;
  if (config.chaosKillAfterAccepted) log.warn('chaos hook armed: an accepted send may kill this worker');
  log.info('worker started', { taskQueue, namespace, identity: worker.options.identity, warmMs });
  polling = true;
  await worker.run();
  metricsServer?.close();
  await connection.close();
  await db.end();
  log.info('worker stopped');
}

/** The Temporal runtime: shutdown on SIGINT/SIGTERM, SDK metrics on a private port, SDK logs through ours. */
async function installRuntime(config: Config, log: Logger): Promise<string> {
  const sdkMetricsAddress = `127.0.0.1:${await freePort()}`;
  Runtime.install({
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } },
    logger: new DefaultLogger(config.logLevel === 'debug' ? 'DEBUG' : 'WARN', ({ level, message, meta }) =>
      (level === 'ERROR' ? log.error : level === 'WARN' ? log.warn : log.debug)(message, { sdk: meta }),
    ),
  });
  return sdkMetricsAddress;
}

type Readiness = { ready: boolean; body: Record<string, unknown> };

const warming = async (): Promise<Readiness> => ({ ready: false, body: { status: 'warming' } });

/** Ready when the server lists this worker's identity among the workflow and the activity pollers. */
async function pollingReadiness(config: Config, temporal: Client, worker: Worker): Promise<Readiness> {
  const { identity } = worker.options;
  const { namespace, taskQueue } = config.temporal;
  const state = worker.getState();
  if (state !== 'RUNNING') return { ready: false, body: { status: state.toLowerCase(), identity } };
  const pollers = await taskQueuePollers(temporal, namespace, taskQueue);
  const ready = pollers.workflow.includes(identity) && pollers.activity.includes(identity);
  return { ready, body: { status: ready ? 'polling' : 'not_polling', identity, taskQueue } };
}

function serveMetrics(
  config: Config,
  log: Logger,
  metrics: Metrics,
  sdkMetricsAddress: string,
  readiness: () => Promise<Readiness>,
) {
  if (config.workerMetricsPort === 0) return undefined;
  return serveWorkerMetrics({
    port: config.workerMetricsPort,
    host: config.workerMetricsHost,
    registry: metrics.registry,
    sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics`,
    readiness,
    onError: (err) =>
      log.error('worker metrics endpoint not served', { err, port: config.workerMetricsPort }),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
