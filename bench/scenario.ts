import type { BenchSystem } from './system';

/**
 * What a benchmark scenario gets: the system as separate processes (see `system.ts`), whether this
 * is the `--quick` run (small counts, for the test that keeps the bench from rotting), and a logger.
 */
export interface BenchContext {
  system: BenchSystem;
  quick: boolean;
  /** Where the worker and the API write their `--cpu-prof` profiles, for scenarios that profile. */
  profileDir?: string;
  log(line: string): void;
}

/** A scenario that opens the system itself (it measures the system's own start): no shared system. */
export interface StandaloneScenario {
  name: string;
  description: string;
  standalone: true;
  onlyByName?: boolean;
  profiled?: undefined;
  run(ctx: Omit<BenchContext, 'system' | 'profileDir'>): Promise<ScenarioResult>;
}

/** A named scenario: `npm run bench -- <name>`. Its rows are printed as a table and saved as JSON. */
export interface Scenario {
  standalone?: undefined;
  name: string;
  description: string;
  /** Runs on a system of its own whose worker and API run under `node --cpu-prof`. */
  profiled?: boolean;
  /** Left out of a plain `npm run bench` (run it by name). */
  onlyByName?: boolean;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

export interface ScenarioResult {
  rows: Record<string, string | number>[];
  /** Anything else worth keeping in the JSON file (raw windows, settings). */
  details?: unknown;
  /** Further files (a plot) written next to the JSON under these names, replacing the last run's. */
  files?: Record<string, string>;
}

/** The p-th percentile (0–100) of `values`, nearest-rank; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One decimal place, for tables. */
export const round = (n: number) => Math.round(n * 10) / 10;

/** Bytes as MiB with one decimal place. */
export const mib = (bytes: number) => round(bytes / 2 ** 20);

let prefixes = 0;

/** A user prefix unique to this process run (wa_ids are digits); `tag` makes it readable in logs. */
export function userPrefix(tag: number): string {
  prefixes += 1;
  return `5${String(tag % 1000).padStart(3, '0')}${String(prefixes).padStart(3, '0')}${String(Date.now()).slice(-3)}`;
}

/**
 * The SDK's sticky-cache metrics from the worker's /metrics: hits, misses (a workflow task that had
 * to replay its history), forced evictions and the cache's current size.
 */
export async function workerCacheMetrics(url: string): Promise<Record<string, number>> {
  const text = await fetch(url).then(
    (r) => r.text(),
    () => '',
  );
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = line.match(
      /^temporal_(sticky_cache_\w+|workflow_task_replay_latency_count)(?:\{[^}]*\})? ([\d.e+]+)$/,
    );
    if (m) sums[m[1]!] = (sums[m[1]!] ?? 0) + Number(m[2]);
  }
  return sums;
}
