import { openHarness } from '../../chaos/harness';
import type { LoadSample } from '../load';
import { percentile, round, userPrefix, type StandaloneScenario } from '../scenario';
import { preparedLoadProcess, ReplyIndex } from '../system';

const FULL = { rate: 20, seconds: 120, windowSeconds: 30, drainMs: 90_000 };
const QUICK = { rate: 5, seconds: 12, windowSeconds: 4, drainMs: 30_000 };

interface Window {
  name: string;
  e2e: number[];
  sent: number;
  unanswered: number;
}

function row(w: Window): Record<string, string | number> {
  return {
    window: w.name,
    sent: w.sent,
    unanswered: w.unanswered,
    'e2e p50 ms': round(percentile(w.e2e, 50)),
    'e2e p99 ms': round(percentile(w.e2e, 99)),
    'e2e max ms': round(Math.max(...w.e2e)),
  };
}

/**
 * New-user webhook → reply latency right after the system says it is ready, against the steady state
 * of the same run: a fresh system (compiled entry points, as production runs them) is opened, and the
 * moment it is ready (`/readyz` 200: the worker polls) a waiting load generator starts 20 msg/s from new
 * end-users for two minutes. The first 30 s after readiness are compared with the last 30 s; the
 * target is a cold p99 within 2× the steady p99. Run by name: `npm run bench -- coldstart`.
 */
export const coldstartScenario: StandaloneScenario = {
  name: 'coldstart',
  description:
    'new-user webhook → reply latency in the first 30 s after readiness vs the steady state (20 msg/s)',
  standalone: true,
  onlyByName: true,
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const load = preparedLoadProcess();
    // openHarness resolves once /readyz answers 200 and the client is provisioned: that is "ready".
    const harness = await openHarness({
      compiled: true,
      env: { AURA_RATE_LIMIT_PER_MINUTE: '1000000' },
    }).catch((err: unknown) => {
      load.cancel();
      throw err;
    });
    try {
      const readyAt = Date.now();
      const replies = new ReplyIndex(harness.graph.sent);
      ctx.log(`coldstart: ${plan.rate} msg/s from new users for ${plan.seconds} s, starting at readiness …`);
      const samples = await load.go({
        url: `${harness.apiUrl}/webhooks/whatsapp`,
        appSecret: harness.appSecret,
        phoneNumberId: harness.client.phoneNumberId,
        messagesPerSecond: plan.rate,
        durationSeconds: plan.seconds,
        userPrefix: userPrefix(plan.rate),
      });
      const ok = samples.filter((s) => s.status === 200);
      await replies.waitFor(
        ok.map((s) => s.user),
        plan.drainMs,
      );
      const window = (name: string, from: number, to: number): Window => {
        const inWindow = samples.filter((s) => s.sentAt - readyAt >= from && s.sentAt - readyAt < to);
        const e2e = latencies(inWindow, replies);
        return { name, sent: inWindow.length, e2e, unanswered: inWindow.length - e2e.length };
      };
      const w = plan.windowSeconds * 1000;
      const cold = window(`first ${plan.windowSeconds} s after readiness`, 0, w);
      const steady = window(
        `last ${plan.windowSeconds} s (steady)`,
        plan.seconds * 1000 - w,
        plan.seconds * 1000,
      );
      const ratio = percentile(cold.e2e, 99) / percentile(steady.e2e, 99);
      const rows = [
        row(cold),
        row(steady),
        { window: 'cold p99 ÷ steady p99 (target ≤ 2)', 'e2e p99 ms': `${ratio.toFixed(2)}×` },
        { window: 'webhooks not answered 200', sent: samples.length - ok.length },
      ];
      return {
        rows,
        details: { plan, ratio, coldP99: percentile(cold.e2e, 99), steadyP99: percentile(steady.e2e, 99) },
      };
    } finally {
      await harness.close();
    }
  },
};

function latencies(samples: LoadSample[], replies: ReplyIndex): number[] {
  return samples.flatMap((s) => {
    const at = s.status === 200 ? replies.at(s.user) : undefined;
    return at === undefined ? [] : [at - s.sentAt];
  });
}
