import type { Harness } from './harness';
import { brokenWorkflows, count, settle, type Counts } from './measure';
import { sleep } from './processes';
import {
  deliver,
  newTally,
  paced,
  serverErrors,
  shuffled,
  textMessages,
  type ChaosMessage,
  type DeliveryTally,
} from './traffic';

/**
 * The fault scenarios: a steady burst of signed webhooks from many end-users, a fault injected in
 * the middle of it, then counts at the fake Graph API and in the database once the system settles.
 */

export interface ScenarioResult extends Counts {
  scenario: string;
  /** HTTP POSTs to the webhook, redeliveries included. */
  posts: number;
  /** 5xx answers other than 503. */
  serverErrors: number;
  /** 503 answers ("unavailable, retry"), which Meta retries. */
  unavailable: number;
  /** Deliveries that never got a 200. */
  rejected: number;
  /** Workflows that failed, timed out or were terminated. */
  brokenWorkflows: number;
  /** Unexpected exits of the API or the worker. */
  crashes: number;
  ms: number;
  /** What was done and when, for the report; also why a number is what it is. */
  notes: string[];
  /** Scenario-specific broken promises (besides the common ones checked by `violations`). */
  failures: string[];
}

export interface BurstSize {
  messages: number;
  users: number;
  /** Webhooks started per second; the burst lasts messages / perSecond seconds. */
  perSecond: number;
}

interface BurstProgress {
  messages: readonly ChaosMessage[];
  tally: DeliveryTally;
  repliesSoFar(): number;
  notes: string[];
  failures: string[];
}

/** Runs a paced burst while `fault` breaks something; returns the counts once everything settled. */
async function burst(
  h: Harness,
  scenario: string,
  size: BurstSize,
  repliesPerMessage: number,
  fault: (p: BurstProgress) => Promise<void>,
): Promise<ScenarioResult> {
  const started = Date.now();
  const crashesBefore = h.crashes.length;
  const messages = textMessages(h.client.phoneNumberId, size.messages, size.users);
  const users = new Set(messages.map((m) => m.waId));
  const progress: BurstProgress = {
    messages,
    tally: newTally(),
    repliesSoFar: () => h.graph.sent.filter((s) => users.has(s.body.to as string)).length,
    notes: [],
    failures: [],
  };
  const deadline = Date.now() + 300_000 + size.messages * 200;
  const traffic = paced(messages, { concurrency: 16, perSecond: size.perSecond }, (m) =>
    deliver(h.apiUrl, h.appSecret, m.raw, progress.tally, deadline),
  );
  await Promise.all([traffic, fault(progress)]);
  progress.notes.push(
    `answers by HTTP status (0: no answer in 20 s): ${JSON.stringify(progress.tally.statuses)}`,
  );
  await settle(h, messages, repliesPerMessage, 180_000 + size.messages * 200);
  return {
    scenario,
    ...(await count(h, messages, repliesPerMessage)),
    posts: progress.tally.posts,
    serverErrors: serverErrors(progress.tally),
    unavailable: progress.tally.statuses[503] ?? 0,
    rejected: progress.tally.rejected,
    brokenWorkflows: await brokenWorkflows(h),
    crashes: h.crashes.length - crashesBefore,
    ms: Date.now() - started,
    notes: progress.notes,
    failures: progress.failures,
  };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`chaos: ${what} did not happen within ${timeoutMs} ms`);
    await sleep(50);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** 1) `kill -9` the worker once a third of the replies are out, start a new one. */
export function workerKill(h: Harness, size: BurstSize, repliesPerMessage: number) {
  return burst(h, 'worker kill -9', size, repliesPerMessage, async (p) => {
    const trigger = Math.ceil((size.messages * repliesPerMessage) / 3);
    await waitFor('a third of the replies', () => p.repliesSoFar() >= trigger);
    const pid = h.worker.pid;
    await h.worker.kill9();
    p.notes.push(`worker ${String(pid)} killed (SIGKILL) after ${p.repliesSoFar()} replies`);
    const t = Date.now();
    await h.startWorker();
    p.notes.push(`new worker ${String(h.worker.pid)} polling after ${seconds(Date.now() - t)}`);
  });
}

/**
 * 1b) The worker dies exactly between Meta's 200 and the wamid record (the harness's kill point),
 * `kills` times over a steady burst: each retried send must find its earlier attempt by the callback
 * data the statuses echo and record it instead of sending again — no duplicate, nothing lost.
 */
export function killAfterAccepted(h: Harness, size: BurstSize, repliesPerMessage: number, kills: number) {
  return burst(h, 'kill after accepted', size, repliesPerMessage, async (p) => {
    const started = Date.now();
    for (let i = 1; i <= kills; i++) {
      h.armKillAfterAccepted();
      await waitFor(`kill ${i} after an accepted send`, () => !h.worker.alive);
      await h.startWorker();
    }
    p.notes.push(
      `${kills} workers killed between Graph's 200 and the record in ${seconds(Date.now() - started)}`,
    );
  });
}

