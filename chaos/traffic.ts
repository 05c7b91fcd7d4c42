import { randomBytes } from 'node:crypto';
import { messagesNotification } from '../whatsapp/envelope';
import { signBody } from '../whatsapp/signature';
import { sleep } from './processes';

/**
 * Meta's side of the webhook: builds signed notifications and delivers them as Meta does — a
 * non-200 answer or a broken connection is retried with back-off (compressed from Meta's hours to
 * seconds) until a deadline. Every HTTP status is tallied so scenarios can count 5xx answers.
 */

/** Text every chaos message carries: a greeting, which any NLU answers without a handoff. */
export const CHAOS_TEXT = 'hello';

export interface ChaosMessage {
  /** Meta's message id. */
  id: string;
  /** The end-user (wa_id); each scenario uses users of its own. */
  waId: string;
  /** The raw notification body, exactly as signed. */
  raw: string;
}

/** `count` messages spread round-robin over `users` fresh end-users, with rising Meta timestamps. */
export function textMessages(phoneNumberId: string, count: number, users: number): ChaosMessage[] {
  const run = 100_000 + Math.floor(Math.random() * 900_000);
  const base = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const waId = `55${run}${String(i % users).padStart(5, '0')}`;
    const id = `wamid.CHAOS${randomBytes(12).toString('hex')}`;
    return { id, waId, raw: JSON.stringify(notification(phoneNumberId, waId, id, base + i)) };
  });
}

/** A WhatsApp Cloud API notification carrying one text message. */
export function notification(
  phoneNumberId: string,
  waId: string,
  id: string,
  timestamp: number,
  text = CHAOS_TEXT,
): Record<string, unknown> {
  return messagesNotification(
    phoneNumberId,
    {
      contacts: [{ profile: { name: 'Chaos User' }, wa_id: waId }],
      messages: [{ from: waId, id, timestamp: String(timestamp), type: 'text', text: { body: text } }],
    },
    { wabaId: 'WABA-CHAOS' },
  );
}

export interface DeliveryTally {
  /** HTTP POSTs made, retries included. */
  posts: number;
  /** Count per HTTP status; `0` is a connection error or timeout. */
  statuses: Record<number, number>;
  /** Deliveries that got a 200 in the end. */
  accepted: number;
  /** Deliveries given up: a 4xx, or no 200 before the deadline. */
  rejected: number;
  /** The slowest answer (or failure) of any POST, in ms. */
  slowestMs: number;
}

export const newTally = (): DeliveryTally => ({
  posts: 0,
  statuses: {},
  accepted: 0,
  rejected: 0,
  slowestMs: 0,
});

/** 5xx answers other than 503 (the only 5xx the webhook may give: "unavailable, retry"). */
export function serverErrors(tally: DeliveryTally): number {
  return Object.entries(tally.statuses)
    .filter(([status]) => Number(status) >= 500 && Number(status) !== 503)
    .reduce((sum, [, n]) => sum + n, 0);
}

/** One signed POST to the webhook; returns the status, or 0 when the connection failed. */
export async function post(
  apiUrl: string,
  raw: string | Buffer,
  headers: Record<string, string>,
  tally: DeliveryTally,
): Promise<number> {
  tally.posts += 1;
  const started = Date.now();
  let status = 0;
  try {
    const res = await fetch(`${apiUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw,
      signal: AbortSignal.timeout(20_000),
    });
    status = res.status;
    await res.arrayBuffer();
  } catch {
    status = 0;
  }
  tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
  tally.slowestMs = Math.max(tally.slowestMs, Date.now() - started);
  return status;
}

/** Delivers one notification as Meta would: signed, retried with back-off on 5xx or no answer. */
export async function deliver(
  apiUrl: string,
  secret: string,
  raw: string,
  tally: DeliveryTally,
  deadline: number,
): Promise<boolean> {
  const headers = { 'x-hub-signature-256': signBody(raw, secret) };
  for (let attempt = 0; ; attempt++) {
    const status = await post(apiUrl, raw, headers, tally);
    if (status === 200) {
      tally.accepted += 1;
      return true;
    }
    const retryable = status === 0 || status >= 500;
    if (!retryable || Date.now() > deadline) {
      tally.rejected += 1;
      return false;
    }
    const backoff = Math.min(250 * 2 ** attempt, 4_000);
    await sleep(backoff / 2 + Math.random() * (backoff / 2));
  }
}

/**
 * Runs `task` over `items` with at most `concurrency` in flight, starting at most `perSecond` per
 * second (a steady burst, so that a fault injected mid-way meets traffic on both sides of it).
 */
export async function paced<T>(
  items: readonly T[],
  opts: { concurrency: number; perSecond: number },
  task: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  const started = Date.now();
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      const due = started + (index * 1000) / opts.perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, items.length) }, lane));
}

/** Fisher–Yates shuffle of a copy, with `random` in [0, 1) (seeded where replay matters). */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
