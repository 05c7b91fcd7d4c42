import os from 'node:os';
import { fuzz } from './fuzz';
import { openHarness, type Harness } from './harness';
import { calibrate } from './measure';
import {
  duplicateStorm,
  postgresOutage,
  temporalRestart,
  violations,
  killAfterAccepted,
  workerKill,
  type ScenarioResult,
} from './scenarios';

/**
 * `npm run chaos [-- name …]`: the full chaos scenarios against one harness, one after another, then
 * a summary table. Exits 1 when any scenario broke a promise. Names: worker-kill, kill-after-accepted,
 * temporal-restart, postgres-outage, duplicate-storm, fuzz (default: all, in that order; a name may
 * repeat).
 */
type Scenario = (h: Harness, repliesPerMessage: number) => Promise<ScenarioResult>;

const FULL: Record<string, Scenario> = {
  'worker-kill': (h, r) => workerKill(h, { messages: 1_000, users: 100, perSecond: 50 }, r),
  'kill-after-accepted': (h, r) => killAfterAccepted(h, { messages: 2_400, users: 240, perSecond: 4 }, r, 50),
  'temporal-restart': (h, r) => temporalRestart(h, { messages: 1_000, users: 100, perSecond: 25 }, r, 30_000),
  'postgres-outage': (h, r) => postgresOutage(h, { messages: 1_000, users: 100, perSecond: 25 }, r, 30_000),
  'duplicate-storm': (h, r) => duplicateStorm(h, { messages: 1_000, users: 100, perSecond: 50 }, r),
  fuzz: (h, r) => fuzz(h, { signed: 2_000, badSignatures: 500, seed: 20261129 }, r),
};

const say = (line: string) => process.stdout.write(`${line}\n`);

function table(results: ScenarioResult[]): string {
  const header = ['scenario', 'sent', 'webhooks', 'answered', 'duplicates', 'lost', '5xx', '503', 'time'];
  const rows = results.map((r) => [
    r.scenario,
    String(r.sent),
    String(r.posts),
    String(r.answered),
    r.unrecorded ? `${r.duplicates} (${r.unrecorded} unrecorded)` : String(r.duplicates),
    String(r.lost),
    String(r.serverErrors),
    String(r.unavailable),
    `${(r.ms / 1000).toFixed(1)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(FULL);
  const unknown = names.filter((n) => !FULL[n]);
  if (unknown.length) {
    say(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(FULL).join(', ')}`);
    return 2;
  }
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
  say(`chaos on ${machine}, node ${process.version}`);
  const h = await openHarness({ statuses: true });
  const results: ScenarioResult[] = [];
  let broken = false;
  try {
    const repliesPerMessage = await calibrate(h);
    say(`harness up in ${h.dir}; the bot sends ${repliesPerMessage} reply per message`);
    for (const name of names) {
      say(`\n== ${name}`);
      const result = await FULL[name]!(h, repliesPerMessage);
      results.push(result);
      for (const note of result.notes) say(`   ${note}`);
      const problems = violations(result);
      for (const p of problems) say(`   VIOLATION: ${p}`);
      broken ||= problems.length > 0;
    }
  } catch (err) {
    broken = true;
    say(`chaos run aborted: ${(err as Error).stack ?? String(err)}`);
    say(`--- worker log\n${h.worker.tail()}\n--- api log\n${h.api.tail()}`);
  } finally {
    await h.close();
  }
  say(`\n${table(results)}\n\n${machine}; ${broken ? 'FAILED' : 'every promise kept'}`);
  return broken ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos run failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
