import type { Client } from '@temporalio/client';
import { keyedHash } from '../crypto/keys';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import type { NumberDirectory } from './number-directory';
import {
  CONVERSATION_WORKFLOW_TYPE,
  conversationWorkflowId,
  inboundMessageSignal,
  type ConversationInput,
  type InboundMessage,
} from '../workflows/conversation/contract';
import {
  endUserKey,
  messagesValueSchema,
  messageText,
  profileName,
  type MessagesValue,
  type Notification,
} from '../whatsapp/webhook-schema';

export interface InboundDeps {
  db: Db;
  /** Owner of each business number; keeps answering from memory while PostgreSQL is down. */
  numbers: NumberDirectory;
  temporal: Client;
  taskQueue: string;
  /** Key of the blind index that hashes end-user ids. */
  indexKey: Buffer;
  log: Logger;
}

export interface IngestOutcome {
  messages: number;
  unknownNumbers: number;
  ignored: number;
}

/**
 * Hands every message of a verified notification to its conversation workflow by signal-with-start.
 * Resolves only when Temporal has accepted every signal; any Temporal failure rejects, so the webhook
 * answers non-200 and Meta redelivers (the workflow deduplicates by message id).
 */
export async function ingestNotification(
  deps: InboundDeps,
  notification: Notification,
): Promise<IngestOutcome> {
  const outcome: IngestOutcome = { messages: 0, unknownNumbers: 0, ignored: 0 };
  const signals: Promise<unknown>[] = [];
  for (const entry of notification.entry) {
    for (const change of entry.changes) {
      const parsed = change.field === 'messages' ? messagesValueSchema.safeParse(change.value) : undefined;
      if (!parsed?.success) {
        outcome.ignored += 1;
        deps.log.info('webhook change ignored', {
          field: change.field,
          reason: parsed ? 'invalid' : 'field',
        });
        continue;
      }
      const clientId = await deps.numbers.clientIdFor(parsed.data.metadata.phone_number_id);
      if (!clientId) {
        outcome.unknownNumbers += 1;
        deps.log.warn('webhook for unknown phone number', {
          phoneNumberId: parsed.data.metadata.phone_number_id,
        });
        continue;
      }
      for (const start of conversationStarts(deps, clientId, parsed.data)) {
        outcome.messages += 1;
        signals.push(deps.temporal.workflow.signalWithStart(CONVERSATION_WORKFLOW_TYPE, start));
      }
    }
  }
  await Promise.all(signals);
  return outcome;
}

function conversationStarts(deps: InboundDeps, clientId: string, value: MessagesValue) {
  const phoneNumberId = value.metadata.phone_number_id;
  return (value.messages ?? []).flatMap((message) => {
    const userKey = endUserKey(message, value.contacts);
    if (!userKey) return [];
    const subjectHash = keyedHash(deps.indexKey, clientId, userKey);
    const workflowInput: ConversationInput = { clientId, phoneNumberId, subjectHash };
    const signal: InboundMessage = {
      messageId: message.id,
      timestamp: new Date(Number(message.timestamp) * 1000).toISOString(),
      type: message.type,
      text: messageText(message),
      sender: { recipient: message.from ?? userKey, name: profileName(message, value.contacts) },
    };
    return [
      {
        workflowId: conversationWorkflowId(clientId, phoneNumberId, subjectHash),
        taskQueue: deps.taskQueue,
        args: [workflowInput] as [ConversationInput],
        signal: inboundMessageSignal,
        signalArgs: [signal] as [InboundMessage],
      },
    ];
  });
}
