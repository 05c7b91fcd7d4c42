import { ApplicationFailure } from '@temporalio/activity';
import { reserveSendSlots } from '../db/pacing';
import type { Queryable } from '../db/pool';

/**
 * Pair limit defaults: Meta allows about one message every 6 s to the same user with bursts up to 45;
 * we stay under that burst so a bot's several bubbles (or an agent's quick replies) never trip 131056.
 */
export interface PacingOptions {
  pairIntervalMs: number;
  pairBurst: number;
}
export const DEFAULT_PACING: PacingOptions = { pairIntervalMs: 6_000, pairBurst: 30 };

/** Waits longer than this are not slept inside the activity but handed to Temporal's retry timer. */
const MAX_INLINE_WAIT_MS = 15_000;

/**
 * Paces sends per business number (the client's `pacing.messagesPerSecond`, Meta's default 80/s)
 * and per recipient (the pair limit), across every worker: the buckets live in PostgreSQL
 * (`send_pacing`, both in one statement). Sleeps until both slots are due; a longer wait becomes a
 * retry with that delay.
 */
export function createPacer(db: Queryable, options: PacingOptions = DEFAULT_PACING) {
  return async function pace(
    phoneNumberId: string,
    subject: { clientId: string; subjectHash: string },
    messagesPerSecond: number,
  ): Promise<void> {
    const wait = await reserveSendSlots(db, [
      { key: `number:${phoneNumberId}`, intervalMs: 1000 / messagesPerSecond, burst: messagesPerSecond },
      {
        key: `pair:${phoneNumberId}:${subject.subjectHash}`,
        intervalMs: options.pairIntervalMs,
        burst: options.pairBurst,
        subject,
      },
    ]);
    if (wait > MAX_INLINE_WAIT_MS) {
      throw ApplicationFailure.create({
        message: 'send paced: the pair or number limit is reached',
        type: 'Paced',
        nextRetryDelay: wait,
      });
    }
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
}
