import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** An unexpected exit of a managed process: what the chaos scenarios count as a crash. */
export interface Crash {
  name: string;
  code: number | null;
  signal: string | null;
}

/**
 * One of our entry points (`api/main.ts`, `worker/main.ts` through tsx, or their compiled `.js`)
 * run as a child process exactly as in production, so that it can be `kill -9`ed and started again. Its output goes to a log file (read
 * back only to explain a failure, never to decide one); an exit nobody asked for is recorded.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private readonly log: WriteStream;
  private expectingExit = false;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string | undefined>,
    private readonly logFile: string,
    private readonly crashes: Crash[],
    /** Extra `node` flags (the benchmark passes `--cpu-prof` to profile a process). */
    private readonly nodeArgs: readonly string[] = [],
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The exit code once the process exited by itself (null while it runs or when a signal ended it). */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the process; `ready` resolves once the process reports (by its public surface) ready. */
  async start(ready: (pid: number) => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
    this.expectingExit = false;
    const child = spawn(
      process.execPath,
      [
        ...this.nodeArgs,
        ...(this.entry.endsWith('.ts') ? ['--import', 'tsx'] : []),
        path.resolve(ROOT, this.entry),
      ],
      {
        cwd: ROOT,
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.once('exit', (code, signal) => {
      this.log.write(`\n[chaos] ${this.name} exited code=${String(code)} signal=${String(signal)}\n`);
      if (!this.expectingExit) this.crashes.push({ name: this.name, code, signal });
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.name} exited while starting; see ${this.logFile}`);
      if (await ready(child.pid!).catch(() => false)) return;
      await sleep(200);
    }
    throw new Error(`${this.name} not ready within ${timeoutMs} ms; see ${this.logFile}`);
  }

  /** The next exit is one a scenario caused (not counted as a crash). */
  expectExit(): void {
    this.expectingExit = true;
  }

  /** `kill -9`: no shutdown hook runs, in-flight work is cut where it stands. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** A graceful stop (SIGTERM), used when the harness closes. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** The last lines of the process's output, to explain a failed run. */
  tail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  close(): void {
    this.log.end();
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    this.expectingExit = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
