import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
/** What the compiled processes read from disk at run time, beside their code. */
const ASSETS = ['db/migrations', 'api/public', 'sandbox/public'];

/**
 * Compiles the API, the worker and the scripts to JavaScript in `outDir` and copies the files they
 * read at run time beside them, so `node <outDir>/api/main.js` and `node <outDir>/worker/main.js`
 * run without tsx: what the Docker image runs, and what the benchmark measures.
 */
export function build(outDir: string): void {
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed (exit ${String(tsc.status)})`);
  for (const asset of ASSETS) cpSync(path.join(ROOT, asset), path.join(outDir, asset), { recursive: true });
}

/** `npm run build [-- --out-dir=<dir>]` (default `dist/`). */
if (require.main === module) {
  const arg = process.argv.find((a) => a.startsWith('--out-dir='));
  build(path.resolve(ROOT, arg ? arg.slice('--out-dir='.length) : 'dist'));
}
