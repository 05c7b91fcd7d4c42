import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Config } from '../config';
import { deriveKey } from '../crypto/keys';
import type { DeploymentKeys } from '../crypto/deployment-keys';
import type { SecretBox } from '../crypto/secret-box';
import type { SubjectVault } from '../crypto/vault';
import { usesSandboxGraph } from '../config';
import { createConversationEvents, type ConversationEvents } from '../db/conversation-events';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import type { MediaStore } from '../media/store';
import type { Metrics } from '../metrics';
import { observeBlockedTemplates, observeGraphTokens, observeHandoffQueue } from '../metrics/collectors';
import { payloadCodec } from '../temporal/connection';
import { rateLimitByKey } from './auth';
import { labelRoute, requestContext, securityHeaders } from './context';
import { errorMiddleware, notFoundHandler } from './errors';
import { createFanOutLimits } from './fan-out';
import { createRateLimiter } from './rate-limit';
import { createNumberDirectory } from './number-directory';
import { adminRouter } from './routes/admin';
import { auditRouter } from './routes/audit';
import { agentsRouter } from './routes/agents';
import { callbacksRouter } from './routes/callbacks';
import { codecRouter } from './routes/codec';
import { docsRouter } from './routes/docs';
import { healthRouter } from './routes/health';
import { i18nRouter } from './routes/i18n';
import { botRouter } from './routes/bot';
import { insightsRouter } from './routes/insights';
import { conversationsRouter } from './routes/conversations';
import { mediaRouter } from './routes/media';
import { contactRouter } from './routes/contact';
import { cannedResponsesRouter } from './routes/canned-responses';
import { notesRouter } from './routes/notes';
import { meRouter } from './routes/me';
import { messageTemplatesRouter } from './routes/message-templates';
import { templatesRouter } from './routes/templates';
import { ordersRouter } from './routes/orders';
import { shippingRouter } from './routes/shipping';
import { pagesRouter } from './routes/pages';
import { privacyRouter } from './routes/privacy';
import { settingsRouter } from './routes/settings';
import { sandboxRouter } from './routes/sandbox';
import { webhookRouter } from './routes/webhook';
import { webhooksRouter } from './routes/webhooks';

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  secrets: SecretBox;
  /** The blind-index and order-content keys (`loadDeploymentKeys`): the same across master-key rotations. */
  keys: DeploymentKeys;
  vault: SubjectVault;
  log: Logger;
  metrics: Metrics;
  /** The media store the worker keeps files in, when this process can reach it: `/readyz` checks it. */
  media?: MediaStore;
  /** Conversation events for the consoles' live streams; the entry point closes them on shutdown. */
  events?: ConversationEvents;
}

/** The Express app: every route, one error middleware. Built from its dependencies, so tests use real ones. */
export function createApp(deps: AppDeps): Express {
  const { config, db, temporal, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders, requestContext(log));
  app.use(
    healthRouter({
      db,
      temporal,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      media: deps.media,
    }),
  );
  observeHandoffQueue(deps.metrics, db);
  observeGraphTokens(deps.metrics, db);
  observeBlockedTemplates(deps.metrics, db);
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  const { indexKey, contentKey } = deps.keys;
  const numbers = createNumberDirectory(db);
  app.use(
    webhookRouter({
      db,
      numbers,
      temporal,
      log,
      taskQueue: config.temporal.taskQueue,
      indexKey,
      limits: createFanOutLimits(),
      appSecrets: config.whatsapp.appSecrets,
      verifyToken: config.whatsapp.verifyToken,
      metrics: deps.metrics,
    }),
  );
  app.use(
    adminRouter({
      db,
      secrets: deps.secrets,
      adminToken: config.adminToken,
      numbers,
      sandboxGraph: usesSandboxGraph(config),
    }),
  );
  app.use(
    codecRouter({
      codec: payloadCodec(config, deps.keys.retiredPayloadKeys),
      adminToken: config.adminToken,
      sessionKey: deriveKey(config.masterKey, 'codec-session'),
      corsOrigins: config.codecCorsOrigins,
    }),
  );
  app.use('/v1', labelRoute('/v1/*'), rateLimitByKey(db, createRateLimiter(db, config.rateLimitPerMinute)));
  app.use(meRouter({ db }));
  app.use(insightsRouter({ db, vault: deps.vault }));
  app.use(botRouter({ db, vault: deps.vault }));
  app.use(pagesRouter({ sandbox: config.profile === 'local' }));
  app.use(docsRouter());
  app.use(i18nRouter());
  app.use(settingsRouter({ db }));
  app.use(
    webhooksRouter({
      db,
      temporal,
      secrets: deps.secrets,
      taskQueue: config.temporal.taskQueue,
      allowLoopbackHttp: config.webhooks.allowLoopbackHttp,
    }),
  );
  app.use(callbacksRouter({ db, vault: deps.vault }));
  app.use(auditRouter({ db }));
  app.use(privacyRouter({ db, temporal, vault: deps.vault, indexKey, taskQueue: config.temporal.taskQueue }));
  app.use(
    ordersRouter({
      db,
      temporal,
      vault: deps.vault,
      taskQueue: config.temporal.taskQueue,
      indexKey,
      contentKey,
    }),
  );
  app.use(shippingRouter({ db }));
  if (config.profile === 'local') {
    app.use(
      sandboxRouter({
        db,
        appSecret: config.whatsapp.appSecrets[0]!,
        graphUrl: config.whatsapp.graphUrl,
        graphVersion: config.whatsapp.graphVersion,
      }),
    );
  }
  const events = deps.events ?? createConversationEvents(db);
  app.use(mediaRouter({ db, temporal, vault: deps.vault, media: deps.media }));
  app.use(contactRouter({ db, vault: deps.vault }));
  app.use(cannedResponsesRouter({ db, vault: deps.vault }));
  app.use(notesRouter({ db, vault: deps.vault, indexKey }));
  app.use(conversationsRouter({ db, temporal, vault: deps.vault, events, indexKey }));
  app.use(templatesRouter({ db, temporal }));
  app.use(messageTemplatesRouter({ db, temporal, taskQueue: config.temporal.taskQueue }));
  app.use(agentsRouter({ db }));
  app.use(notFoundHandler);
  app.use(errorMiddleware);
  return app;
}
