import { loadConfigOrExit, processEnv } from '../config';
import { localEnv } from '../config/local';
import { freePort } from '../temporal/dev-server';
import { openLocalDatabase } from './embedded';
import { migrateAndGrant } from './roles';

/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL, or to the local embedded database.
 * With DATABASE_OWNER_URL, migrates as that owner and creates/grants DATABASE_URL's role for the app.
 */
async function main(): Promise<void> {
  const env = processEnv();
  const config = loadConfigOrExit(env.AURA_PROFILE === 'production' ? env : localEnv(env));
  const local = config.databaseUrl ? undefined : await openLocalDatabase(config.dataDir, freePort);
  const appUrl = config.databaseUrl ?? local!.url;
  try {
    const applied = await migrateAndGrant(config.databaseOwnerUrl ?? appUrl, appUrl);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await local?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate failed: ${(err as Error).message}\n`);
  process.exit(1);
});
