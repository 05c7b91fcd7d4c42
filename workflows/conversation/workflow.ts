import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { clientIdAttribute, modeAttribute, subjectAttribute } from '../../temporal/search-attributes';
import {
  getConversationQuery,
  inboundMessageSignal,
  type ConversationInput,
  type InboundMessage,
} from './contract';
import { replyFor } from './replies';
import { ConversationState } from './state';

// Sends are quick HTTP calls; 30 s covers a slow Graph response, and retries back off up to a minute
// so a Graph outage is ridden out rather than failing the conversation.
const { recordInbound, sendMessage } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One conversation between a business number and an end-user. Fed by `inboundMessageSignal` via
 * signal-with-start; handles messages one at a time in Meta's timestamp order, each exactly once, and
 * continues as new (carrying unhandled messages and seen ids) when the server suggests it.
 */
export async function conversationWorkflow(input: ConversationInput): Promise<void> {
  const state = new ConversationState(input.carried);
  setHandler(inboundMessageSignal, (message) => void state.accept(message));
  setHandler(getConversationQuery, () => state.view());
  upsertSearchAttributes([
    { key: clientIdAttribute, value: input.clientId },
    { key: subjectAttribute, value: input.subjectHash },
    { key: modeAttribute, value: 'bot' },
  ]);

  for (;;) {
    await condition(() => state.hasPending() || workflowInfo().continueAsNewSuggested);
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof conversationWorkflow>({ ...input, carried: state.carry() });
    }
    const message = state.next();
    if (!message) continue;
    await handleMessage(input, message);
    state.handled += 1;
  }
}

async function handleMessage(input: ConversationInput, message: InboundMessage): Promise<void> {
  const subject = {
    clientId: input.clientId,
    phoneNumberId: input.phoneNumberId,
    subjectHash: input.subjectHash,
  };
  await recordInbound({ ...subject, message });
  await sendMessage({
    ...subject,
    idempotencyKey: `${workflowInfo().workflowId}:reply:${message.messageId}`,
    content: { type: 'text', body: replyFor(message) },
    sentBy: 'bot',
  });
}
