import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseConfig, processEnv, type Config } from '../../config';
import { migrate } from '../../db/migrate';
import { ensureAppRole, grantAppRole } from '../../db/roles';
import { createPool, type Db } from '../../db/pool';

/** Values `scripts/test.ts` puts in the environment for every test file. */
export function testInfra(): { temporalAddress: string; databaseUrl: string } {
  const env = processEnv();
  const temporalAddress = env.AURA_TEST_TEMPORAL_ADDRESS;
  const databaseUrl = env.AURA_TEST_DATABASE_URL;
  if (!temporalAddress || !databaseUrl) {
    throw new Error('run tests with `npm test` (it starts Temporal and PostgreSQL and sets AURA_TEST_*)');
  }
  return { temporalAddress, databaseUrl };
}

export const TEST_APP_SECRET = 'test-app-secret-0123456789';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** A full, valid configuration for tests; `overrides` are environment variables. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({
    AURA_PROFILE: 'production',
    LOG_LEVEL: 'silent',
    AURA_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    AURA_MASTER_KEY: randomBytes(32).toString('base64'),
    WHATSAPP_APP_SECRET: TEST_APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: 'test-verify-token',
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    ...overrides,
  });
}

export interface TestDatabase {
  /** The application's connection: the role the API and the worker use (no ownership, audit log append-only). */
  url: string;
  pool: Db;
  /** The schema owner's pool (migrations; tests that create tables of their own). */
  owner: Db;
  drop(): Promise<void>;
}

/** The application role every test database grants, as `npm start` and compose use one. */
export const TEST_APP_ROLE = 'aura_app_test';

/**
 * A fresh, migrated database of its own for one test file, dropped at the end. Migrated by the
 * owner; `pool` connects as the application role, as the API and the worker do in production.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { databaseUrl } = testInfra();
  const name = `aura_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await ensureAppRole(admin, TEST_APP_ROLE, 'aura-app-test-password');
  await admin.end();
  const ownerUrl = new URL(databaseUrl);
  ownerUrl.pathname = `/${name}`;
  const owner = createPool(ownerUrl.toString(), 2);
  await migrate(owner);
  await grantAppRole(owner, TEST_APP_ROLE);
  const url = new URL(ownerUrl);
  url.username = TEST_APP_ROLE;
  url.password = 'aura-app-test-password';
  const pool = createPool(url.toString(), 5);
  return {
    url: url.toString(),
    pool,
    owner,
    async drop() {
      await pool.end();
      await owner.end();
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
