import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

/**
 * The bare-Temporal baseline the benchmark compares Aura against: one workflow per user fed by
 * signal-with-start, one activity per message that posts the same reply to the fake Graph API.
 * No NLU, no database, no encryption, no deduplication.
 */
export interface BaselineMessage {
  phoneNumberId: string;
  to: string;
  messageId: string;
}

export const baselineMessageSignal = defineSignal<[BaselineMessage]>('baselineMessage');

const { postReply } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

export async function baselineConversation(): Promise<void> {
  const queue: BaselineMessage[] = [];
  setHandler(baselineMessageSignal, (m) => void queue.push(m));
  for (;;) {
    await condition(() => queue.length > 0);
    await postReply(queue.shift()!);
  }
}
