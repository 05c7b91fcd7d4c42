import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { provisionClient } from '../api/provisioning';
import { loadConfigOrExit, processEnv, type Config } from '../config';
import { localEnv } from '../config/local';
import { deriveKey } from '../crypto/keys';
import { createSecretBox } from '../crypto/secret-box';
import {
  advertiseLocalDatabase,
  ownShutdownOfEmbeddedPostgres,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../db/embedded';
import { findClientIdByPhoneNumber, updateClient } from '../db/clients';
import { appRoleUrl, migrateAndGrant } from '../db/roles';
import { createPool } from '../db/pool';
import { startFakeGraph, type FakeGraph } from '../sandbox/fake-graph';
import { SANDBOX_TEMPLATES, SANDBOX_WABA_ID } from '../sandbox/templates';
import {
  SANDBOX_GRAPH_TOKEN,
  SANDBOX_PHONE_NUMBER_ID,
  seedSandboxShop,
  seedSandboxTemplates,
} from '../sandbox/seed';
import { freePort, startDevServer, type DevServer } from '../temporal/dev-server';
import { unavailablePorts, type NeededPort } from './ports';
import { Supervisor } from './supervisor';

/**
 * `npm start`: the whole system on embedded defaults. Temporal dev server (persistent SQLite, Web UI)
 * unless TEMPORAL_ADDRESS is set; PostgreSQL from DATABASE_URL or an embedded one under the data
 * folder; migrations; the sandbox Graph API unless WHATSAPP_GRAPH_URL is set; then the worker and the
 * API as supervised processes (restarted when they crash). It refuses to start when a port it needs
 * is taken, and SIGINT, SIGTERM or SIGHUP — to npm, to this process or to the whole terminal group —
 * stop everything it started, in order, within 10 s.
 */
const ROOT = path.resolve(__dirname, '..');
/** Everything must be down by then; what is not is killed. */
const STOP_DEADLINE_MS = 9_000;

interface Running {
  temporal?: DevServer;
  postgres?: EmbeddedDatabase;
  graph?: FakeGraph;
  supervisor: Supervisor;
}

async function main(): Promise<void> {
  ownShutdownOfEmbeddedPostgres();
  const env = processEnv();
  const profileEnv = env.AURA_PROFILE === 'production' ? env : localEnv(env);
  const config = loadConfigOrExit(profileEnv);
  await refuseBusyPorts(neededPorts(config, !profileEnv.WHATSAPP_GRAPH_URL));

  const aborter = new AbortController();
  let startup: Promise<unknown> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const running: Running = {
    supervisor: new Supervisor({ say, alarm, onGiveUp: () => void stop(1) }),
  };
  const stop = (code: number) =>
    (stopping ??= (async () => {
      say('stopping…');
      aborter.abort();
      const deadline = setTimeout(() => killAll(running, code), STOP_DEADLINE_MS);
      await Promise.race([startup.catch(() => undefined), sleep(3_000)]);
      await stopAll(running);
      clearTimeout(deadline);
      process.exit(code);
    })());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

  startup = startEverything(config, profileEnv, running, aborter.signal, () => void stop(1));
  try {
    await startup;
  } catch (err) {
    if (!aborter.signal.aborted) {
      alarm(`start failed: ${(err as Error).message}`);
      await stop(1);
    }
  }
}

async function startEverything(
  config: Config,
  profileEnv: Record<string, string | undefined>,
  running: Running,
  signal: AbortSignal,
  onTemporalExit: () => void,
): Promise<void> {
  const started = Date.now();
  const step = <T>(fn: () => Promise<T>) => (signal.throwIfAborted(), fn());
  const temporalAddress =
    config.temporal.address ?? (await step(() => startTemporal(config, running, signal, onTemporalExit)));
  const ownerUrl =
    config.databaseOwnerUrl ?? config.databaseUrl ?? (await step(() => startPostgres(config, running)));
  // The embedded database gets the application role, as production has: API and worker connect
  // as `aura_app`, which cannot alter the audit log; migrations run as the owner.
  const databaseUrl =
    config.databaseUrl ??
    appRoleUrl(ownerUrl, 'aura_app', deriveKey(config.masterKey, 'app-db-role').toString('hex'));
  const sandbox = await step(() => prepareDatabase(config, ownerUrl, databaseUrl));
  const graphUrl = profileEnv.WHATSAPP_GRAPH_URL ?? (await step(() => startSandboxGraph(config, running)));
  const childEnv = {
    ...profileEnv,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    WHATSAPP_GRAPH_URL: graphUrl,
  };
  signal.throwIfAborted();
  for (const [name, entry] of [
    ['worker', 'worker/main.ts'],
    ['api', 'api/main.ts'],
  ] as const) {
    running.supervisor.start({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', path.join(ROOT, entry)],
      env: childEnv,
      cwd: ROOT,
    });
  }
  say('waiting until the API is ready and the worker polls Temporal…');
  await waitForReady(`http://127.0.0.1:${config.port}/readyz`, signal);
  const seeded = sandbox && (await seedOnce(config, sandbox));
  printBanner(config, {
    temporalAddress,
    graphUrl,
    sandboxKey: sandbox?.apiKey,
    seeded,
    seconds: (Date.now() - started) / 1000,
  });
}

/** The ports this start will bind, given what the environment already provides. */
function neededPorts(config: Config, sandboxGraph: boolean): NeededPort[] {
  const ports: NeededPort[] = [{ port: config.port, what: 'API', variable: 'PORT' }];
  if (!config.temporal.address) {
    const { temporal, temporalUi } = config.localPorts;
    ports.push({ port: temporal, what: 'Temporal dev server', variable: 'TEMPORAL_DEV_PORT' });
    ports.push({ port: temporalUi, what: 'Temporal UI', variable: 'TEMPORAL_DEV_UI_PORT' });
  }
  if (sandboxGraph)
    ports.push({
      port: config.localPorts.sandboxGraph,
      what: 'sandbox Graph API',
      variable: 'SANDBOX_GRAPH_PORT',
    });
  if (config.workerMetricsPort > 0)
    ports.push({ port: config.workerMetricsPort, what: 'worker metrics', variable: 'WORKER_METRICS_PORT' });
  return ports;
}

async function refuseBusyPorts(ports: NeededPort[]): Promise<void> {
  const busy = await unavailablePorts(ports);
  if (busy.length === 0) return;
  for (const p of busy)
    alarm(
      `cannot start: port ${p.port} (${p.what}) ${p.reason}; free it, or set ${p.variable} to another port`,
    );
  alarm('is another `npm start` running? nothing was started');
  process.exit(1);
}

async function startTemporal(config: Config, running: Running, signal: AbortSignal, onExit: () => void) {
  const { temporal: port, temporalUi: uiPort } = config.localPorts;
  say(`starting Temporal dev server (port ${port}, UI on :${uiPort})…`);
  running.temporal = await startDevServer({
    port,
    uiPort,
    // The UI decodes payloads through the API's codec endpoint (operator sign-in: /codec/login).
    codecEndpoint: `http://localhost:${config.port}/codec`,
    dbFile: path.resolve(config.dataDir, 'temporal.sqlite'),
    signal,
  });
  running.temporal.process.once('exit', (code, sig) => {
    if (signal.aborted) return;
    alarm(`✖ the Temporal dev server exited (${sig ?? `code ${String(code)}`}): stopping everything`);
    onExit();
  });
  return running.temporal.address;
}

async function startPostgres(config: Config, running: Running): Promise<string> {
  say('starting embedded PostgreSQL…');
  const postgres = await startEmbeddedPostgres({
    dir: path.resolve(config.dataDir, 'postgres'),
    port: await freePort(),
    persistent: true,
  });
  const withdraw = advertiseLocalDatabase(config.dataDir, postgres.url);
  running.postgres = { ...postgres, stop: () => (withdraw(), postgres.stop()) };
  return postgres.url;
}

/** The sandbox Graph API, reporting delivery statuses back to our own webhook, signed as Meta does. */
async function startSandboxGraph(config: Config, running: Running): Promise<string> {
  running.graph = await startFakeGraph({
    port: config.localPorts.sandboxGraph,
    historyFile: path.resolve(config.dataDir, 'sandbox-phone.json'),
  });
  running.graph.connectWebhook(
    `http://127.0.0.1:${config.port}/webhooks/whatsapp`,
    config.whatsapp.appSecrets[0]!,
  );
  running.graph.setTemplates(SANDBOX_WABA_ID, SANDBOX_TEMPLATES);
  return running.graph.url;
}

interface SandboxClient {
  clientId: string;
  apiKey: string;
  keyId: string;
  /** When the sample rate table and orders were written (once). */
  seededAt?: string;
  /** When its templates were synced (once; a data folder from before templates has none). */
  templatesAt?: string;
}

const sandboxFile = (config: Config) => path.resolve(config.dataDir, 'sandbox-client.json');

/** Migrates, and in the local profile provisions the Sandbox Shop once (its key kept in the data folder). */
async function prepareDatabase(
  config: Config,
  ownerUrl: string,
  databaseUrl: string,
): Promise<SandboxClient | undefined> {
  // The derived app-role password follows the master key, so it is set anew on every start.
  await migrateAndGrant(ownerUrl, databaseUrl, { setPassword: config.databaseUrl === undefined });
  const pool = createPool(databaseUrl, 1);
  try {
    if (config.profile !== 'local') return undefined;
    const file = sandboxFile(config);
    if (existsSync(file)) {
      const sandbox = JSON.parse(readFileSync(file, 'utf8')) as SandboxClient;
      // A shop provisioned before templates gets its account now; `seedOnce` syncs it.
      if (!sandbox.templatesAt) await updateClient(pool, sandbox.clientId, { wabaId: SANDBOX_WABA_ID });
      return sandbox;
    }
    if (await findClientIdByPhoneNumber(pool, SANDBOX_PHONE_NUMBER_ID)) return undefined;
    const created = await provisionClient(
      { db: pool, secrets: createSecretBox(config.masterKey, config.previousMasterKeys) },
      {
        name: 'Sandbox Shop',
        phoneNumberIds: [SANDBOX_PHONE_NUMBER_ID],
        graphAccessToken: SANDBOX_GRAPH_TOKEN,
        wabaId: SANDBOX_WABA_ID,
      },
    );
    writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
    return created;
  } finally {
    await pool.end();
  }
}

/** What a start wrote for the Sandbox Shop: everything, or (a shop seeded before templates) its templates. */
type Seeded = 'all' | 'templates';

/**
 * Gives the Sandbox Shop its templates, rate table and sample orders through the API, the first time
 * only; a shop seeded before templates gets only its templates.
 */
async function seedOnce(config: Config, sandbox: SandboxClient): Promise<Seeded | undefined> {
  if (sandbox.seededAt && sandbox.templatesAt) return undefined;
  const apiUrl = `http://127.0.0.1:${config.port}`;
  try {
    if (sandbox.seededAt) await seedSandboxTemplates(apiUrl, sandbox.apiKey);
    else await seedSandboxShop(apiUrl, sandbox.apiKey);
  } catch (err) {
    alarm(
      `the Sandbox Shop's sample templates, rates and orders were not written: ${(err as Error).message}`,
    );
    return undefined;
  }
  const now = new Date().toISOString();
  const seeded = { ...sandbox, seededAt: sandbox.seededAt ?? now, templatesAt: now };
  writeFileSync(sandboxFile(config), `${JSON.stringify(seeded, null, 2)}\n`, { mode: 0o600 });
  return sandbox.seededAt ? 'templates' : 'all';
}

/** Stops in order: the API and the worker, the sandbox Graph, then Temporal and PostgreSQL. */
async function stopAll(running: Running): Promise<void> {
  await running.supervisor.stop(4_000);
  await running.graph?.close();
  await Promise.allSettled([running.temporal?.stop(3_000), running.postgres?.stop()]);
}

/** The deadline passed: whatever still runs is killed, so nothing outlives `npm start`. */
function killAll(running: Running, code: number): never {
  alarm('shutdown took too long: killing what is left');
  const pids = [...running.supervisor.pids(), running.temporal?.process.pid, running.postgres?.pid];
  for (const pid of pids) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(code === 0 ? 1 : code);
}

async function waitForReady(url: string, signal: AbortSignal, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    if (res?.ok) return;
    await sleep(250);
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function say(line: string): void {
  process.stdout.write(`[aura] ${line}\n`);
}

function alarm(line: string): void {
  process.stderr.write(`[aura] ${line}\n`);
}

function printBanner(
  config: Config,
  s: { temporalAddress: string; graphUrl: string; sandboxKey?: string; seeded?: Seeded; seconds: number },
): void {
  const api = `http://localhost:${config.port}`;
  const ui = config.temporal.address
    ? (config.temporal.uiUrl ?? '(external Temporal)')
    : `http://localhost:${config.localPorts.temporalUi}`;
  const lines = [
    '',
    `Aura Engage is ready (${s.seconds.toFixed(1)} s): the worker polls Temporal — Ctrl-C stops everything.`,
    `  API            ${api}   (readiness: ${api}/readyz)`,
    `  Sandbox        ${api}/sandbox`,
    `  Agent console  ${api}/console/`,
    `  Metrics        ${api}/metrics (API), http://localhost:${config.workerMetricsPort}/metrics (worker)`,
    `  Temporal UI    ${ui}`,
    `  Temporal       ${s.temporalAddress}  namespace ${config.temporal.namespace}`,
    `  Codec server   ${api}/codec   (sign in at ${api}/codec/login with the admin token to read payloads in the UI)`,
    `  PostgreSQL     ${config.databaseUrl ? '(DATABASE_URL)' : `embedded, data in ${path.resolve(config.dataDir, 'postgres')}`}`,
    `  Graph API      ${s.graphUrl}${config.whatsapp.graphUrl === s.graphUrl ? '' : '  (sandbox fake)'}`,
  ];
  if (config.profile === 'local') {
    lines.push(
      '',
      `Local secrets (kept in ${path.resolve(config.dataDir, 'secrets.json')}):`,
      `  AURA_ADMIN_TOKEN       ${config.adminToken}`,
      `  WHATSAPP_APP_SECRET    ${config.whatsapp.appSecrets.join(',')}`,
      `  WHATSAPP_VERIFY_TOKEN  ${config.whatsapp.verifyToken}`,
      `  AURA_MASTER_KEY        (in the secrets file)`,
      `  Sandbox client         phone_number_id ${SANDBOX_PHONE_NUMBER_ID}${s.sandboxKey ? `, API key ${s.sandboxKey}` : ''}`,
    );
    if (s.seeded === 'all')
      lines.push(
        '  Sandbox Shop           sample templates, shipping rates, orders and FAQ answers written (docs/orders.md → Try it)',
      );
    if (s.seeded === 'templates')
      lines.push(
        "  Sandbox Shop           its account's templates synced and named in its settings (docs/templates.md)",
      );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

void main();
