import type { Db } from '../db/pool';
import type { FakeGraph } from '../sandbox/fake-graph';
import type { LoadReport, LoadSpec } from './load';

/**
 * What a benchmark scenario gets: a running system (API, worker, Temporal, PostgreSQL, fake Graph)
 * in this process, and a load generator that runs in a child process so it does not compete with
 * the measured code for the event loop.
 */
export interface BenchContext {
  apiUrl: string;
  graph: FakeGraph;
  db: Db;
  /** Creates a client with a fresh business number. */
  provisionClient(settings?: Record<string, unknown>): Promise<{ clientId: string; phoneNumberId: string }>;
  /** Runs signed webhook load from a child process and returns what it saw. */
  runLoad(spec: Omit<LoadSpec, 'url' | 'appSecret'>): Promise<LoadReport>;
  log(line: string): void;
}

/** A named scenario: `npm run bench -- <name>`. Its rows are printed as a table and saved as JSON. */
export interface Scenario {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

export interface ScenarioResult {
  rows: Record<string, string | number>[];
  /** Anything else worth keeping in the JSON file (raw samples, settings). */
  details?: unknown;
}

/** The p-th percentile (0–100) of `values`, nearest-rank; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
