import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { processEnv } from '../config';
import { startEmbeddedPostgres } from '../db/embedded';
import { freePort, startDevServer } from '../temporal/dev-server';

/**
 * `npm test`: typecheck, lint and format check, then every `test/**\/*.test.ts` with node's test
 * runner against one real Temporal dev server and one real PostgreSQL for the whole run —
 * `DATABASE_URL` when set, else an embedded PostgreSQL that is removed afterwards.
 * `npm test -- test/unit` runs only the files under the given paths (and skips the static checks).
 * `npm run test:unit` runs the pure tier — `test/unit`, no server, no browser, no database — in seconds.
 * The output is one line per test and the failures (`scripts/test-reporter.mjs`); a failing file's
 * own output (server logs, SDK lines) is kept in `test-artifacts/test-logs/`, named in the failure.
 */
const ROOT = path.resolve(__dirname, '..');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function testFiles(roots: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) walk(path.join(p, f));
    else if (p.endsWith('.test.ts')) out.push(path.relative(ROOT, p));
  };
  for (const r of roots) walk(path.resolve(ROOT, r));
  return out;
}

function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      `--test-reporter=${path.join(ROOT, 'scripts', 'test-reporter.mjs')}`,
      ...files,
    ],
    env,
  );
}

async function main(): Promise<number> {
  if (process.argv[2] === '--unit') return runTests(testFiles(['test/unit']), process.env);
  const selected = process.argv.slice(2);
  if (selected.length === 0) {
    // Size warnings are for `npm run lint` at the desk; the test command fails on errors only.
    for (const script of ['typecheck', 'lint -- --quiet', 'format:check']) {
      const code = await run('npm', ['run', '--silent', ...script.split(' ')]);
      if (code !== 0) return code;
    }
  }
  for (const tool of ['install-chromium.sh', 'install-schemathesis.sh']) {
    const code = await run('bash', [path.join('scripts', tool)]);
    if (code !== 0) return code;
  }
  const env = processEnv();
  const temporal = await startDevServer({ headless: true });
  const embedded = env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({
        dir: path.join(ROOT, '.data', `test-postgres-${process.pid}`),
        port: await freePort(),
        persistent: false,
      });
  process.stdout.write(
    `test infrastructure: Temporal ${temporal.address}, PostgreSQL ${embedded ? 'embedded' : 'from DATABASE_URL'}\n`,
  );
  try {
    const files = testFiles(selected.length ? selected : ['test']);
    return await runTests(files, {
      ...process.env,
      AURA_TEST_TEMPORAL_ADDRESS: temporal.address,
      AURA_TEST_DATABASE_URL: env.DATABASE_URL ?? embedded!.url,
    });
  } finally {
    await temporal.stop();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test run failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
