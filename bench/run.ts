import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Scenario } from './scenario';
import { webhookScenario } from './scenarios/webhook';
import { startBenchStack } from './stack';

/**
 * `npm run bench` runs every scenario; `npm run bench -- webhook` runs the named ones. Each scenario
 * gets a fresh in-process system (see `stack.ts`); results are printed as a table and written to
 * `bench/results/<scenario>-<time>.json`. Add a scenario by listing it here.
 */
const SCENARIOS: Scenario[] = [webhookScenario];

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    process.stderr.write(
      `unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
    );
    process.exit(2);
  }
  const selected = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  for (const scenario of selected) {
    const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);
    say(`${scenario.name}: ${scenario.description}`);
    const { ctx, close } = await startBenchStack(say);
    try {
      const result = await scenario.run(ctx);
      console.table(result.rows);
      const dir = path.resolve(__dirname, 'results');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${scenario.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      const machine = { cpus: (await import('node:os')).cpus().length, node: process.version };
      writeFileSync(
        file,
        `${JSON.stringify({ scenario: scenario.name, at: new Date().toISOString(), machine, ...result }, null, 2)}\n`,
      );
      say(`results written to ${path.relative(process.cwd(), file)}`);
    } finally {
      await close();
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
