import { processEnv } from '../../config';
import { lineChartSvg } from '../plot';
import { mib, round, userPrefix, workerCacheMetrics, type BenchContext, type Scenario } from '../scenario';

interface Sample {
  seconds: number;
  conversations: number;
  workerRss: number;
  apiRss: number;
  cached: number;
}

/** RSS growth in MiB per 10,000 conversations between two samples. */
const slope = (a: Sample, b: Sample) =>
  b.conversations > a.conversations
    ? round((mib(b.workerRss) - mib(a.workerRss)) / ((b.conversations - a.conversations) / 10_000))
    : Number.NaN;

/** Samples every `everyMs` until `stop()`: conversations answered so far, RSS, cached workflows. */
function sampler(ctx: BenchContext, everyMs: number) {
  const { system } = ctx;
  const { harness } = system;
  const started = Date.now();
  const base = system.replies.answered();
  const samples: Sample[] = [];
  const take = async () => {
    const cache = await workerCacheMetrics(harness.workerMetricsUrl);
    samples.push({
      seconds: round((Date.now() - started) / 1000),
      conversations: system.replies.answered() - base,
      workerRss: system.rss(harness.worker.pid),
      apiRss: system.rss(harness.api.pid),
      cached: cache.sticky_cache_size ?? 0,
    });
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => void take().finally(() => (timer = setTimeout(loop, everyMs)));
  loop();
  return {
    samples,
    async stop() {
      clearTimeout(timer);
      await take();
      return samples;
    },
  };
}

function plot(samples: Sample[], cacheSize: number) {
  return lineChartSvg({
    title: `Worker and API resident memory over ${samples.at(-1)!.conversations} conversations`,
    xLabel: 'conversations opened (answered)',
    yLabel: 'RSS (MiB)',
    series: [
      { label: 'worker', colour: '#1f77b4', points: samples.map((s) => [s.conversations, mib(s.workerRss)]) },
      { label: 'API', colour: '#ff7f0e', points: samples.map((s) => [s.conversations, mib(s.apiRss)]) },
    ],
    markers: [{ x: cacheSize, label: `cache full (${cacheSize})` }],
  });
}

/**
 * Memory over time (issue 16): opens 50,000 conversations in waves of 1,000 new end-users (each
 * wave sent at 40 msg/s, the next one once the last is answered, so the backlog never grows), and
 * samples the worker's and the API's RSS and the workflow cache's size every 5 s. Once the cache
 * is full the worker's curve must flatten: the rows give the fixed part (RSS before the first
 * conversation), the cost per cached workflow (growth until the cache is full ÷ its size) and the
 * growth per 10,000 conversations after it. The curve is written to `bench/results/soak-rss.svg`,
 * which the README shows. Run by name: `npm run bench -- soak` (about 40 minutes on 2 cores).
 */
export const soakScenario: Scenario = {
  name: 'soak',
  description: 'worker RSS over 50,000 conversations: the curve flattens once the workflow cache is full',
  onlyByName: true,
  async run(ctx) {
    const total = ctx.quick ? 30 : 50_000;
    const wave = ctx.quick ? 10 : 1_000;
    const rate = ctx.quick ? 10 : 40;
    const cacheSize = Number(processEnv().WORKER_MAX_CACHED_WORKFLOWS ?? 500);
    const { system } = ctx;
    const phoneNumberId = await system.provisionNumber();
    const prefix = userPrefix(total);
    const sampling = sampler(ctx, ctx.quick ? 1_000 : 5_000);
    let unanswered = 0;
    let refused = 0;
    for (let first = 0; first < total; first += wave) {
      const samples = await system.runLoad('aura', {
        phoneNumberId,
        messagesPerSecond: rate,
        durationSeconds: Math.min(wave, total - first) / rate,
        userPrefix: prefix,
        firstUser: first,
      });
      const accepted = samples.filter((s) => s.status === 200).map((s) => s.user);
      refused += samples.length - accepted.length;
      unanswered += await system.replies.waitFor(accepted, 300_000);
      const last = sampling.samples.at(-1);
      if (last) ctx.log(`soak: ${first + wave} sent, worker ${mib(last.workerRss)} MiB at ${last.seconds} s`);
    }
    const samples = await sampling.stop();
    const start = samples[0]!;
    const full = samples.find((s) => s.conversations >= cacheSize) ?? samples.at(-1)!;
    const end = samples.at(-1)!;
    const half = samples.find((s) => s.conversations >= end.conversations / 2) ?? full;
    const rows = [
      {
        measure: 'conversations answered',
        value: end.conversations,
        unit: `of ${total}; ${refused} refused, ${unanswered} unanswered`,
      },
      {
        measure: 'worker RSS before the first conversation (fixed part)',
        value: mib(start.workerRss),
        unit: 'MiB',
      },
      {
        measure: `worker RSS when the cache is full (${full.conversations} conversations, ${full.cached} cached)`,
        value: mib(full.workerRss),
        unit: 'MiB',
      },
      {
        measure: 'worker RSS per cached workflow',
        value: round((full.workerRss - start.workerRss) / Math.max(1, full.cached) / 1024),
        unit: 'KiB',
      },
      { measure: 'worker RSS at the end', value: mib(end.workerRss), unit: 'MiB' },
      { measure: 'worker RSS peak', value: mib(Math.max(...samples.map((s) => s.workerRss))), unit: 'MiB' },
      {
        measure: 'worker growth after the cache is full',
        value: slope(full, end),
        unit: 'MiB per 10,000 conversations',
      },
      {
        measure: 'worker growth over the second half',
        value: slope(half, end),
        unit: 'MiB per 10,000 conversations',
      },
      { measure: 'API RSS start → end', value: `${mib(start.apiRss)} → ${mib(end.apiRss)}`, unit: 'MiB' },
      { measure: 'time', value: end.seconds, unit: 's' },
    ];
    return {
      rows,
      details: { total, wave, rate, cacheSize, samples },
      files: { 'soak-rss.svg': plot(samples, cacheSize) },
    };
  },
};
