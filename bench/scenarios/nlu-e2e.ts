import { provisionClient } from '../../sandbox/provision';
import { percentile, round, type Scenario } from '../scenario';
import { measure, type Run } from './inbound';
import { entriesOf } from './nlu-faq';

const FULL = { rate: 20, seconds: 20, entries: 200, rounds: 3 };
const QUICK = { rate: 5, seconds: 3, entries: 10, rounds: 1 };

/** The worker's NLU histogram (`aura_nlu_duration_seconds`): cumulative counts by upper bound in ms. */
async function nluBuckets(url: string): Promise<Map<number, number>> {
  const text = await fetch(url).then((r) => r.text());
  const buckets = new Map<number, number>();
  for (const m of text.matchAll(/^aura_nlu_duration_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)$/gm)) {
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000;
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/**
 * The NLU engine's own time per message in one run (the content-version read and the model, as
 * the worker's histogram counts it between two scrapes): the bucket bound under which `q` % of the
 * run's messages fell.
 */
function bucketPercentile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = count(Infinity);
  return bounds.find((le) => count(le) >= (total * q) / 100) ?? Number.NaN;
}

/** The runs of one client pooled: samples of every round together. */
function pooled(runs: Run[]): Pick<Run, 'sent' | 'unanswered' | 'e2e' | 'throughput'> {
  return {
    sent: runs.reduce((n, r) => n + r.sent, 0),
    unanswered: runs.reduce((n, r) => n + r.unanswered, 0),
    e2e: runs.flatMap((r) => r.e2e),
    throughput: runs.reduce((n, r) => n + r.throughput, 0) / runs.length,
  };
}

type EngineTime = { p50: number; p99: number };

function row(
  client: string,
  entries: number,
  r: ReturnType<typeof pooled>,
  nlu: EngineTime[],
): Record<string, string | number> {
  return {
    client,
    'FAQ entries': entries,
    sent: r.sent,
    unanswered: r.unanswered,
    'e2e p50 ms': round(percentile(r.e2e, 50)),
    'e2e p99 ms': round(percentile(r.e2e, 99)),
    'NLU engine p99 ms ≤ (worst run)': Math.max(...nlu.map((x) => x.p99)),
    'answered/s': round(r.throughput),
  };
}

type Which = 'plain' | 'plain B' | 'taught';
const CLIENTS: readonly Which[] = ['plain', 'plain B', 'taught'];

/**
 * What a taught bot adds to a reply, end to end: three clients on one system, two with no FAQ
 * entries and one with 200 (en/es/pt, five examples each, added over the API; a first wave trains
 * its model, as the first message after a content change does). Their customers (each a new
 * end-user) write at 20 msg/s for 20 s, one client after another, three rounds, each round starting
 * with the next client, so drift of the machine falls on all alike. Webhook → reply p50/p99 of each
 * client's pooled runs; the two plain clients' difference is the noise a difference must exceed to
 * mean anything. Per run, the NLU engine's own time from the worker's histogram.
 */
export const nluE2eScenario: Scenario = {
  name: 'nlu-e2e',
  onlyByName: true,
  description: 'webhook → reply at 20 msg/s for two clients without FAQ entries and one with 200, in turn',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const drainMs = ctx.quick ? 30_000 : 90_000;
    const { harness } = ctx.system;
    const provision = (name: string) => provisionClient(harness.apiUrl, harness.adminToken, { name });
    const clients: Record<Which, Awaited<ReturnType<typeof provision>>> = {
      plain: await provision('Plain Shop'),
      'plain B': await provision('Plain Shop B'),
      taught: await provision('FAQ Shop'),
    };
    ctx.log(`nlu-e2e: adding ${plan.entries} FAQ entries over the API …`);
    const content = { clients: 1, entries: plan.entries, examples: 5, messages: 0 };
    for (const e of entriesOf(0, content)) {
      const res = await fetch(`${harness.apiUrl}/v1/bot/faq`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clients.taught.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ language: e.language, examples: e.examples, answer: e.answer }),
      });
      if (res.status !== 201) throw new Error(`POST /v1/bot/faq answered ${res.status}: ${await res.text()}`);
    }
    ctx.log('nlu-e2e: warming up all three (the taught one trains) …');
    for (const which of CLIENTS) await measure(ctx, 'aura', 5, 4, drainMs, clients[which].phoneNumberId);
    const runs: Record<Which, Run[]> = { plain: [], 'plain B': [], taught: [] };
    const nlu: Record<Which, EngineTime[]> = { plain: [], 'plain B': [], taught: [] };
    for (let n = 0; n < plan.rounds; n++) {
      ctx.log(`nlu-e2e: round ${n + 1} of ${plan.rounds} …`);
      for (const which of [...CLIENTS.slice(n % 3), ...CLIENTS.slice(0, n % 3)]) {
        const before = await nluBuckets(harness.workerMetricsUrl);
        const r = await measure(ctx, 'aura', plan.rate, plan.seconds, drainMs, clients[which].phoneNumberId);
        const after = await nluBuckets(harness.workerMetricsUrl);
        const step = { p50: bucketPercentile(before, after, 50), p99: bucketPercentile(before, after, 99) };
        runs[which].push(r);
        nlu[which].push(step);
        const p = (q: number) => round(percentile(r.e2e, q));
        ctx.log(
          `nlu-e2e: round ${n + 1} ${which}: e2e p50 ${p(50)} p99 ${p(99)} ms; NLU engine p50 ≤ ${step.p50} p99 ≤ ${step.p99} ms`,
        );
      }
    }
    const pool = {
      plain: pooled(runs.plain),
      'plain B': pooled(runs['plain B']),
      taught: pooled(runs.taught),
    };
    const diff = (a: Which, b: Which, p: number) =>
      round(percentile(pool[a].e2e, p) - percentile(pool[b].e2e, p));
    const difference = (label: string, a: Which, b: Which) => ({
      client: label,
      'e2e p50 ms': diff(a, b, 50),
      'e2e p99 ms': diff(a, b, 99),
    });
    return {
      rows: [
        row('plain', 0, pool.plain, nlu.plain),
        row('plain B', 0, pool['plain B'], nlu['plain B']),
        row('taught', plan.entries, pool.taught, nlu.taught),
        difference('plain B − plain (noise)', 'plain B', 'plain'),
        difference('taught − plain', 'taught', 'plain'),
        difference('taught − plain B', 'taught', 'plain B'),
      ],
      details: { plan, nluEnginePerRun: nlu },
    };
  },
};
