import { z } from 'zod';

/**
 * The one place that reads `process.env`. Parsed once at start, frozen, passed down explicitly.
 * Secrets have no defaults: the local profile (`AURA_PROFILE=local`) fills them in from
 * `config/local.ts` before parsing, everything else must set them.
 */

const base64Key32 = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be a base64-encoded 32-byte key');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  AURA_PROFILE: z.enum(['local', 'production']).default('production'),
  AURA_DATA_DIR: z.string().default('.data'),
  PORT: port.default(3000),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_DEV_UI_PORT: port.default(8233),
  SANDBOX_GRAPH_PORT: port.default(3100),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  AURA_TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string => {
      const t = v.trim();
      if (t === '' || t === 'false') return false;
      if (t === 'true') return true;
      return /^\d+$/.test(t) ? Number(t) : t;
    }),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(500),
  WORKER_MAX_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(40),
  WORKER_MAX_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).default(100),
  AURA_CHAOS_KILL_AFTER_ACCEPTED: optionalString,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  DATABASE_URL: optionalString,
  DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(200).default(10),
  DATABASE_OWNER_URL: optionalString,
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('aura-engage'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_UI_URL: optionalString,
  AURA_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters'),
  AURA_MASTER_KEY: base64Key32,
  AURA_MASTER_KEY_PREVIOUS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(base64Key32).max(5)),
  AURA_CODEC_CORS_ORIGINS: z
    .string()
    .default('http://localhost:8233')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url()).min(1)),
  AURA_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  TLS_CERT_PATH: optionalString,
  TLS_KEY_PATH: optionalString,
  WHATSAPP_APP_SECRET: z
    .string()
    .min(1)
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(z.string().min(8, 'each secret must be at least 8 characters')).min(1).max(2)),
  WHATSAPP_VERIFY_TOKEN: z.string().min(8, 'must be at least 8 characters'),
  WHATSAPP_GRAPH_URL: z.url().default('https://graph.facebook.com'),
  WHATSAPP_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v23.0')
    .default('v23.0'),
  WHATSAPP_MEDIA_HOSTS: z
    .string()
    .default('lookaside.fbsbx.com')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^(\*\.)?[a-z0-9.-]+$/, 'must be host names, or *.domain')).min(1)),
  AURA_MEDIA_DOWNLOADS: z.coerce.number().int().min(1).max(64).default(4),
  AURA_WEBHOOKS_ALLOW_LOOPBACK_HTTP: z.enum(['true', 'false']).optional(),
  DIALOGFLOW_CX_PROJECT: optionalString,
  DIALOGFLOW_CX_LOCATION: optionalString,
  DIALOGFLOW_CX_AGENT: optionalString,
  DIALOGFLOW_CX_ENDPOINT: optionalString,
  GOOGLE_APPLICATION_CREDENTIALS: optionalString,
});

export type RawConfig = z.infer<typeof schema>;

/** The configuration every process reads: what `parseConfig` makes of the environment, frozen. */
export type Config = ReturnType<typeof toConfig>;

