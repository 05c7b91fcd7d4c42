import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfigOrExit, masterKeys } from '../config';
import { LocalKms } from '../crypto/kms';
import { createSecretBox } from '../crypto/secret-box';
import { SubjectVault } from '../crypto/vault';
import { createPool } from '../db/pool';
import { createLogger } from '../logging';
import { createMetrics } from '../metrics';
import { serveWorkerMetrics } from '../metrics/server';
import { createLocalMediaStore } from '../media/store';
import { createNluEngine } from '../nlu';
import { connectWorker, createTemporalClient } from '../temporal/connection';
import { freePort } from '../temporal/dev-server';
import { createGraphClient } from '../whatsapp/graph-client';
import { ensureRetentionSweep } from './retention';
import { bundleWorkflows, createAuraWorker } from './worker';

/**
 * Worker entry point. Needs DATABASE_URL and TEMPORAL_ADDRESS (the start command provides both
 * locally). SIGINT/SIGTERM drain in-flight tasks, then close the pool.
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
  const metrics = createMetrics('worker');
  const sdkMetricsAddress = `127.0.0.1:${await freePort()}`;
  Runtime.install({
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } },
    logger: new DefaultLogger(config.logLevel === 'debug' ? 'DEBUG' : 'WARN', ({ level, message, meta }) =>
      (level === 'ERROR' ? log.error : level === 'WARN' ? log.warn : log.debug)(message, { sdk: meta }),
    ),
  });
  const db = createPool(config.databaseUrl);
  const connection = await connectWorker(config, config.temporal.address);
  const temporal = createTemporalClient(config, config.temporal.address);
  const worker = await createAuraWorker({
    config,
    connection,
    bundle: await bundleWorkflows(),
    deps: {
      db,
      temporal,
      graph: createGraphClient({
        baseUrl: config.whatsapp.graphUrl,
        version: config.whatsapp.graphVersion,
        mediaHosts: config.whatsapp.mediaHosts,
      }),
      mediaDownloads: config.mediaDownloads,
      secrets: createSecretBox(config.masterKey),
      vault: new SubjectVault(db, new LocalKms(masterKeys(config))),
      media: createLocalMediaStore(path.resolve(config.dataDir, 'media')),
      log,
      metrics,
      nlu: createNluEngine(config),
    },
  });
  const metricsServer =
    config.workerMetricsPort > 0
      ? serveWorkerMetrics({
          port: config.workerMetricsPort,
          host: config.workerMetricsHost,
          registry: metrics.registry,
          sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics`,
          onError: (err) =>
            log.error('worker metrics endpoint not served', { err, port: config.workerMetricsPort }),
        })
      : undefined;
  await ensureRetentionSweep(temporal, config.temporal.taskQueue);
  log.info('worker started', { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace });
  await worker.run();
  metricsServer?.close();
  await connection.close();
  await db.end();
  log.info('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
