import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');

interface Written {
  scenario: string;
  quick: boolean;
  machine: { cores: number; memoryGiB: number; cpuModel: string; loadAverageAtStart: number[] };
  rows: Record<string, string | number>[];
}

/** `npm run bench -- --quick` as a user runs it, results written to a temporary folder. */
function runQuickBench(resultsDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), '--quick', `--results=${resultsDir}`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('benchmark runner (quick)', () => {
  it('when the quick bench runs end to end, then every scenario writes its results with the machine and no message is lost', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aura-bench-test-'));
    try {
      const { code, output } = await runQuickBench(dir);
      assert.equal(code, 0, output);
      const written = readdirSync(dir).map(
        (f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Written,
      );
      assert.deepEqual(written.map((w) => w.scenario).sort(), [
        'idle',
        'inbound',
        'media',
        'orders',
        'webhook-cost',
      ]);
      for (const w of written) {
        assert.equal(w.quick, true);
        assert.ok(
          w.machine.cores > 0 && w.machine.memoryGiB > 0 && w.machine.loadAverageAtStart.length === 3,
        );
      }
      const inbound = written.find((w) => w.scenario === 'inbound')!;
      const measured = inbound.rows.filter((r) => r.system === 'aura' || r.system === 'baseline');
      const fixedRate = measured.filter((r) => r.sent !== undefined);
      assert.equal(fixedRate.length, 2, 'one Aura and one baseline run');
      for (const r of fixedRate) {
        assert.equal(r['non-200'], 0, JSON.stringify(r));
        assert.equal(r.unanswered, 0, JSON.stringify(r));
      }
      assert.ok(inbound.rows.some((r) => r.system === 'aura ÷ baseline'));
      const idle = written.find((w) => w.scenario === 'idle')!;
      assert.equal(idle.rows[0]!.value, 20, 'every opened conversation answered');
      const media = written.find((w) => w.scenario === 'media')!;
      assert.deepEqual(
        media.rows.map((r) => r.ok),
        ['yes', 'yes'],
        'the file is stored, then served byte for byte',
      );
      const cost = written.find((w) => w.scenario === 'webhook-cost')!;
      assert.ok(Number(cost.rows[1]!['bodies refused/s']) > 0, 'the bad-signature bodies were refused');
      const orders = written.find((w) => w.scenario === 'orders')!;
      assert.equal(orders.rows[0]!['create errors'], 0);
      assert.equal(orders.rows[0]!['read errors'], 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
