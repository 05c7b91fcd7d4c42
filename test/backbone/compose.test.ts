import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ConfigError, parseConfig } from '../../config';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  restart?: string;
  ports?: string[];
  volumes?: string[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const { services } = compose;

/** One-shot jobs (schema, setup, migrations): everything else runs for good. */
const ONE_SHOT = new Set(['temporal-schema', 'temporal-setup', 'migrate']);

/** A compose value as it resolves with nothing set in the environment (`${X:-default}` → default). */
const unset = (value: string | number | undefined) =>
  String(value ?? '').replace(/\$\{\w+:-([^}]*)\}/g, '$1');

/** `docker compose` (the plugin) or a standalone `docker-compose` of version 2, if either is installed. */
function composeCommand(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(command[0]!, [...command.slice(1), 'version', '--short'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0 && /^v?2\./.test(probe.stdout.trim())) return command;
  }
  return undefined;
}

/** The variables the config cannot do without, read from the schema itself so this test cannot drift. */
function requiredVariables(): string[] {
  try {
    parseConfig({});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.split(':')[0]!);
  }
  throw new Error('expected an empty environment to be rejected');
}

describe('docker-compose.yml', () => {
  it('when parsed, then it has every service the code needs, with health checks', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'api', 'worker']) {
      assert.ok(services[name], `service ${name} exists`);
    }
    for (const name of ['postgres', 'temporal', 'api', 'worker']) {
      assert.ok(services[name]!.healthcheck, `service ${name} has a health check`);
    }
  });

  it('when a long-running service dies, then compose restarts it; one-shot jobs are not restarted', () => {
    for (const [name, service] of Object.entries(services)) {
      if (ONE_SHOT.has(name)) assert.equal(service.restart, 'no', name);
      else assert.ok(['always', 'unless-stopped'].includes(service.restart ?? ''), `${name} restarts`);
    }
  });

  it("when health is checked, then the api's means /readyz and the worker's means its own /readyz (it polls)", () => {
    const test = (name: string) => (services[name]!.healthcheck!.test ?? []).join(' ');
    assert.match(test('api'), /http:\/\/127\.0\.0\.1:3000\/readyz/);
    const workerPort = services.worker!.environment!.WORKER_METRICS_PORT;
    assert.match(test('worker'), new RegExp(`http://127\\.0\\.0\\.1:${String(workerPort)}/readyz`));
    assert.doesNotMatch(test('worker'), /kill -0/);
  });

  it('when the worker stores a media file, then the api serves it from the same volume (their AURA_DATA_DIR)', () => {
    const dataDir = String(services.worker!.environment!.AURA_DATA_DIR);
    for (const name of ['api', 'worker']) {
      assert.equal(services[name]!.environment!.AURA_DATA_DIR, dataDir, name);
      assert.ok(services[name]!.volumes?.includes(`media:${dataDir}`), `${name} mounts media at ${dataDir}`);
    }
  });

  it('when api and worker are compared, then they run one image with two commands', () => {
    const { api, worker } = services;
    assert.equal(api!.image, worker!.image);
    assert.deepEqual(api!.command, ['node', 'dist/api/main.js']);
    assert.deepEqual(worker!.command, ['node', 'dist/worker/main.js']);
  });

  it('when api and worker start, then every variable the configuration requires is set, plus the database and Temporal', () => {
    const required = [...requiredVariables(), 'DATABASE_URL', 'TEMPORAL_ADDRESS'];
    assert.ok(required.includes('AURA_MASTER_KEY'));
    for (const name of ['api', 'worker']) {
      const env = services[name]!.environment ?? {};
      for (const variable of required) assert.ok(env[variable], `${name} sets ${variable}`);
      assert.equal(env.AURA_PROFILE, 'production');
    }
  });

  it('when Temporal runs, then it is the server image on the PostgreSQL service, its schema made first by temporal-sql-tool', () => {
    const temporal = services.temporal!;
    assert.match(temporal.image ?? '', /^temporalio\/server:/);
    for (const s of Object.values(services)) assert.doesNotMatch(s.image ?? '', /auto-setup/);
    assert.equal(temporal.environment?.POSTGRES_SEEDS, 'postgres');
    assert.equal(temporal.depends_on?.postgres?.condition, 'service_healthy');
    assert.equal(temporal.depends_on?.['temporal-schema']?.condition, 'service_completed_successfully');
    const schema = services['temporal-schema']!;
    assert.match(schema.image ?? '', /^temporalio\/admin-tools:/);
    const script = [schema.command].flat().join('\n');
    for (const step of ['create-database', 'setup-schema', 'update-schema'])
      assert.match(script, new RegExp(`temporal-sql-tool .*${step}`), step);
    assert.match(script, /temporal_visibility/);
    assert.equal(temporal.ports, undefined, 'the frontend is not published');
    for (const name of ['api', 'worker'])
      assert.equal(
        services[name]!.depends_on?.['temporal-setup']?.condition,
        'service_completed_successfully',
      );
  });

  it('when the Temporal UI is published, then only on the loopback interface and read-only unless asked otherwise', () => {
    const ui = services['temporal-ui']!;
    assert.ok((ui.ports ?? []).length > 0);
    for (const port of ui.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, port);
    assert.equal(unset(ui.environment?.TEMPORAL_DISABLE_WRITE_ACTIONS), 'true');
  });

  it('when Docker Compose v2 is installed, then `docker compose config` accepts the file', (t) => {
    const compose = composeCommand();
    if (!compose) {
      t.skip('Docker Compose v2 is not installed here');
      return;
    }
    const env = {
      ...process.env,
      AURA_ADMIN_TOKEN: 'x'.repeat(32),
      AURA_MASTER_KEY: Buffer.alloc(32).toString('base64'),
      WHATSAPP_APP_SECRET: 'compose-check-secret',
      WHATSAPP_VERIFY_TOKEN: 'compose-check-token',
    };
    const res = spawnSync(compose[0]!, [...compose.slice(1), 'config', '--quiet'], { encoding: 'utf8', env });
    assert.equal(res.status, 0, res.stderr);
  });
});
