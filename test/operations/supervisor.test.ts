import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Supervisor, type ProcessSpec } from '../../scripts/supervisor';
import { alive, sleep } from '../support/npm-start';
import { waitUntil } from '../support/whatsapp';

/** A real child process running `code` with node. */
const spec = (name: string, code: string): ProcessSpec => ({
  name,
  command: process.execPath,
  args: ['-e', code],
  env: { PATH: process.env.PATH },
  cwd: process.cwd(),
});

function supervisor(opts: { backoffMs?: (n: number) => number; windowMs?: number } = {}) {
  const lines: string[] = [];
  let gaveUp = 0;
  const s = new Supervisor({
    backoffMs: opts.backoffMs ?? (() => 50),
    windowMs: opts.windowMs,
    say: (l) => lines.push(l),
    alarm: (l) => lines.push(`ALARM ${l}`),
    onGiveUp: () => (gaveUp += 1),
  });
  return { s, lines, gaveUp: () => gaveUp };
}

describe('npm start supervisor (real child processes)', () => {
  it('when a child is killed with SIGKILL, then it is restarted after the back-off and the crash is logged loudly', async () => {
    const { s, lines } = supervisor({ backoffMs: (n) => n * 200 });
    try {
      s.start(spec('worker', 'setInterval(() => {}, 1000)'));
      const [first] = s.pids();
      process.kill(first!, 'SIGKILL');
      await waitUntil(async () => s.pids().length === 1 && s.pids()[0] !== first, 5_000, 'a new worker');
      assert.match(
        lines.join('\n'),
        /ALARM ✖ worker crashed \(killed by SIGKILL\) — restarting in 0\.2 s \(crash 1;/,
      );
      assert.match(lines.join('\n'), /worker restarted \(pid \d+\)/);
    } finally {
      await s.stop(2_000);
    }
  });

  it('when children crash five times within the window, then the supervisor gives up once and restarts nothing more', async () => {
    const { s, lines, gaveUp } = supervisor();
    try {
      s.start(spec('api', 'process.exit(3)'));
      await waitUntil(async () => gaveUp() === 1, 10_000, 'giving up');
      await sleep(500);
      assert.equal(gaveUp(), 1);
      const alarms = lines.filter((l) => l.startsWith('ALARM'));
      assert.equal(alarms.length, 5, alarms.join('\n'));
      assert.match(alarms.at(-1)!, /api crashed \(exit code 3\): 5 crashes within 60 s, stopping everything/);
      assert.equal(lines.filter((l) => l.includes('restarted')).length, 4);
    } finally {
      await s.stop(2_000);
    }
  });

  it('when crashes are further apart than the window, then they do not add up to giving up', async () => {
    const { s, gaveUp, lines } = supervisor({ windowMs: 150, backoffMs: () => 100 });
    try {
      s.start(spec('worker', 'process.exit(1)'));
      await waitUntil(
        async () => lines.filter((l) => l.includes('restarted')).length >= 6,
        10_000,
        'six restarts',
      );
      assert.equal(gaveUp(), 0);
    } finally {
      await s.stop(2_000);
    }
  });

  it('when the children exit because the supervisor stops them, then nothing counts as a crash and nothing restarts', async () => {
    const { s, lines } = supervisor();
    s.start(spec('worker', "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000)"));
    s.start(spec('api', 'setInterval(() => {}, 1000)')); // default SIGTERM: killed by the signal
    await sleep(300);
    const pids = s.pids();
    await s.stop(2_000);
    await sleep(400);
    assert.deepEqual(pids.filter(alive), []);
    assert.deepEqual(s.pids(), []);
    assert.deepEqual(lines, []);
  });
});
