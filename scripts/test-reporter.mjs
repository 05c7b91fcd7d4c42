// The test command's reporter (plain JavaScript: node loads reporters before tsx is registered).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';

/**
 * One line per test, the failures in full, and nothing else. What a test file prints (its servers'
 * logs, the Temporal SDK's lines, expected stack traces) is kept per file and written to
 * `test-artifacts/test-logs/<file>.log` only when one of its tests failed; the failure names that
 * file. Ends with the failures again, each with the first lines of its reason, and the plain
 * `N passed, N failed` line.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_LOGS = path.join(ROOT, 'test-artifacts', 'test-logs');

const relative = (file) => (file ? path.relative(ROOT, file) : '(no file)');
const logFileOf = (file) => path.join(TEST_LOGS, `${relative(file).replace(/[\\/]/g, '__')}.log`);
const seconds = (ms) => `${((ms ?? 0) / 1000).toFixed(1)} s`;

/** The assertion or error a test threw, without node's and libraries' frames. */
function describeError(error) {
  const cause = error?.cause ?? error;
  const text = cause instanceof Error ? inspect(cause, { depth: 4 }) : String(cause);
  const shown = text
    .split('\n')
    .filter((l) => !/\(node:|at node:|node_modules/.test(l))
    .slice(0, 40);
  return shown.map((l) => `    ${l}`).join('\n');
}

export default async function* reporter(source) {
  rmSync(TEST_LOGS, { recursive: true, force: true });
  const output = new Map();
  const failedFiles = new Set();
  const failures = [];
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for await (const { type, data } of source) {
    const file = data.file ?? '';
    if (type === 'test:stdout' || type === 'test:stderr') {
      if (!output.has(file)) output.set(file, []);
      output.get(file).push(data.message ?? '');
    } else if (type === 'test:pass' && data.details?.type !== 'suite') {
      const skipped = data.skip || data.todo;
      counts[skipped ? 'skipped' : 'passed'] += 1;
      yield `${skipped ? '-' : '✔'} ${relative(data.file)} › ${data.name} (${skipped ? 'skipped' : seconds(data.details?.duration_ms)})\n`;
    } else if (type === 'test:fail' && data.details?.error?.failureType !== 'subtestsFailed') {
      // A suite whose tests failed is not reported again; one whose own hook failed is.
      counts.failed += 1;
      failedFiles.add(file);
      const where = path.relative(ROOT, logFileOf(data.file));
      const error = describeError(data.details?.error);
      // The summary repeats the first lines of the reason: a log cut to its tail still says why.
      const reason = error.split('\n').slice(0, 8).join('\n');
      failures.push(
        `✖ ${relative(data.file)} › ${data.name} (${seconds(data.details?.duration_ms)}, output: ${where})\n${reason}`,
      );
      yield `✖ ${relative(data.file)} › ${data.name} (${seconds(data.details?.duration_ms)})\n${error}\n    the file's output: ${where}\n`;
    }
  }
  if (failedFiles.size) mkdirSync(TEST_LOGS, { recursive: true });
  for (const file of failedFiles) writeFileSync(logFileOf(file), (output.get(file) ?? []).join(''));
  if (failures.length) yield `\nfailed:\n${failures.join('\n')}\n`;
  const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
  yield `\n${counts.passed} passed, ${counts.failed} failed${skipped}\n`;
}
