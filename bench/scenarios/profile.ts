import { loadavg } from 'node:os';
import { processEnv } from '../../config';
import { readProfiles } from '../profile';
import { percentile, round, userPrefix, workerCacheMetrics, type Scenario } from '../scenario';

const RATE = 80;
const SECONDS = 20;

/**
 * Where the CPU goes at 80 msg/s: the worker and the API run under `node --cpu-prof`; the scenario
 * reads each process's CPU seconds from /proc (Temporal dev server included) over the load and its
 * drain, stops the worker and the API so they write their profiles, and splits each profile's busy
 * time by package or folder. Run by name: `npm run bench -- profile`.
 */
export const profileScenario: Scenario = {
  name: 'profile',
  description: `CPU profile of the worker and the API at ${RATE} msg/s; CPU share of every process`,
  profiled: true,
  onlyByName: true,
  async run(ctx) {
    const { system } = ctx;
    const { harness } = system;
    const pids = { worker: harness.worker.pid, api: harness.api.pid, temporal: harness.temporalPid() };
    const cpu = () => ({
      worker: system.cpuSeconds(pids.worker),
      api: system.cpuSeconds(pids.api),
      temporal: system.cpuSeconds(pids.temporal),
      bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    });
    const phoneNumberId = await system.provisionNumber();
    const rate = ctx.quick ? 5 : RATE;
    const seconds = ctx.quick ? 3 : SECONDS;
    const startCpu = cpu();
    const started = Date.now();
    ctx.log(`profile: ${rate} msg/s for ${seconds} s under --cpu-prof …`);
    const samples = await system.runLoad('aura', {
      phoneNumberId,
      messagesPerSecond: rate,
      durationSeconds: seconds,
      userPrefix: userPrefix(rate),
    });
    const users = samples.filter((s) => s.status === 200).map((s) => s.user);
    const unanswered = await system.replies.waitFor(users, 120_000);
    const wall = (Date.now() - started) / 1000;
    const endCpu = cpu();
    const acks = samples.map((s) => s.ackMs);
    const rows: Record<string, string | number>[] = [
      {
        measure: `${samples.length} webhooks, ${unanswered} unanswered, ${round(wall)} s to drain`,
        value: `ack p50 ${round(percentile(acks, 50))} ms, p99 ${round(percentile(acks, 99))} ms`,
      },
    ];
    for (const k of ['worker', 'api', 'temporal', 'bench'] as const) {
      const used = endCpu[k] - startCpu[k];
      rows.push({
        measure: `${k} CPU`,
        value: `${round(used)} s = ${round((used / wall) * 100)}% of one core`,
      });
    }
    rows.push({ measure: 'load average', value: round(loadavg()[0]!) });
    const cache = await workerCacheMetrics(harness.workerMetricsUrl);
    rows.push({
      measure: `worker cache (max ${processEnv().WORKER_MAX_CACHED_WORKFLOWS ?? 500})`,
      value: Object.entries(cache)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    });
    await Promise.all([harness.worker.stop(), harness.api.stop()]);
    const names: Record<number, string> = {};
    if (pids.worker) names[pids.worker] = 'worker';
    if (pids.api) names[pids.api] = 'api';
    const profiles = readProfiles(ctx.profileDir!, names);
    for (const p of profiles)
      rows.push({
        measure: `${p.label}: ${p.busyMs} ms busy`,
        value: p.areas
          .slice(0, 6)
          .map((a) => `${a.name} ${a.pct}%`)
          .join(', '),
      });
    return { rows, details: { rate, seconds, wall, startCpu, endCpu, cache, profiles } };
  },
};
