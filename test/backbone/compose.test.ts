import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ConfigError, parseConfig } from '../../config';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: unknown;
  depends_on?: Record<string, unknown>;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

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
      assert.ok(compose.services[name], `service ${name} exists`);
    }
    for (const name of ['postgres', 'temporal', 'api', 'worker']) {
      assert.ok(compose.services[name]!.healthcheck, `service ${name} has a health check`);
    }
  });

  it('when api and worker are compared, then they run one image with two commands', () => {
    const { api, worker } = compose.services;
    assert.equal(api!.image, worker!.image);
    assert.deepEqual(api!.command, ['node', 'dist/api/main.js']);
    assert.deepEqual(worker!.command, ['node', 'dist/worker/main.js']);
  });

  it('when api and worker start, then every variable the configuration requires is set, plus the database and Temporal', () => {
    const required = [...requiredVariables(), 'DATABASE_URL', 'TEMPORAL_ADDRESS'];
    assert.ok(required.includes('AURA_MASTER_KEY'));
    for (const name of ['api', 'worker']) {
      const env = compose.services[name]!.environment ?? {};
      for (const variable of required) assert.ok(env[variable], `${name} sets ${variable}`);
      assert.equal(env.AURA_PROFILE, 'production');
    }
  });

  it('when Temporal persists, then it persists to the PostgreSQL service', () => {
    const temporal = compose.services.temporal!;
    assert.equal(temporal.environment?.POSTGRES_SEEDS, 'postgres');
    assert.ok(temporal.depends_on?.postgres);
  });
});
