import { loadConfigOrExit, processEnv } from '../config';
import { localEnv } from '../config/local';
import { freePort } from '../temporal/dev-server';
import { openLocalDatabase } from './embedded';
import { migrate } from './migrate';
import { createPool } from './pool';

/** `npm run migrate`: applies pending migrations to DATABASE_URL, or to the local embedded database. */
async function main(): Promise<void> {
  const env = processEnv();
  const config = loadConfigOrExit(env.AURA_PROFILE === 'production' ? env : localEnv(env));
  const local = config.databaseUrl ? undefined : await openLocalDatabase(config.dataDir, freePort);
  const pool = createPool(config.databaseUrl ?? local!.url, 1);
  try {
    const applied = await migrate(pool);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await pool.end();
    await local?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate failed: ${(err as Error).message}\n`);
  process.exit(1);
});