/**
 * 2) Stop the Temporal dev server mid-burst, keep it down for `downMs`, start it on the same file.
 * A webhook meeting the outage is held while the Temporal client retries (about 20 s) and then
 * answered 503; either way Meta (the driver) redelivers until it gets a 200.
 */
export function temporalRestart(h: Harness, size: BurstSize, repliesPerMessage: number, downMs: number) {
  return burst(h, 'Temporal restart', size, repliesPerMessage, async (p) => {
    await waitFor('a third of the webhooks accepted', () => p.tally.accepted >= size.messages / 3);
    const before = { refused: p.tally.statuses[503] ?? 0, posts: p.tally.posts };
    const t = Date.now();
    await h.stopTemporal();
    await sleep(downMs);
    const postsMeanwhile = p.tally.posts - before.posts;
    await h.startTemporal();
    p.notes.push(`Temporal down for ${seconds(Date.now() - t)}; ${postsMeanwhile} webhooks posted meanwhile`);
    if (postsMeanwhile === 0) p.failures.push('no webhook met the outage (burst too short?)');
    await waitFor(
      'the burst to be delivered',
      () => p.tally.accepted + p.tally.rejected >= size.messages,
      300_000,
    );
    const refused = (p.tally.statuses[503] ?? 0) - before.refused;
    p.notes.push(`${refused} answers were 503 and redelivered; slowest answer ${seconds(p.tally.slowestMs)}`);
  });
}

/** 3) Stop PostgreSQL mid-burst for `downMs`: webhooks must still be accepted, activities retry. */
export function postgresOutage(h: Harness, size: BurstSize, repliesPerMessage: number, downMs: number) {
  return burst(h, 'PostgreSQL outage', size, repliesPerMessage, async (p) => {
    await waitFor('a third of the webhooks accepted', () => p.tally.accepted >= size.messages / 3);
    const answers = () => {
      const ok = p.tally.statuses[200] ?? 0;
      return { ok, refused: Object.values(p.tally.statuses).reduce((a, b) => a + b, 0) - ok };
    };
    const before = answers();
    const t = Date.now();
    await h.stopPostgres();
    await sleep(downMs);
    const during = answers();
    await h.startPostgres();
    const [accepted, refused] = [during.ok - before.ok, during.refused - before.refused];
    p.notes.push(
      `PostgreSQL down for ${seconds(Date.now() - t)}: ${accepted} webhooks answered 200 and ${refused} refused meanwhile`,
    );
    if (accepted === 0) p.failures.push('no webhook was accepted while PostgreSQL was down');
    if (refused > 0) p.failures.push(`${refused} webhooks refused while PostgreSQL was down`);
  });
}

/** 4) Every notification delivered three times at once, messages in random order. */
export async function duplicateStorm(
  h: Harness,
  size: BurstSize,
  repliesPerMessage: number,
): Promise<ScenarioResult> {
  const started = Date.now();
  const crashesBefore = h.crashes.length;
  const messages = textMessages(h.client.phoneNumberId, size.messages, size.users);
  const tally = newTally();
  const deadline = Date.now() + 300_000;
  await paced(shuffled(messages), { concurrency: 10, perSecond: size.perSecond }, (m) =>
    Promise.all([1, 2, 3].map(() => deliver(h.apiUrl, h.appSecret, m.raw, tally, deadline))),
  );
  await settle(h, messages, repliesPerMessage, 180_000 + size.messages * 200);
  return {
    scenario: 'duplicate storm ×3',
    ...(await count(h, messages, repliesPerMessage)),
    posts: tally.posts,
    serverErrors: serverErrors(tally),
    unavailable: tally.statuses[503] ?? 0,
    rejected: tally.rejected,
    brokenWorkflows: await brokenWorkflows(h),
    crashes: h.crashes.length - crashesBefore,
    ms: Date.now() - started,
    notes: [],
    failures: [],
  };
}

/** Every promise a scenario breaks, in words; empty means it passed. */
export function violations(r: ScenarioResult): string[] {
  const out = [...r.failures];
  if (r.lost > 0) out.push(`${r.lost} messages not answered`);
  if (r.recorded !== r.sent && r.sent > 0) out.push(`${r.sent - r.recorded} messages not recorded`);
  if (r.duplicates > 0) out.push(`${r.duplicates} duplicate replies`);
  if (r.serverErrors > 0) out.push(`${r.serverErrors} 5xx answers other than 503`);
  if (r.rejected > 0) out.push(`${r.rejected} deliveries never accepted`);
  if (r.brokenWorkflows > 0) out.push(`${r.brokenWorkflows} workflows failed, timed out or terminated`);
  if (r.crashes > 0) out.push(`${r.crashes} unexpected process exits`);
  return out;
}
