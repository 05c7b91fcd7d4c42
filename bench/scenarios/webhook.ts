import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LoadReport } from '../load';
import { percentile, type BenchContext, type Scenario } from '../scenario';

const RATES = [20, 80];
const DURATION_SECONDS = 20;
/** Unmeasured load first, so module loading, JIT and connection pools are warm. */
const WARM_UP = { messagesPerSecond: 10, durationSeconds: 5 };
/** How long after the last webhook replies may still arrive before they count as missing. */
const DRAIN_MS = 60_000;

/**
 * Signed text webhooks at 20 and 80 messages/s, each from a new end-user, for 20 s each. Measures the
 * acknowledgement latency (what Meta sees) and the full path: webhook → conversation workflow →
 * reply accepted by the fake Graph API.
 */
export const webhookScenario: Scenario = {
  name: 'webhook',
  description: 'webhook ack latency and webhook → reply latency at 20 and 80 msg/s',
  async run(ctx) {
    const rows: Record<string, string | number>[] = [];
    const details: unknown[] = [];
    const warm = await ctx.provisionClient();
    ctx.log('webhook: warming up …');
    await replyLatencies(
      ctx,
      await ctx.runLoad({ ...WARM_UP, phoneNumberId: warm.phoneNumberId, userPrefix: '5500' }),
    );
    for (const rate of RATES) {
      const { phoneNumberId } = await ctx.provisionClient();
      const userPrefix = `55${rate}${String(Date.now()).slice(-5)}`;
      ctx.log(`webhook: ${rate} msg/s for ${DURATION_SECONDS} s …`);
      // The API and the worker share this process's event loop; its lag shows how much of the ack
      // latency is waiting for CPU rather than work on the request.
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const report = await ctx.runLoad({
        phoneNumberId,
        messagesPerSecond: rate,
        durationSeconds: DURATION_SECONDS,
        userPrefix,
      });
      lag.disable();
      const endToEnd = await replyLatencies(ctx, report);
      const acks = report.samples.map((s) => s.ackMs);
      const row = {
        'msg/s': rate,
        sent: report.samples.length,
        'non-200': report.samples.filter((s) => s.status !== 200).length,
        'ack p50 ms': round(percentile(acks, 50)),
        'ack p99 ms': round(percentile(acks, 99)),
        'ack max ms': round(Math.max(...acks)),
        replies: endToEnd.length,
        'e2e p50 ms': round(percentile(endToEnd, 50)),
        'e2e p99 ms': round(percentile(endToEnd, 99)),
        'loop lag p99 ms': round(lag.percentile(99) / 1e6),
        'load avg': round(loadavg()[0]!),
      };
      rows.push(row);
      details.push({ rate, durationSeconds: DURATION_SECONDS, row });
    }
    return { rows, details };
  },
};

/** Webhook-sent → reply-accepted latencies, matched by end-user (one message per user). */
async function replyLatencies(ctx: BenchContext, report: LoadReport): Promise<number[]> {
  const sentAt = new Map(report.samples.filter((s) => s.status === 200).map((s) => [s.user, s.sentAt]));
  const replied = () => ctx.graph.sent.filter((m) => sentAt.has(String(m.body.to)));
  const deadline = Date.now() + DRAIN_MS;
  while (replied().length < sentAt.size && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 250));
  return replied().map((m) => m.at - sentAt.get(String(m.body.to))!);
}

const round = (n: number) => Math.round(n * 10) / 10;
