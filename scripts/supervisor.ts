import { spawn, type ChildProcess } from 'node:child_process';
import { stopProcess } from '../temporal/dev-server';

/** A long-running child process `npm start` keeps alive. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface SupervisorOptions {
  /** This many crashes (of all children together) within `windowMs` stop everything. */
  maxCrashes?: number;
  windowMs?: number;
  /** Delay before restarting after the n-th crash of the window (n ≥ 1). */
  backoffMs?: (n: number) => number;
  /** How long an exit waits for a shutdown of our own to be under way before it counts as a crash. */
  settleMs?: number;
  say(line: string): void;
  /** Loud lines: crashes, restarts, giving up. */
  alarm(line: string): void;
  /** Called once when the crash budget is spent; the caller stops everything and exits 1. */
  onGiveUp(): void;
}

const defaultBackoff = (n: number) => Math.min(500 * 2 ** (n - 1), 8_000);

/**
 * Keeps `npm start`'s worker and API running: an exit nobody asked for (a crash, SIGKILL, the OOM
 * killer) is logged loudly and the process started again after a back-off; `maxCrashes` crashes in
 * `windowMs` give up. An exit shortly followed by our own shutdown (a terminal's Ctrl-C reaches every
 * process of the group at once) is not a crash.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private crashTimes: number[] = [];
  private stopping = false;
  private readonly opts: Required<Omit<SupervisorOptions, 'say' | 'alarm' | 'onGiveUp'>> & SupervisorOptions;

  constructor(opts: SupervisorOptions) {
    this.opts = {
      ...opts,
      maxCrashes: opts.maxCrashes ?? 5,
      windowMs: opts.windowMs ?? 60_000,
      backoffMs: opts.backoffMs ?? defaultBackoff,
      settleMs: opts.settleMs ?? 250,
    };
  }

  /** Starts `spec` and keeps it running until `stop()`. */
  start(spec: ProcessSpec): void {
    if (this.stopping) return;
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.children.set(spec.name, child);
    child.once('exit', (code, signal) => this.later(() => this.exited(spec, code, signal)));
  }

  /** Process ids of the children running now. */
  pids(): number[] {
    return [...this.children.values()].filter(running).map((c) => c.pid!);
  }

  /** SIGTERM to every child, SIGKILL after `graceMs`; resolves once all have exited. No restarts after. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.children.values()].map((child) => stopProcess(child, graceMs)));
  }

  private exited(spec: ProcessSpec, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < this.opts.windowMs), now];
    const n = this.crashTimes.length;
    const how = signal ? `killed by ${signal}` : `exit code ${String(code)}`;
    const perWindow = `${Math.round(this.opts.windowMs / 1000)} s`;
    if (n >= this.opts.maxCrashes) {
      this.opts.alarm(
        `✖ ${spec.name} crashed (${how}): ${n} crashes within ${perWindow}, stopping everything`,
      );
      this.opts.onGiveUp();
      return;
    }
    const delay = this.opts.backoffMs(n);
    this.opts.alarm(
      `✖ ${spec.name} crashed (${how}) — restarting in ${(delay / 1000).toFixed(1)} s ` +
        `(crash ${n}; ${this.opts.maxCrashes} within ${perWindow} stop everything)`,
    );
    this.later(() => {
      this.start(spec);
      if (!this.stopping)
        this.opts.say(`${spec.name} restarted (pid ${String(this.children.get(spec.name)?.pid)})`);
    }, delay);
  }

  private later(fn: () => void, ms = this.opts.settleMs): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) fn();
    }, ms);
    this.timers.add(timer);
  }
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}
