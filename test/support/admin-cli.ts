import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { TEST_ADMIN_TOKEN } from './env';

/**
 * `npm run admin -- rotate-keys` as an operator runs it, against `databaseUrl`, with the new master
 * key and the old one as previous (base64); asserts it exits 0 and returns its JSON report.
 */
export function rotateKeysCli(
  databaseUrl: string,
  keys: { current: string; previous: string },
): Record<string, number> {
  const run = spawnSync('npx', ['tsx', 'scripts/admin.ts', 'rotate-keys'], {
    cwd: path.resolve(__dirname, '../..'),
    encoding: 'utf8',
    env: {
      ...process.env,
      AURA_PROFILE: 'production',
      DATABASE_URL: databaseUrl,
      AURA_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      AURA_MASTER_KEY: keys.current,
      AURA_MASTER_KEY_PREVIOUS: keys.previous,
      WHATSAPP_APP_SECRET: 'rotation-secret-123',
      WHATSAPP_VERIFY_TOKEN: 'rotation-verify',
    },
  });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, number>;
}
