import { provisionClient } from '../../sandbox/provision';
import { percentile, round, type Scenario } from '../scenario';
import { measure, type Run } from './inbound';
import { entriesOf } from './nlu-faq';

const FULL = { rate: 20, seconds: 20, entries: 200, rounds: 3 };
const QUICK = { rate: 5, seconds: 3, entries: 10, rounds: 1 };

/** The runs of one client pooled: samples of every round together. */
function pooled(runs: Run[]): Pick<Run, 'sent' | 'unanswered' | 'e2e' | 'throughput'> {
  return {
    sent: runs.reduce((n, r) => n + r.sent, 0),
    unanswered: runs.reduce((n, r) => n + r.unanswered, 0),
    e2e: runs.flatMap((r) => r.e2e),
    throughput: runs.reduce((n, r) => n + r.throughput, 0) / runs.length,
  };
}

function row(entries: number, r: ReturnType<typeof pooled>): Record<string, string | number> {
  return {
    'FAQ entries': entries,
    sent: r.sent,
    unanswered: r.unanswered,
    'e2e p50 ms': round(percentile(r.e2e, 50)),
    'e2e p99 ms': round(percentile(r.e2e, 99)),
    'answered/s': round(r.throughput),
  };
}

/**
 * What a taught bot adds to a reply, end to end: two clients on one system, one with no FAQ entries
 * and one with 200 (en/es/pt, five examples each, added over the API; a first wave trains its
 * model, as the first message after a content change does). Their customers (each a new end-user)
 * write at 20 msg/s for 20 s, the two clients in turn, three rounds, so drift of the machine falls
 * on both alike. Webhook → reply p50/p99 of each client's pooled runs and their difference.
 */
export const nluE2eScenario: Scenario = {
  name: 'nlu-e2e',
  onlyByName: true,
  description: 'webhook → reply at 20 msg/s for a client without FAQ entries and one with 200, in turn',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const drainMs = ctx.quick ? 30_000 : 90_000;
    const { harness } = ctx.system;
    const plain = await provisionClient(harness.apiUrl, harness.adminToken, { name: 'Plain Shop' });
    const taught = await provisionClient(harness.apiUrl, harness.adminToken, { name: 'FAQ Shop' });
    ctx.log(`nlu-e2e: adding ${plan.entries} FAQ entries over the API …`);
    const content = { clients: 1, entries: plan.entries, examples: 5, messages: 0 };
    for (const e of entriesOf(0, content)) {
      const res = await fetch(`${harness.apiUrl}/v1/bot/faq`, {
        method: 'POST',
        headers: { authorization: `Bearer ${taught.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ language: e.language, examples: e.examples, answer: e.answer }),
      });
      if (res.status !== 201) throw new Error(`POST /v1/bot/faq answered ${res.status}: ${await res.text()}`);
    }
    const wave = (phoneNumberId: string) => measure(ctx, 'aura', 5, 4, drainMs, phoneNumberId);
    const run = (phoneNumberId: string) =>
      measure(ctx, 'aura', plan.rate, plan.seconds, drainMs, phoneNumberId);
    ctx.log('nlu-e2e: warming up both (the taught one trains) …');
    await wave(plain.phoneNumberId);
    await wave(taught.phoneNumberId);
    const runs: { plain: Run[]; taught: Run[] } = { plain: [], taught: [] };
    for (let round = 1; round <= plan.rounds; round++) {
      ctx.log(`nlu-e2e: round ${round} of ${plan.rounds} …`);
      runs.plain.push(await run(plain.phoneNumberId));
      runs.taught.push(await run(taught.phoneNumberId));
    }
    const [without, withFaq] = [pooled(runs.plain), pooled(runs.taught)];
    const diff = (p: number) => round(percentile(withFaq.e2e, p) - percentile(without.e2e, p));
    return {
      rows: [
        row(0, without),
        row(plan.entries, withFaq),
        { 'FAQ entries': 'difference', 'e2e p50 ms': diff(50), 'e2e p99 ms': diff(99) },
      ],
      details: { plan },
    };
  },
};
