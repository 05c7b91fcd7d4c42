import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Scenario, ScenarioResult, StandaloneScenario } from './scenario';
import { apiFuzzScenario } from './scenarios/api-fuzz';
import { coldstartScenario } from './scenarios/coldstart';
import { idleScenario } from './scenarios/idle';
import { inboundScenario } from './scenarios/inbound';
import { mediaScenario } from './scenarios/media';
import { nluE2eScenario } from './scenarios/nlu-e2e';
import { nluFaqScenario } from './scenarios/nlu-faq';
import { webhookCostScenario } from './scenarios/webhook-cost';
import { ordersBenchScenario } from './scenarios/orders';
import { profileScenario } from './scenarios/profile';
import { soakScenario } from './scenarios/soak';
import { openBenchSystem } from './system';

/**
 * `npm run bench [-- [--quick] [name …]]`: every scenario (or the named ones) against the system as
 * separate processes (`system.ts`); one system is shared by the plain scenarios, a profiled one gets
 * its own. Each result is printed as a table and written, with the machine and its load average at
 * the start, to `bench/results/<scenario>-<time>.json`. Add a scenario by listing it here.
 */
const SCENARIOS: (Scenario | StandaloneScenario)[] = [
  inboundScenario,
  ordersBenchScenario,
  idleScenario,
  mediaScenario,
  webhookCostScenario,
  profileScenario,
  apiFuzzScenario,
  coldstartScenario,
  nluFaqScenario,
  nluE2eScenario,
  soakScenario,
];

const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
  };
}

function writeResult(dir: string, scenario: string, quick: boolean, result: ScenarioResult, host: unknown) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const body = { scenario, quick, at: new Date().toISOString(), machine: host, ...result };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  for (const [name, content] of Object.entries(result.files ?? {}))
    writeFileSync(path.join(dir, name), content);
  return file;
}

/** Prints a scenario's table and writes its file. */
function report(
  name: string,
  started: number,
  result: ScenarioResult,
  quick: boolean,
  dir: string,
  host: unknown,
) {
  console.table(result.rows);
  const file = writeResult(dir, name, quick, result, host);
  say(`${name} took ${Math.round((Date.now() - started) / 1000)} s; ${path.relative(process.cwd(), file)}`);
}

async function runStandalone(
  scenario: StandaloneScenario,
  quick: boolean,
  resultsDir: string,
  host: unknown,
) {
  say(`${scenario.name}: ${scenario.description}`);
  const started = Date.now();
  report(scenario.name, started, await scenario.run({ quick, log: say }), quick, resultsDir, host);
}

async function runOn(scenarios: Scenario[], quick: boolean, resultsDir: string, host: unknown) {
  const profiled = scenarios.some((s) => s.profiled);
  const profileDir = profiled ? mkdtempSync(path.join(os.tmpdir(), 'aura-bench-prof-')) : undefined;
  const system = await openBenchSystem({
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  try {
    for (const scenario of scenarios) {
      say(`${scenario.name}: ${scenario.description}`);
      const started = Date.now();
      const result = await scenario.run({ system, quick, profileDir, log: say });
      report(scenario.name, started, result, quick, resultsDir, host);
    }
  } finally {
    await system.close();
    // AURA_KEEP_RUN_FILES=1 keeps the .cpuprofile files (and the harness folder) to read afterwards.
    if (profileDir && process.env.AURA_KEEP_RUN_FILES) say(`profiles kept in ${profileDir}`);
    else if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  // --results=<dir> is for the test, which must not litter the repository's results folder.
  const resultsArg = args.find((a) => a.startsWith('--results='));
  const resultsDir = resultsArg ? resultsArg.slice('--results='.length) : path.join(__dirname, 'results');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    say(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const selected = names.length
    ? SCENARIOS.filter((s) => names.includes(s.name))
    : SCENARIOS.filter((s) => !s.onlyByName);
  const host = machine();
  say(
    `${host.cores} cores (${host.cpuModel}), ${host.memoryGiB} GiB, load average ${host.loadAverageAtStart.join(' ')}`,
  );
  const shared = selected.filter((s): s is Scenario => !s.standalone);
  const plain = shared.filter((s) => !s.profiled);
  if (plain.length) await runOn(plain, quick, resultsDir, host);
  for (const s of shared.filter((s) => s.profiled)) await runOn([s], quick, resultsDir, host);
  for (const s of selected) if (s.standalone) await runStandalone(s, quick, resultsDir, host);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
