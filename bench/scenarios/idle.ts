import { databaseBytes } from '../../db/pool';
import { mib, round, userPrefix, type BenchContext, type Scenario } from '../scenario';

/** The footprint the scenario reads before and after opening the conversations. */
async function footprint(ctx: BenchContext) {
  const { system } = ctx;
  return {
    workerRss: system.rss(system.harness.worker.pid),
    apiRss: system.rss(system.harness.api.pid),
    temporalDb: system.temporalDbBytes(),
    postgresDb: await databaseBytes(system.harness.db),
  };
}

/** Sends one more message from the `seq`-th user of `prefix` and times its reply. */
async function replyLatency(ctx: BenchContext, phoneNumberId: string, prefix: string, seq: number) {
  const { system } = ctx;
  const user = `${prefix}${String(seq).padStart(6, '0')}`;
  const before = system.harness.graph.sent.length;
  const [sample] = await system.runLoad('aura', {
    phoneNumberId,
    messagesPerSecond: 1,
    durationSeconds: 1,
    userPrefix: prefix,
    firstUser: seq,
  });
  if (!sample || sample.status !== 200) return Number.NaN;
  const reply = await system.harness.graph
    .waitFor((sent) => sent.slice(before).some((m) => m.body.to === user), 60_000)
    .then(
      (sent) => sent.slice(before).find((m) => m.body.to === user),
      () => undefined,
    );
  return reply ? reply.at - sample.sentAt : Number.NaN;
}

/**
 * The cost of idle state: opens `count` conversations (one message each from a new end-user, then
 * idle), and reads the worker's and the API's RSS (/proc), the Temporal dev server's SQLite size and
 * PostgreSQL's database size before and after, per open conversation. Then one message to the
 * oldest conversation — long evicted from the worker's workflow cache (500), so its history is
 * replayed — and one to the newest (still cached), and their reply latencies.
 */
export const idleScenario: Scenario = {
  name: 'idle',
  description: 'RSS, Temporal and PostgreSQL size per open conversation (10,000); cold vs warm reply latency',
  async run(ctx) {
    const count = ctx.quick ? 20 : 10_000;
    const rate = ctx.quick ? 20 : 40;
    const { system } = ctx;
    const phoneNumberId = await system.provisionNumber();
    const before = await footprint(ctx);
    const prefix = userPrefix(count);
    ctx.log(`idle: opening ${count} conversations at ${rate} msg/s …`);
    const samples = await system.runLoad('aura', {
      phoneNumberId,
      messagesPerSecond: rate,
      durationSeconds: count / rate,
      userPrefix: prefix,
    });
    const accepted = samples.filter((s) => s.status === 200).map((s) => s.user);
    const unanswered = await system.replies.waitFor(accepted, ctx.quick ? 30_000 : 240_000);
    // Let the last workflow tasks and SQLite's WAL settle before reading sizes.
    await new Promise((r) => setTimeout(r, 3_000));
    const after = await footprint(ctx);
    const open = accepted.length - unanswered;
    const per = (k: keyof typeof before) => (open ? round((after[k] - before[k]) / open / 1024) : Number.NaN);
    ctx.log('idle: one message to the oldest (cold) and the newest (cached) conversation …');
    const cold = await replyLatency(ctx, phoneNumberId, prefix, 0);
    const warm = await replyLatency(ctx, phoneNumberId, prefix, count - 1);
    const rows = [
      { measure: 'open conversations (answered)', value: open, unit: `of ${samples.length} sent` },
      ...(['workerRss', 'apiRss', 'temporalDb', 'postgresDb'] as const).flatMap((k) => [
        { measure: `${k} before → after`, value: `${mib(before[k])} → ${mib(after[k])}`, unit: 'MiB' },
        { measure: `${k} per open conversation`, value: per(k), unit: 'KiB' },
      ]),
      { measure: 'reply latency, cold conversation', value: round(cold), unit: 'ms' },
      { measure: 'reply latency, cached conversation', value: round(warm), unit: 'ms' },
    ];
    return { rows, details: { count, rate, before, after, unanswered } };
  },
};
