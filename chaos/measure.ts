import { countMessagesByWamidHash } from '../db/messages';
import { wamidHash } from '../whatsapp/wamid';
import type { SentMessage } from '../sandbox/fake-graph';
import type { Harness } from './harness';
import { sleep } from './processes';
import { deliver, newTally, textMessages, type ChaosMessage } from './traffic';

/**
 * Counting, from the public surfaces only: replies recorded by the fake Graph API (what reached
 * "Meta") and rows of the `messages` table. Replies carry no reference to the message they answer,
 * so answers are counted per end-user against the number of replies the bot gives to one message,
 * measured once on a quiet system (`calibrate`).
 */

export interface Counts {
  /** Messages the scenario sent (distinct message ids). */
  sent: number;
  /** Inbound messages recorded in the database (distinct message ids). */
  recorded: number;
  /** Messages that got their reply at the Graph API. */
  answered: number;
  /** Replies beyond the expected number, summed over end-users. */
  duplicates: number;
  /** Messages without a reply when the scenario ended. */
  lost: number;
  /** Replies Meta accepted whose wamid the database does not hold (the known duplicate window). */
  unrecorded: number;
}

/** Real sends to an end-user; mark-as-read and other calls without a recipient are not replies. */
function repliesTo(sent: readonly SentMessage[], users: ReadonlySet<string>): Map<string, SentMessage[]> {
  const byUser = new Map<string, SentMessage[]>();
  for (const s of sent) {
    const to = s.body.to;
    if (typeof to !== 'string' || !users.has(to)) continue;
    byUser.set(to, [...(byUser.get(to) ?? []), s]);
  }
  return byUser;
}

function expectedPerUser(messages: readonly ChaosMessage[]): Map<string, number> {
  const perUser = new Map<string, number>();
  for (const m of messages) perUser.set(m.waId, (perUser.get(m.waId) ?? 0) + 1);
  return perUser;
}

/**
 * Waits until every message has its replies, then a quiet period in which no further reply may
 * appear (late duplicates would show up here); gives up at `timeoutMs`.
 */
export async function settle(
  h: Harness,
  messages: readonly ChaosMessage[],
  repliesPerMessage: number,
  timeoutMs: number,
  quietMs = 2_000,
): Promise<void> {
  const users = new Set(messages.map((m) => m.waId));
  const count = () => [...repliesTo(h.graph.sent, users).values()].reduce((n, r) => n + r.length, 0);
  const target = messages.length * repliesPerMessage;
  const deadline = Date.now() + timeoutMs;
  while (count() < target && Date.now() < deadline) await sleep(100);
  let last = count();
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < deadline + quietMs) {
    await sleep(100);
    if (count() !== last) [last, quietSince] = [count(), Date.now()];
  }
}

/** The scenario's counts, per end-user against `repliesPerMessage`. */
export async function count(
  h: Harness,
  messages: readonly ChaosMessage[],
  repliesPerMessage: number,
): Promise<Counts> {
  const expected = expectedPerUser(messages);
  const replies = repliesTo(h.graph.sent, new Set(expected.keys()));
  let answered = 0;
  let duplicates = 0;
  for (const [user, n] of expected) {
    const got = replies.get(user)?.length ?? 0;
    answered += Math.floor(Math.min(got, n * repliesPerMessage) / repliesPerMessage);
    duplicates += Math.max(0, got - n * repliesPerMessage);
  }
  const stored = (wamid: string) => wamidHash(h.indexKey, h.client.clientId, wamid);
  const ids = [...new Set(messages.map((m) => m.id))];
  const wamids = [...replies.values()].flat().map((s) => s.wamid);
  const inbound = await countMessagesByWamidHash(h.db, 'in', ids.map(stored));
  const outbound = await countMessagesByWamidHash(h.db, 'out', wamids.map(stored));
  return {
    sent: ids.length,
    recorded: inbound,
    answered,
    duplicates,
    lost: ids.length - answered,
    unrecorded: wamids.length - outbound,
  };
}

/**
 * How many replies the bot sends for one chaos message, measured on the quiet system before any
 * fault: two messages from each of two fresh users. The scenarios expect exactly that many per
 * message; a bot whose count varies from message to message cannot be measured this way, so it
 * throws instead of guessing.
 */
export async function calibrate(h: Harness): Promise<number> {
  const messages = textMessages(h.client.phoneNumberId, 4, 2);
  const tally = newTally();
  for (const m of messages) await deliver(h.apiUrl, h.appSecret, m.raw, tally, Date.now() + 30_000);
  await settle(h, messages, 1, 60_000, 3_000);
  const replies = repliesTo(h.graph.sent, new Set(messages.map((m) => m.waId)));
  const counts = [...replies.values()].map((r) => r.length);
  const perMessage = counts.length === 2 && counts[0] === counts[1] ? (counts[0] ?? 0) / 2 : 0;
  if (!Number.isInteger(perMessage) || perMessage < 1) {
    throw new Error(`calibration: replies per user ${JSON.stringify(counts)} for 2 messages each`);
  }
  return perMessage;
}

/** Workflows Temporal lists as failed, timed out or terminated: a message lost inside the engine. */
export async function brokenWorkflows(h: Harness): Promise<number> {
  const { count: n } = await h.temporal.workflow.count(
    'ExecutionStatus = "Failed" OR ExecutionStatus = "TimedOut" OR ExecutionStatus = "Terminated"',
  );
  return n;
}

/** Every workflow execution the namespace knows, open or closed. */
export async function allWorkflows(h: Harness): Promise<number> {
  return (await h.temporal.workflow.count()).count;
}
