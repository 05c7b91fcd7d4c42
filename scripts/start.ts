import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { provisionClient } from '../api/provisioning';
import { loadConfigOrExit, processEnv, type Config } from '../config';
import { localEnv } from '../config/local';
import { deriveKey } from '../crypto/keys';
import { createSecretBox } from '../crypto/secret-box';
import { advertiseLocalDatabase, startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded';
import { appRoleUrl, migrateAndGrant } from '../db/roles';
import { createPool } from '../db/pool';
import { startFakeGraph, type FakeGraph } from '../sandbox/fake-graph';
import { freePort, startDevServer, stopProcess, type DevServer } from '../temporal/dev-server';

/**
 * `npm start`: the whole system on embedded defaults. Temporal dev server (persistent SQLite, Web UI
 * on 8233) unless TEMPORAL_ADDRESS is set; PostgreSQL from DATABASE_URL or an embedded one under the
 * data folder; migrations; the sandbox Graph API unless WHATSAPP_GRAPH_URL is set; then the worker and
 * the API as two processes. Ctrl-C stops all of it.
 */
const ROOT = path.resolve(__dirname, '..');
const SANDBOX_PHONE_NUMBER_ID = '100000000001';

interface Running {
  temporal?: DevServer;
  postgres?: EmbeddedDatabase;
  graph?: FakeGraph;
  children: ChildProcess[];
}

async function main(): Promise<void> {
  const env = processEnv();
  const profileEnv = env.AURA_PROFILE === 'production' ? env : localEnv(env);
  const config = loadConfigOrExit(profileEnv);
  const running: Running = { children: [] };
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await Promise.allSettled(running.children.map((c) => stopProcess(c)));
    await running.graph?.close();
    await running.temporal?.stop();
    await running.postgres?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const started = Date.now();
    const temporalAddress = config.temporal.address ?? (await startTemporal(config, running));
    const ownerUrl = config.databaseOwnerUrl ?? config.databaseUrl ?? (await startPostgres(config, running));
    // The embedded database gets the application role, as production has: API and worker connect
    // as `aura_app`, which cannot alter the audit log; migrations run as the owner.
    const databaseUrl =
      config.databaseUrl ??
      appRoleUrl(ownerUrl, 'aura_app', deriveKey(config.masterKey, 'app-db-role').toString('hex'));
    const demoKey = await prepareDatabase(config, ownerUrl, databaseUrl);
    const graphUrl = profileEnv.WHATSAPP_GRAPH_URL ?? (await startSandboxGraph(config, running));
    const childEnv = {
      ...profileEnv,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      WHATSAPP_GRAPH_URL: graphUrl,
    };
    running.children.push(launch('worker', 'worker/main.ts', childEnv, stop));
    running.children.push(launch('api', 'api/main.ts', childEnv, stop));
    await waitForHttp(`http://127.0.0.1:${config.port}/readyz`);
    printBanner(config, {
      temporalAddress,
      databaseUrl,
      graphUrl,
      demoKey,
      seconds: (Date.now() - started) / 1000,
    });
  } catch (err) {
    process.stderr.write(`start failed: ${(err as Error).message}\n`);
    await stop(1);
  }
}

async function startTemporal(config: Config, running: Running): Promise<string> {
  say('starting Temporal dev server (UI on :8233)…');
  running.temporal = await startDevServer({
    port: 7233,
    uiPort: 8233,
    // The UI decodes payloads through the API's codec endpoint (operator sign-in: /codec/login).
    codecEndpoint: `http://localhost:${config.port}/codec`,
    dbFile: path.resolve(config.dataDir, 'temporal.sqlite'),
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
  running.postgres = { url: postgres.url, stop: () => (withdraw(), postgres.stop()) };
  return postgres.url;
}

/** The sandbox Graph API, reporting delivery statuses back to our own webhook, signed as Meta does. */
async function startSandboxGraph(config: Config, running: Running): Promise<string> {
  running.graph = await startFakeGraph({ port: 3100 });
  running.graph.connectWebhook(
    `http://127.0.0.1:${config.port}/webhooks/whatsapp`,
    config.whatsapp.appSecrets[0]!,
  );
  return running.graph.url;
}

/** Migrates, and in the local profile provisions a sandbox client once (its key kept in the data folder). */
async function prepareDatabase(
  config: Config,
  ownerUrl: string,
  databaseUrl: string,
): Promise<string | undefined> {
  await migrateAndGrant(ownerUrl, databaseUrl);
  const pool = createPool(databaseUrl, 1);
  try {
    if (config.profile !== 'local') return undefined;
    const file = path.resolve(config.dataDir, 'sandbox-client.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { apiKey: string }).apiKey;
    const { rows } = await pool.query('SELECT 1 FROM client_phone_numbers WHERE phone_number_id = $1', [
      SANDBOX_PHONE_NUMBER_ID,
    ]);
    if (rows.length) return undefined;
    const created = await provisionClient(
      { db: pool, secrets: createSecretBox(config.masterKey) },
      {
        name: 'Sandbox Shop',
        phoneNumberIds: [SANDBOX_PHONE_NUMBER_ID],
        graphAccessToken: 'sandbox-access-token',
      },
    );
    writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
    return created.apiKey;
  } finally {
    await pool.end();
  }
}

function launch(name: string, entry: string, env: NodeJS.ProcessEnv, stop: (code: number) => Promise<void>) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) {
      process.stderr.write(`${name} exited with code ${String(code)}\n`);
      void stop(1);
    }
  });
  return child;
}

async function waitForHttp(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
}

function say(line: string): void {
  process.stdout.write(`[aura] ${line}\n`);
}

function printBanner(
  config: Config,
  s: { temporalAddress: string; databaseUrl: string; graphUrl: string; demoKey?: string; seconds: number },
): void {
  const api = `http://localhost:${config.port}`;
  const lines = [
    '',
    `Aura Engage is running (ready in ${s.seconds.toFixed(1)} s) — Ctrl-C stops everything.`,
    `  API            ${api}   (readiness: ${api}/readyz)`,
    `  Sandbox        ${api}/sandbox`,
    `  Agent console  ${api}/console/`,
    `  Metrics        ${api}/metrics (API), http://localhost:${config.workerMetricsPort}/metrics (worker)`,
    `  Temporal UI    ${config.temporal.uiUrl ?? (config.temporal.address ? '(external Temporal)' : 'http://localhost:8233')}`,
    `  Temporal       ${s.temporalAddress}  namespace ${config.temporal.namespace}`,
    `  Codec server   ${api}/codec   (sign in at ${api}/codec/login with the admin token to read payloads in the UI)`,
    `  PostgreSQL     ${config.databaseUrl ? '(DATABASE_URL)' : `embedded, data in ${path.resolve(config.dataDir, 'postgres')}`}`,
    `  Graph API      ${s.graphUrl}${s.graphUrl.includes('127.0.0.1:3100') ? '  (sandbox fake)' : ''}`,
  ];
  if (config.profile === 'local') {
    lines.push(
      '',
      `Local secrets (kept in ${path.resolve(config.dataDir, 'secrets.json')}):`,
      `  AURA_ADMIN_TOKEN       ${config.adminToken}`,
      `  WHATSAPP_APP_SECRET    ${config.whatsapp.appSecrets.join(',')}`,
      `  WHATSAPP_VERIFY_TOKEN  ${config.whatsapp.verifyToken}`,
      `  AURA_MASTER_KEY        (in the secrets file)`,
      `  Sandbox client         phone_number_id ${SANDBOX_PHONE_NUMBER_ID}${s.demoKey ? `, API key ${s.demoKey}` : ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

void main();
