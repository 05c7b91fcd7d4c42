import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createApp } from '../api/app';
import { provisionClient } from '../api/provisioning';
import { parseConfig, processEnv } from '../config';
import { LocalKms } from '../crypto/kms';
import { createSecretBox } from '../crypto/secret-box';
import { SubjectVault } from '../crypto/vault';
import { startEmbeddedPostgres } from '../db/embedded';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createLogger } from '../logging';
import { createMetrics } from '../metrics';
import { createLocalMediaStore } from '../media/store';
import { startFakeGraph } from '../sandbox/fake-graph';
import { connectWorker, createTemporalClient } from '../temporal/connection';
import { freePort, startDevServer } from '../temporal/dev-server';
import { clientSettingsSchema } from '../settings/client-settings';
import { createGraphClient } from '../whatsapp/graph-client';
import { bundleWorkflows, createAuraWorker } from '../worker/worker';
import type { LoadReport, LoadSpec } from './load';
import type { BenchContext } from './scenario';

const ROOT = path.resolve(__dirname, '..');

/** A fresh database for the run: on DATABASE_URL's server when set, else an embedded PostgreSQL. */
async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = processEnv().DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({
      dir: path.join(ROOT, '.data', `bench-postgres-${process.pid}`),
      port: await freePort(),
      persistent: false,
    });
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  const name = `aura_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * The measured system, in this process on free ports: a Temporal dev server (its own process), a
 * database, the fake Graph API, one worker and the API — wired as the worker and API entry points
 * wire them. Returns the scenario context and a function that tears everything down.
 */
export async function startBenchStack(log: (line: string) => void): Promise<{
  ctx: BenchContext;
  close(): Promise<void>;
}> {
  const temporalServer = await startDevServer({ headless: true });
  const database = await benchDatabase();
  const graph = await startFakeGraph();
  const appSecret = randomBytes(16).toString('hex');
  const config = parseConfig({
    AURA_PROFILE: 'production',
    LOG_LEVEL: 'silent',
    AURA_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    AURA_MASTER_KEY: randomBytes(32).toString('base64'),
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_VERIFY_TOKEN: randomBytes(12).toString('base64url'),
    WHATSAPP_GRAPH_URL: graph.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    DATABASE_URL: database.url,
  });
  const db = createPool(database.url, 20);
  await migrate(db);
  const logger = createLogger('silent');
  const secrets = createSecretBox(config.masterKey);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await connectWorker(config, temporalServer.address);
  const temporal = createTemporalClient(config, temporalServer.address);
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'aura-bench-media-'));
  const vault = new SubjectVault(db, new LocalKms([config.masterKey]));
  const worker = await createAuraWorker({
    config,
    connection,
    bundle: await bundleWorkflows(),
    deps: {
      db,
      temporal,
      graph: createGraphClient({ baseUrl: graph.url, version: config.whatsapp.graphVersion }),
      secrets,
      vault,
      media: createLocalMediaStore(mediaDir),
      log: logger,
      metrics: createMetrics('worker'),
    },
  });
  const running = worker.run();
  const app = createApp({ config, db, temporal, secrets, vault, log: logger, metrics: createMetrics('api') });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const ctx: BenchContext = {
    apiUrl,
    graph,
    db,
    log,
    async provisionClient(settings) {
      const phoneNumberId = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
      const { clientId } = await provisionClient(
        { db, secrets },
        {
          name: 'Bench Shop',
          phoneNumberIds: [phoneNumberId],
          graphAccessToken: 'bench-token-000',
          settings: clientSettingsSchema.parse(settings ?? {}),
        },
      );
      return { clientId, phoneNumberId };
    },
    runLoad: (spec) => runLoadProcess({ ...spec, url: `${apiUrl}/webhooks/whatsapp`, appSecret }),
  };
  return {
    ctx,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.connection.close();
      await graph.close();
      await db.end();
      await database.drop();
      await temporalServer.stop();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}

/** Runs the load generator in a child process and parses its report. */
function runLoadProcess(spec: LoadSpec): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'load.ts'), JSON.stringify(spec)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${String(code)}`));
      try {
        resolve(JSON.parse(out) as LoadReport);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}
