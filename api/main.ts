import path from 'node:path';
import { loadConfigOrExit, masterKeys } from '../config';
import { loadDeploymentKeys } from '../crypto/deployment-keys';
import { LocalKms } from '../crypto/kms';
import { createSecretBox } from '../crypto/secret-box';
import { SubjectVault } from '../crypto/vault';
import { createConversationEvents } from '../db/conversation-events';
import { createPool } from '../db/pool';
import { hashStoredWamids } from '../db/wamid-backfill';
import { createLocalMediaStore } from '../media/store';
import { createMetrics } from '../metrics';
import { createLogger } from '../logging';
import { createTemporalClient, payloadCodec } from '../temporal/connection';
import { createApp } from './app';
import { createServer } from './server';
import { warmUpApi } from './warm-up';

/**
 * API entry point. Warms its hot path, then listens. SIGINT/SIGTERM stop accepting, finish in-flight
 * requests, then close connections.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, { service: 'api' }, undefined, {
    pretty: config.profile === 'local',
  });
  if (!config.databaseUrl || !config.temporal.address) {
    log.error('DATABASE_URL and TEMPORAL_ADDRESS must be set for the API (npm start sets them locally)');
    process.exit(1);
  }
  const db = createPool(config.databaseUrl, config.databasePoolMax);
  const keys = await loadDeploymentKeys(db, config);
  // Before serving: status webhooks find pre-upgrade messages by the hash of their wamid.
  const rehashed = await hashStoredWamids(db, keys.indexKey);
  if (Object.keys(rehashed).length > 0) log.info('stored wamids hashed', { rehashed });
  const temporal = createTemporalClient(config, config.temporal.address, keys.retiredPayloadKeys);
  const vault = new SubjectVault(db, new LocalKms(masterKeys(config)));
  const events = createConversationEvents(db);
  const app = createApp({
    config,
    events,
    db,
    temporal,
    secrets: createSecretBox(config.masterKey, config.previousMasterKeys),
    keys,
    vault,
    log,
    metrics: createMetrics('api'),
    media: createLocalMediaStore(path.resolve(config.dataDir, 'media')),
  });
  const warmMs = await warmUpApi({ db, temporal, codec: payloadCodec(config, keys.retiredPayloadKeys) });
  const server = createServer(config, app);
  server.listen(config.port, () =>
    log.info('api listening', { port: config.port, https: Boolean(config.https), warmMs }),
  );
  const shutdown = () => {
    log.info('api stopping');
    server.close(() => {
      void Promise.allSettled([db.end(), temporal.connection.close()]).then(() => process.exit(0));
    });
    events.close(); // open console streams would otherwise hold the server open until the deadline
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
