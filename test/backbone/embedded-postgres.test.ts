import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startEmbeddedPostgres } from '../../db/embedded';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { freePort } from '../../temporal/dev-server';

describe('embedded PostgreSQL (used when DATABASE_URL is unset)', () => {
  it('when started from nothing, then migrations apply once and are idempotent', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'aura-pg-'));
    chmodSync(parent, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach it
    const dir = path.join(parent, 'db');
    const db = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false });
    const pool = createPool(db.url, 2);
    try {
      const first = await migrate(pool);
      assert.ok(first.includes('001_tenancy.sql'));
      assert.deepEqual(await migrate(pool), []);
      const { rows } = await pool.query("SELECT to_regclass('public.clients') AS t");
      assert.equal(rows[0].t, 'clients');
    } finally {
      await pool.end();
      await db.stop();
    }
  });
});
