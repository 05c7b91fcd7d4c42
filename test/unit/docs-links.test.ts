import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`),
]
  .filter((f) => f.endsWith('.md'))
  .map((f) => ({ file: f, text: readFileSync(path.join(ROOT, f), 'utf8') }));
/** Files that exist only once the system or the tests have run. */
const RUNTIME = /^(\.data|test-artifacts)\//;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [path.relative(ROOT, p)];
  });
}
const TEST_FILES = walk(path.join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts'));

/** `test/x/a.test.ts`, or a bare `a.test.ts` the page named with its folder before. */
function testFile(cited: string, page: string, at: number): string | undefined {
  if (cited.includes('/')) return TEST_FILES.includes(cited) ? cited : undefined;
  const named = TEST_FILES.filter((f) => path.basename(f) === cited);
  return named.length === 1 ? named[0] : named.find((f) => page.lastIndexOf(f, at) >= 0);
}

const words = (s: string) => s.replace(/\s+/g, ' ');

describe('the docs cite what exists', () => {
  it('when a page names a file path in code quotes or links a page, then that file exists', () => {
    const missing: string[] = [];
    for (const { file, text } of PAGES) {
      for (const [, cited] of text.matchAll(/`([\w.-]+(?:\/[\w.-]+)+\.[a-z]{1,5})`/g))
        if (!RUNTIME.test(cited!) && !existsSync(path.join(ROOT, cited!))) missing.push(`${file}: ${cited}`);
      for (const [, target] of text.matchAll(/\]\(([^)#\s:]+\.(?:md|png|svg))(?:#[^)]*)?\)/g))
        if (!existsSync(path.join(ROOT, path.dirname(file), target!))) missing.push(`${file}: ${target}`);
    }
    assert.deepEqual(missing, [], 'cited files that do not exist');
  });

  it('when a page names a test file and quotes its test names, then the file holds each name', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const { file, text } of PAGES) {
      for (const { 1: cited, 2: names, index } of text.matchAll(
        /`([\w./-]+\.test\.ts)`\s*→\s*((?:"[^"]+"[,;\s]*)+)/g,
      )) {
        const testPath = testFile(cited!, text, index);
        if (!testPath) {
          missing.push(`${file}: ${cited} (no such test file)`);
          continue;
        }
        const source = words(readFileSync(path.join(ROOT, testPath), 'utf8'));
        for (const [, name] of names!.matchAll(/"([^"]+)"/g)) {
          checked += 1;
          // "…" marks a cut: every piece between the cuts is in the test's name as written.
          for (const piece of words(name!)
            .split('…')
            .map((p) => p.trim()))
            if (piece && !source.includes(piece)) missing.push(`${file}: ${cited} → "${name}"`);
        }
      }
    }
    assert.ok(checked > 20, `the citations were read (${checked})`);
    assert.deepEqual(missing, [], 'cited tests that do not exist under that name');
  });
});
