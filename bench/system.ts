import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { openHarness, type Harness } from '../chaos/harness';
import { provisionClient } from '../sandbox/provision';
import { stopProcess } from '../temporal/dev-server';
import type { LoadSample, LoadSpec } from './load';

const ROOT = path.resolve(__dirname, '..');

/**
 * The measured system for the benchmark: the chaos harness (Temporal dev server on a SQLite file,
 * embedded PostgreSQL, the worker and the API as their own processes from their production entry
 * points, the fake Graph API here) plus the bare-Temporal baseline in a process of its own, against
 * the same Temporal server and fake Graph. Load generators run as further child processes, so this
 * process only schedules, counts replies and reads /proc.
 */
export interface BenchSystem {
  harness: Harness;
  baselineUrl: string;
  replies: ReplyIndex;
  /** Provisions a client with a fresh business number through the admin API. */
  provisionNumber(): Promise<string>;
  /** Runs the load generator against Aura's or the baseline's webhook; `onSample` sees each ack live. */
  runLoad(
    target: 'aura' | 'baseline',
    spec: Omit<LoadSpec, 'url' | 'appSecret'>,
    onSample?: (s: LoadSample, stop: () => void) => void,
  ): Promise<LoadSample[]>;
  /** Resident memory of a process in bytes (from /proc), 0 when it is gone. */
  rss(pid: number | undefined): number;
  /** User + system CPU seconds a process has used (from /proc/<pid>/stat). */
  cpuSeconds(pid: number | undefined): number;
  /** Size of the Temporal dev server's SQLite database (with its WAL) in bytes. */
  temporalDbBytes(): number;
  baselinePid(): number | undefined;
  close(): Promise<void>;
}

/** First reply time per end-user at the fake Graph API, indexed incrementally as replies arrive. */
export class ReplyIndex {
  private scanned = 0;
  private readonly first = new Map<string, number>();
  constructor(private readonly sent: readonly { at: number; body: Record<string, unknown> }[]) {}

  /** When `user` got its first reply (epoch ms), if it has. */
  at(user: string): number | undefined {
    for (; this.scanned < this.sent.length; this.scanned++) {
      const m = this.sent[this.scanned]!;
      const to = m.body.to;
      if (typeof to === 'string' && !this.first.has(to)) this.first.set(to, m.at);
    }
    return this.first.get(user);
  }

  /** How many distinct end-users have had a reply so far. */
  answered(): number {
    this.at('');
    return this.first.size;
  }

  /** Waits until every user in `users` has a reply or `timeoutMs` passes; returns the unanswered count. */
  async waitFor(users: readonly string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let missing = users.filter((u) => this.at(u) === undefined);
    while (missing.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      missing = missing.filter((u) => this.at(u) === undefined);
    }
    return missing.length;
  }
}

export async function openBenchSystem(opts: { nodeArgs?: string[] } = {}): Promise<BenchSystem> {
  // The per-key rate limit (600/min) would answer most of the orders scenario's requests 429.
  const harness = await openHarness({
    compiled: true,
    nodeArgs: opts.nodeArgs,
    env: { AURA_RATE_LIMIT_PER_MINUTE: '1000000' },
  });
  let baseline: { child: ChildProcess; url: string } | undefined;
  try {
    baseline = await startBaselineProcess(harness.temporalAddress, harness.graph.url);
  } catch (err) {
    await harness.close();
    throw err;
  }
  const { child, url: baselineUrl } = baseline;
  return {
    harness,
    baselineUrl,
    replies: new ReplyIndex(harness.graph.sent),
    provisionNumber: async () =>
      (await provisionClient(harness.apiUrl, harness.adminToken, { name: 'Bench Shop' })).phoneNumberId,
    runLoad: (target, spec, onSample) =>
      runLoadProcess(
        {
          ...spec,
          url: `${target === 'aura' ? harness.apiUrl : baselineUrl}/webhooks/whatsapp`,
          appSecret: harness.appSecret,
        },
        onSample,
      ),
    rss,
    cpuSeconds,
    temporalDbBytes: () =>
      ['', '-wal', '-shm'].reduce((sum, ext) => sum + fileSize(`${harness.temporalDbFile}${ext}`), 0),
    baselinePid: () => child.pid,
    async close() {
      await stopProcess(child, 5_000);
      await harness.close();
    },
  };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function rss(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

function startBaselineProcess(temporalAddress: string, graphUrl: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'baseline', 'main.ts'), temporalAddress, graphUrl],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.once('exit', (code) => reject(new Error(`baseline exited with ${String(code)}`)));
  });
}

/** Runs bench/load.ts in a child process, collecting its samples (one JSON line each). */
function runLoadProcess(spec: LoadSpec, onSample?: (s: LoadSample, stop: () => void) => void) {
  return collect(spawnLoad(JSON.stringify(spec)), onSample);
}

/**
 * A load generator started ahead of time and waiting for its spec on stdin: `go(spec)` starts the
 * schedule at once (no process start in between), for scenarios that time from a precise moment.
 */
export function preparedLoadProcess(): { go(spec: LoadSpec): Promise<LoadSample[]>; cancel(): void } {
  const child = spawnLoad('-');
  const samples = collect(child);
  return {
    go(spec) {
      child.stdin!.end(`${JSON.stringify(spec)}\n`);
      return samples;
    },
    cancel: () => void child.kill('SIGKILL'),
  };
}

function spawnLoad(specArg: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'load.ts'), specArg], {
    cwd: ROOT,
    stdio: [specArg === '-' ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  });
}

function collect(child: ChildProcess, onSample?: (s: LoadSample, stop: () => void) => void) {
  const samples: LoadSample[] = [];
  const stop = () => void child.kill('SIGKILL');
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      const sample = JSON.parse(line) as LoadSample;
      samples.push(sample);
      onSample?.(sample, stop);
    }
  });
  return new Promise<LoadSample[]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(samples));
  });
}
