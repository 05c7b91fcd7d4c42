import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Config } from '../config';
import { deriveKey } from '../crypto/keys';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import { requestContext, securityHeaders } from './context';
import { errorMiddleware, notFoundHandler } from './errors';
import { createNumberDirectory } from './number-directory';
import { adminRouter } from './routes/admin';
import { healthRouter } from './routes/health';
import { meRouter } from './routes/me';
import { webhookRouter } from './routes/webhook';

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  secrets: SecretBox;
  log: Logger;
}

/** The Express app: every route, one error middleware. Built from its dependencies, so tests use real ones. */
export function createApp(deps: AppDeps): Express {
  const { config, db, temporal, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders, requestContext(log));
  app.use(healthRouter({ db, temporal }));
  app.use(
    webhookRouter({
      db,
      numbers: createNumberDirectory(db),
      temporal,
      log,
      taskQueue: config.temporal.taskQueue,
      indexKey: deriveKey(config.masterKey, 'blind-index'),
      appSecrets: config.whatsapp.appSecrets,
      verifyToken: config.whatsapp.verifyToken,
    }),
  );
  app.use(adminRouter({ db, secrets: deps.secrets, adminToken: config.adminToken }));
  app.use(meRouter({ db }));
  app.use(notFoundHandler);
  app.use(errorMiddleware);
  return app;
}
