import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../config';
import { LocalKms } from '../crypto/kms';
import { createSecretBox } from '../crypto/secret-box';
import { SubjectVault } from '../crypto/vault';
import { createPool } from '../db/pool';
import { createLogger } from '../logging';
import { createNluEngine } from '../nlu';
import { connectWorker, createTemporalClient } from '../temporal/connection';
import { createGraphClient } from '../whatsapp/graph-client';
import { bundleWorkflows, createAuraWorker } from './worker';

/**
 * Worker entry point. Needs DATABASE_URL and TEMPORAL_ADDRESS (the start command provides both
 * locally). SIGINT/SIGTERM drain in-flight tasks, then close the pool.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, { service: 'worker' });
  if (!config.databaseUrl || !config.temporal.address) {
    log.error('DATABASE_URL and TEMPORAL_ADDRESS must be set for the worker (npm start sets them locally)');
    process.exit(1);
  }
  Runtime.install({
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    logger: new DefaultLogger(config.logLevel === 'debug' ? 'DEBUG' : 'WARN', ({ level, message, meta }) =>
      (level === 'ERROR' ? log.error : level === 'WARN' ? log.warn : log.debug)(message, { sdk: meta }),
    ),
  });
  const db = createPool(config.databaseUrl);
  const connection = await connectWorker(config, config.temporal.address);
  const worker = await createAuraWorker({
    config,
    connection,
    bundle: await bundleWorkflows(),
    deps: {
      db,
      temporal: createTemporalClient(config, config.temporal.address),
      graph: createGraphClient({ baseUrl: config.whatsapp.graphUrl, version: config.whatsapp.graphVersion }),
      secrets: createSecretBox(config.masterKey),
      vault: new SubjectVault(db, new LocalKms([config.masterKey])),
      log,
      nlu: createNluEngine(config),
    },
  });
  log.info('worker started', { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace });
  await worker.run();
  await connection.close();
  await db.end();
  log.info('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
