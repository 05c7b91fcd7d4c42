import { spawn } from 'node:child_process';
import path from 'node:path';
import type { FloodSpec } from '../flood';
import { percentile, round, type BenchContext, type Scenario } from '../scenario';

/** Issue 12 item 6: `/healthz` p99 under this while bad-signature 3 MB bodies arrive. */
const LIMIT_MS = 50;
const SENDERS = 50;

/** Times `GET /healthz` one after another until `until`; answers each latency in ms. */
async function sampleHealth(apiUrl: string, until: number): Promise<number[]> {
  const latencies: number[] = [];
  while (Date.now() < until) {
    const started = performance.now();
    const res = await fetch(`${apiUrl}/healthz`);
    await res.arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 20));
  }
  return latencies;
}

/** Runs the flood (`bench/flood.ts`) as a child process; answers the count of each status. */
function flood(spec: FloodSpec): Promise<Record<string, number>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, '..', 'flood.ts'), JSON.stringify(spec)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, number>)
        : reject(new Error(`flood exited ${code}`)),
    );
  });
}

const row = (load: string, latencies: number[], refused: number, seconds: number) => ({
  load,
  'healthz samples': latencies.length,
  'p50 ms': round(percentile(latencies, 50)),
  'p99 ms': round(percentile(latencies, 99)),
  'max ms': round(Math.max(...latencies)),
  'limit p99 ms': LIMIT_MS,
  'bodies refused/s': round(refused / seconds),
});

/**
 * The webhook's cost before authentication: `/healthz` is timed back to back (every 20 ms) while
 * nothing else runs, then while 50 senders post 3 MB bodies of non-ASCII text with a wrong
 * signature as fast as they are answered (the body limit, the signature check and its escaped form
 * at their worst). p50/p99/max of `/healthz` beside the 50 ms p99 limit, and how many bad bodies
 * were refused per second.
 */
export const webhookCostScenario: Scenario = {
  name: 'webhook-cost',
  description: '/healthz p99 while 50 senders post bad-signature 3 MB bodies (limit 50 ms)',
  async run(ctx: BenchContext) {
    const seconds = ctx.quick ? 3 : 20;
    const { harness } = ctx.system;
    const idle = await sampleHealth(harness.apiUrl, Date.now() + 3_000);
    const spec = {
      url: `${harness.apiUrl}/webhooks/whatsapp`,
      phoneNumberId: harness.client.phoneNumberId,
      senders: SENDERS,
      seconds,
    };
    const flooding = flood(spec);
    await new Promise((r) => setTimeout(r, 1_000)); // the flood's process starts and its senders connect
    const loaded = await sampleHealth(harness.apiUrl, Date.now() + (seconds - 1) * 1000);
    const statuses = await flooding;
    const refused = statuses['401'] ?? 0;
    ctx.log(`webhook-cost: answers ${JSON.stringify(statuses)}`);
    return {
      rows: [row('idle', idle, 0, 3), row(`${SENDERS} bad-signature 3 MB senders`, loaded, refused, seconds)],
      details: { statuses },
    };
  },
};
