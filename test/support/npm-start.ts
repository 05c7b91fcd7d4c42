import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { processEnv } from '../../config';
import { unavailablePorts } from '../../scripts/ports';
import { freePort } from '../../temporal/dev-server';

const ROOT = path.resolve(__dirname, '..', '..');

/** The ports `npm start` binds, every one moved to a free port so tests never meet a developer's. */
export interface StartPorts {
  api: number;
  graph: number;
  temporal: number;
  temporalUi: number;
  workerMetrics: number;
}

export async function freeStartPorts(): Promise<StartPorts> {
  return {
    api: await freePort(),
    graph: await freePort(),
    temporal: await freePort(),
    temporalUi: await freePort(),
    workerMetrics: await freePort(),
  };
}

/** `npm start` as a user runs it, in its own process group, with its output collected. */
export class NpmStart {
  readonly child: ChildProcess;
  output = '';
  private exit: Promise<number | null>;

  constructor(
    readonly dataDir: string,
    readonly ports: StartPorts,
  ) {
    const inherited = processEnv();
    this.child = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true, // its own process group, as a terminal gives it
      stdio: ['ignore', 'pipe', 'pipe'],
      // Nothing from the test run leaks in: the embedded PostgreSQL, a dev server, the sandbox Graph.
      env: {
        PATH: inherited.PATH,
        HOME: inherited.HOME,
        AURA_DATA_DIR: dataDir,
        PORT: String(ports.api),
        SANDBOX_GRAPH_PORT: String(ports.graph),
        TEMPORAL_DEV_PORT: String(ports.temporal),
        TEMPORAL_DEV_UI_PORT: String(ports.temporalUi),
        WORKER_METRICS_PORT: String(ports.workerMetrics),
      },
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exit = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  /** The start script itself: npm's child (npm runs `exec node …`, so no shell sits between). */
  startScriptPid(): number | undefined {
    return descendants(this.pid).find((pid) => commandLine(pid).includes('scripts/start.ts'));
  }

  /** The pid of the supervised child whose command line runs `entry` (`worker/main.ts`, …). */
  childPid(entry: string): number | undefined {
    return descendants(this.pid).find((pid) => commandLine(pid).includes(entry));
  }

  /** Resolves once the output matches `pattern`; rejects with the output if npm exits first. */
  async waitFor(pattern: RegExp, timeoutMs = 240_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null) throw new Error(`npm start exited:\n${this.output}`);
      if (Date.now() > deadline)
        throw new Error(`${String(pattern)} not seen within ${timeoutMs} ms:\n${this.output}`);
      await sleep(100);
    }
  }

  exited(): Promise<number | null> {
    return this.exit;
  }

  /** The ports that are still bound by someone. */
  async boundPorts(): Promise<number[]> {
    const all = Object.values(this.ports).map((port) => ({ port, what: '', variable: '' }));
    const postgres = Number(/127\.0\.0\.1:(\d+)\/aura/.exec(this.postgresUrl ?? '')?.[1]);
    if (postgres) all.push({ port: postgres, what: '', variable: '' });
    return (await unavailablePorts(all)).map((p) => p.port);
  }

  /** The embedded PostgreSQL's URL while it runs (what it advertises to one-off commands). */
  postgresUrl: string | undefined;
  rememberPostgresUrl(): void {
    this.postgresUrl = readFileSync(path.join(this.dataDir, 'postgres.url'), 'utf8').trim();
  }

  /** Kills whatever is left (a failed test must not strand a stack on the machine). */
  killAll(): void {
    for (const pid of [this.pid, ...descendants(this.pid)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

/** Every process below `pid`, from /proc (children first, then theirs). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(stat(Number(entry))?.[1]);
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** True while the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  const fields = stat(pid);
  return fields !== undefined && fields[0] !== 'Z';
}

/** State and parent pid from /proc/<pid>/stat (after the parenthesised command name). */
function stat(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
