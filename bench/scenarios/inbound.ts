import { loadavg } from 'node:os';
import type { LoadSample } from '../load';
import { percentile, round, userPrefix, type BenchContext, type Scenario } from '../scenario';

/** Fixed rates and how long each is held (shorter at high rates, so the backlog stays drainable). */
const FULL_RATES = [
  { rate: 20, seconds: 20 },
  { rate: 80, seconds: 15 },
  { rate: 200, seconds: 10 },
];
const QUICK_RATES = [{ rate: 5, seconds: 3 }];

export interface Run {
  target: 'aura' | 'baseline';
  rate: number;
  sent: number;
  non200: number;
  acks: number[];
  e2e: number[];
  unanswered: number;
  /** Answered messages per second from the first webhook to the last reply. */
  throughput: number;
  /** History events of a one-message conversation (mean over up to 20 of this run's workflows). */
  events: number;
}

const WORKFLOW_TYPE = { aura: 'conversationWorkflow', baseline: 'baselineConversation' } as const;

/** Mean history length of up to 20 workflows of `target`'s type started since `since` (epoch ms). */
async function historyEvents(ctx: BenchContext, target: Run['target'], since: number): Promise<number> {
  const { temporal } = ctx.system.harness;
  const query = `WorkflowType = '${WORKFLOW_TYPE[target]}' AND StartTime >= '${new Date(since).toISOString()}'`;
  const lengths: number[] = [];
  for await (const wf of temporal.workflow.list({ query, pageSize: 20 })) {
    const history = await temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    lengths.push(history.events?.length ?? 0);
    if (lengths.length === 20) break;
  }
  return lengths.length ? round(lengths.reduce((a, b) => a + b, 0) / lengths.length) : Number.NaN;
}

/**
 * Sends `rate` msg/s for `seconds` (each from a new user) and waits up to `drainMs` for the replies;
 * to a fresh client's number unless `phoneNumberId` names one.
 */
export async function measure(
  ctx: BenchContext,
  target: Run['target'],
  rate: number,
  seconds: number,
  drainMs: number,
  phoneNumberId?: string,
): Promise<Run> {
  const { system } = ctx;
  const number = phoneNumberId ?? (await system.provisionNumber());
  const started = Date.now();
  const samples = await system.runLoad(target, {
    phoneNumberId: number,
    messagesPerSecond: rate,
    durationSeconds: seconds,
    userPrefix: userPrefix(rate),
  });
  const ok = samples.filter((s) => s.status === 200);
  const unanswered = await system.replies.waitFor(
    ok.map((s) => s.user),
    drainMs,
  );
  const replied = ok.flatMap((s) => {
    const at = system.replies.at(s.user);
    return at === undefined ? [] : [{ sentAt: s.sentAt, at }];
  });
  const first = Math.min(...samples.map((s) => s.sentAt));
  const last = Math.max(...replied.map((r) => r.at));
  return {
    target,
    rate,
    sent: samples.length,
    non200: samples.length - ok.length,
    acks: samples.map((s) => s.ackMs),
    e2e: replied.map((r) => r.at - r.sentAt),
    unanswered,
    throughput: replied.length ? replied.length / ((last - first) / 1000) : 0,
    events: await historyEvents(ctx, target, started),
  };
}

function row(r: Run): Record<string, string | number> {
  return {
    system: r.target,
    'msg/s': r.rate,
    sent: r.sent,
    'non-200': r.non200,
    'ack p50 ms': round(percentile(r.acks, 50)),
    'ack p99 ms': round(percentile(r.acks, 99)),
    'ack max ms': round(Math.max(...r.acks)),
    'e2e p50 ms': round(percentile(r.e2e, 50)),
    'e2e p99 ms': round(percentile(r.e2e, 99)),
    unanswered: r.unanswered,
    'answered/s': round(r.throughput),
    'events/message': r.events,
    'load avg': round(loadavg()[0]!),
  };
}

/** `a` as a multiple of `b` ("0.66×"). */
const x = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

/** Aura relative to the baseline at one rate: >1 means Aura is slower (latency) or faster (throughput). */
function ratio(aura: Run, base: Run): Record<string, string | number> {
  return {
    system: 'aura ÷ baseline',
    'msg/s': aura.rate,
    'ack p50 ms': x(percentile(aura.acks, 50), percentile(base.acks, 50)),
    'ack p99 ms': x(percentile(aura.acks, 99), percentile(base.acks, 99)),
    'e2e p50 ms': x(percentile(aura.e2e, 50), percentile(base.e2e, 50)),
    'e2e p99 ms': x(percentile(aura.e2e, 99), percentile(base.e2e, 99)),
    'answered/s': x(aura.throughput, base.throughput),
    'events/message': x(aura.events, base.events),
  };
}

/**
 * Backlog = messages acknowledged (200) but not yet replied to at the fake Graph. A rate is
 * sustained when, over `seconds`, no webhook is refused and the backlog at the end of the last
 * window is no larger than at the end of the first plus one second of traffic (it does not grow).
 * The generator is stopped early once the backlog exceeds 20 s of traffic.
 */
