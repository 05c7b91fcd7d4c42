import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/**
 * Reads the `.cpuprofile` files `node --cpu-prof` writes (one per process and thread, named
 * `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`) and splits each one's samples into areas by
 * where the sampled function lives, so the bench can say what dominates.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The area a function's source belongs to: a package, a folder of ours, node internals, or V8's own. */
export function area(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const file = url.replace(/^file:\/\//, '');
  // The compiled processes run from `.data/build-<id>/`: their folders are ours all the same.
  const ours = path.relative(ROOT, file).replace(/^\.data\/build-[^/]+\//, '');
  if (file.startsWith(`${ROOT}/`)) return `aura ${ours.split('/')[0]}/`;
  return url;
}

/** Self-time share per area in one profile, biggest first; `(idle)` is reported but not counted as busy. */
export function summarise(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    add(byArea, area(frame), ms);
    add(byFunction, `${frame.functionName || '(anonymous)'} ${path.basename(frame.url)}`.trim(), ms);
  });
  const busyMs = [...byArea].filter(([k]) => k !== '(idle)').reduce((s, [, v]) => s + v, 0);
  const shares = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([k]) => !k.startsWith('(idle)'))
      .map(([name, v]) => ({ name, pct: Math.round((v / busyMs) * 1000) / 10 }))
      .sort((a, b) => b.pct - a.pct)
      .slice(0, n);
  return { busyMs: Math.round(busyMs), areas: shares(byArea, 12), functions: shares(byFunction, 15) };
}

/** Every profile in `dir`, labelled with the process name `names` gives its pid, and its thread. */
export function readProfiles(dir: string, names: Record<number, string>) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => {
      const [, , , pid, thread] = f.split('.');
      const label = `${names[Number(pid)] ?? `pid ${pid}`} thread ${thread}`;
      return { label, ...summarise(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile) };
    })
    .sort((a, b) => b.busyMs - a.busyMs);
}