/** The parsed environment as the processes use it; its shape is the `Config` type. */
function toConfig(e: RawConfig) {
  const tls =
    e.TEMPORAL_TLS_CERT_PATH || e.TEMPORAL_TLS_CA_PATH
      ? {
          certPath: e.TEMPORAL_TLS_CERT_PATH,
          keyPath: e.TEMPORAL_TLS_KEY_PATH,
          caPath: e.TEMPORAL_TLS_CA_PATH,
        }
      : undefined;
  return Object.freeze({
    profile: e.AURA_PROFILE,
    dataDir: e.AURA_DATA_DIR,
    port: e.PORT,
    /** Ports `npm start` binds for what it runs itself: the Temporal dev server and the sandbox Graph API. */
    localPorts: Object.freeze({
      temporal: e.TEMPORAL_DEV_PORT,
      temporalUi: e.TEMPORAL_DEV_UI_PORT,
      sandboxGraph: e.SANDBOX_GRAPH_PORT,
    }),
    /** Port of the worker's Prometheus endpoint; 0 turns it off. */
    workerMetricsPort: e.WORKER_METRICS_PORT,
    /** Address the worker's Prometheus endpoint binds to: localhost unless a scraper elsewhere needs it. */
    workerMetricsHost: e.WORKER_METRICS_HOST,
    /**
     * Express's `trust proxy`: whom to believe about `X-Forwarded-Proto/For` (false, true, a hop count,
     * or addresses such as `loopback`), so that behind a TLS proxy `req.secure` is true.
     */
    trustProxy: e.AURA_TRUST_PROXY,
    /** Workflows the worker keeps in memory (sticky cache); an evicted one is replayed on its next task. */
    workerMaxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    /**
     * Workflow tasks the worker runs at once. A conversation's task holds its slot while the turn's
     * local activities (record, NLU) run, so this bounds how many turns are in progress.
     */
    workerMaxWorkflowTasks: e.WORKER_MAX_WORKFLOW_TASKS,
    /** Local activities (the turn steps) the worker runs at once. */
    workerMaxLocalActivities: e.WORKER_MAX_LOCAL_ACTIVITIES,
    /**
     * The chaos harness's hook, unset everywhere else: while this file exists, the next send Meta
     * accepts kills the worker (SIGKILL) before the wamid is recorded (see chaos/scenarios.ts).
     */
    chaosKillAfterAccepted: e.AURA_CHAOS_KILL_AFTER_ACCEPTED,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    /** Connections each API or worker process may open (replicas × this must fit max_connections). */
    databasePoolMax: e.DATABASE_POOL_MAX,
    /**
     * The schema owner, for migrations only (`npm run migrate`, compose's migrate step). When set, the
     * migration also creates and grants the application role named by `DATABASE_URL`; unset, one role
     * does both.
     */
    databaseOwnerUrl: e.DATABASE_OWNER_URL,
    temporal: Object.freeze({
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY,
      tls,
      uiUrl: e.TEMPORAL_UI_URL,
    }),
    adminToken: e.AURA_ADMIN_TOKEN,
    masterKey: Buffer.from(e.AURA_MASTER_KEY, 'base64'),
    /** Earlier master keys, still read (data keys, payloads) until rotation is finished. */
    previousMasterKeys: Object.freeze(e.AURA_MASTER_KEY_PREVIOUS.map((k) => Buffer.from(k, 'base64'))),
    /** Origins allowed to call `/codec/*` from a browser (the Temporal UI). */
    codecCorsOrigins: Object.freeze([...e.AURA_CODEC_CORS_ORIGINS]),
    /** Requests per minute per API key on `/v1`, one limit shared by every API process. */
    rateLimitPerMinute: e.AURA_RATE_LIMIT_PER_MINUTE,
    /** Serve HTTPS with this certificate and key when both are set. */
    https:
      e.TLS_CERT_PATH && e.TLS_KEY_PATH ? { certPath: e.TLS_CERT_PATH, keyPath: e.TLS_KEY_PATH } : undefined,
    whatsapp: Object.freeze({
      appSecrets: Object.freeze([...e.WHATSAPP_APP_SECRET]),
      verifyToken: e.WHATSAPP_VERIFY_TOKEN,
      graphUrl: e.WHATSAPP_GRAPH_URL.replace(/\/+$/, ''),
      graphVersion: e.WHATSAPP_GRAPH_VERSION,
      /** Hosts a media download URL may name before the Graph token is sent to it (Meta's CDN). */
      mediaHosts: Object.freeze([...e.WHATSAPP_MEDIA_HOSTS]),
    }),
    /** Media downloads one worker runs at once; the rest wait for a slot. */
    mediaDownloads: e.AURA_MEDIA_DOWNLOADS,
    /**
     * Outbound event endpoints: whether one may be plain `http://` to this machine (localhost,
     * 127.0.0.1, [::1]); `AURA_WEBHOOKS_ALLOW_LOOPBACK_HTTP`, on by default in the local profile only.
     */
    webhooks: Object.freeze({
      allowLoopbackHttp:
        (e.AURA_WEBHOOKS_ALLOW_LOOPBACK_HTTP ?? String(e.AURA_PROFILE === 'local')) === 'true',
    }),
    dialogflow:
      e.DIALOGFLOW_CX_PROJECT && e.DIALOGFLOW_CX_LOCATION && e.DIALOGFLOW_CX_AGENT
        ? {
            project: e.DIALOGFLOW_CX_PROJECT,
            location: e.DIALOGFLOW_CX_LOCATION,
            agent: e.DIALOGFLOW_CX_AGENT,
            endpoint: e.DIALOGFLOW_CX_ENDPOINT,
            credentialsPath: e.GOOGLE_APPLICATION_CREDENTIALS,
          }
        : undefined,
  });
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment into a frozen Config; throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '(environment)');
        const value = env[name];
        return value === undefined ? `${name}: is required but not set` : `${name}: ${issue.message}`;
      }),
    );
  }
  const e = result.data;
  const cx = [e.DIALOGFLOW_CX_PROJECT, e.DIALOGFLOW_CX_LOCATION, e.DIALOGFLOW_CX_AGENT];
  if (cx.some(Boolean) && !cx.every(Boolean)) {
    throw new ConfigError([
      'DIALOGFLOW_CX_PROJECT, DIALOGFLOW_CX_LOCATION and DIALOGFLOW_CX_AGENT must be set together',
    ]);
  }
  if (Boolean(e.TLS_CERT_PATH) !== Boolean(e.TLS_KEY_PATH)) {
    throw new ConfigError(['TLS_CERT_PATH and TLS_KEY_PATH must be set together']);
  }
  return toConfig(result.data);
}

/**
 * The local profile talking to a Graph API on this machine: `npm start`'s sandbox Graph (or a test's
 * fake), which accepts any access token. Never true in production.
 */
export function usesSandboxGraph(config: Pick<Config, 'profile' | 'whatsapp'>): boolean {
  if (config.profile !== 'local') return false;
  const host = new URL(config.whatsapp.graphUrl).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/** Every master key this deployment can read with: the current one first, then previous ones. */
export function masterKeys(config: Pick<Config, 'masterKey' | 'previousMasterKeys'>): Buffer[] {
  return [config.masterKey, ...config.previousMasterKeys];
}

/** The environment as the process sees it; the only read of `process.env` in the codebase. */
export function processEnv(): Record<string, string | undefined> {
  return { ...process.env };
}

/** Parses the process environment or prints every problem and exits 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = processEnv()): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