async function sustains(
  ctx: BenchContext,
  target: Run['target'],
  rate: number,
  seconds: number,
  windowSeconds: number,
) {
  const { system } = ctx;
  const phoneNumberId = await system.provisionNumber();
  const acked: LoadSample[] = [];
  let refused = 0;
  const backlogs: number[] = [];
  let stopLoad: (() => void) | undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    const backlog = acked.filter((s) => system.replies.at(s.user) === undefined).length;
    backlogs.push(backlog);
    if (backlog > rate * 20) stopLoad?.();
  }, windowSeconds * 1000);
  const samples = await system.runLoad(
    target,
    { phoneNumberId, messagesPerSecond: rate, durationSeconds: seconds, userPrefix: userPrefix(rate + 500) },
    (s, stop) => {
      stopLoad = stop;
      if (s.status === 200) acked.push(s);
      else refused += 1;
    },
  );
  clearInterval(timer);
  const heldSeconds = round((Date.now() - started) / 1000);
  const ok =
    refused === 0 &&
    heldSeconds >= seconds &&
    backlogs.length >= 2 &&
    backlogs.at(-1)! <= backlogs[0]! + rate;
  // Let the leftover backlog drain so it does not weigh on the next step.
  const leftover = await system.replies.waitFor(
    acked.map((s) => s.user),
    30_000,
  );
  return { rate, ok, sent: samples.length, refused, backlogs, heldSeconds, leftover };
}

/** A bounded search: start at the best fixed rate that kept up, then up or down, at most three steps. */
async function sustainedRate(ctx: BenchContext, target: Run['target'], start: number) {
  const seconds = ctx.quick ? 4 : 60;
  const windowSeconds = ctx.quick ? 2 : 10;
  const steps: Awaited<ReturnType<typeof sustains>>[] = [];
  let [pass, fail] = [0, Number.POSITIVE_INFINITY];
  let rate = start;
  for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
    ctx.log(`inbound: ${target} holding ${rate} msg/s for ${seconds} s …`);
    const step = await sustains(ctx, target, rate, seconds, windowSeconds);
    steps.push(step);
    if (step.ok) pass = Math.max(pass, rate);
    else fail = Math.min(fail, rate);
    rate = Number.isFinite(fail) ? Math.round((pass + fail) / 2) : Math.round(rate * 1.5);
    if (rate === pass || rate === fail) break;
  }
  return { sustained: pass, steps };
}

/**
 * Signed text webhooks at fixed rates (each message from a new end-user) through Aura and through
 * the bare-Temporal baseline: ack latency, webhook → reply latency, refusals, and Aura as a ratio of
 * the baseline, and the history events each needed (a one-message conversation's history, read from
 * Temporal); then the highest rate each holds for 60 s without its backlog growing, and their ratio.
 */
export const inboundScenario: Scenario = {
  name: 'inbound',
  description: 'webhook ack and webhook → reply latency at 20/80/200 msg/s, vs the baseline; sustained rate',
  async run(ctx) {
    const rates = ctx.quick ? QUICK_RATES : FULL_RATES;
    const drainMs = ctx.quick ? 30_000 : 90_000;
    if (!ctx.quick) {
      ctx.log('inbound: warming up both pipelines …');
      for (const target of ['aura', 'baseline'] as const) await measure(ctx, target, 5, 4, drainMs);
    }
    const rows: Record<string, string | number>[] = [];
    const runs: Run[] = [];
    for (const { rate, seconds } of rates) {
      for (const target of ['aura', 'baseline'] as const) {
        ctx.log(`inbound: ${target} at ${rate} msg/s for ${seconds} s …`);
        const run = await measure(ctx, target, rate, seconds, drainMs);
        runs.push(run);
        rows.push(row(run));
      }
      rows.push(ratio(runs.at(-2)!, runs.at(-1)!));
    }
    // Each system's search starts at the best fixed rate it kept up with.
    const sustainedSearch: Record<string, Awaited<ReturnType<typeof sustainedRate>>> = {};
    for (const target of ['aura', 'baseline'] as const) {
      const keptUp = runs.filter((r) => r.target === target && r.non200 === 0 && r.unanswered === 0);
      const best = keptUp.filter((r) => r.throughput >= 0.9 * r.rate).map((r) => r.rate);
      sustainedSearch[target] = await sustainedRate(ctx, target, Math.max(ctx.quick ? 5 : 10, ...best));
      rows.push({
        system: target,
        'sustained msg/s (60 s, backlog flat)': sustainedSearch[target].sustained,
      });
    }
    rows.push({
      system: 'aura ÷ baseline',
      'sustained msg/s (60 s, backlog flat)': x(
        sustainedSearch.aura!.sustained,
        sustainedSearch.baseline!.sustained,
      ),
    });
    const details = {
      runs: runs.map(({ acks, e2e, ...r }) => ({ ...r, samples: acks.length, replies: e2e.length })),
      sustainedSearch,
    };
    return { rows, details };
  },
};
