import type { Client } from '@temporalio/client';
import { keyedHash } from '../crypto/keys';
import { recordIgnored, type IgnoredReason } from '../db/messages';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import { messageContent } from '../whatsapp/message-types';
import type { NumberDirectory } from './number-directory';
import {
  CONVERSATION_WORKFLOW_TYPE,
  conversationMemo,
  conversationWorkflowId,
  inboundMessageSignal,
  type ConversationInput,
  type InboundMessage,
} from '../workflows/conversation/contract';
import {
  endUserKey,
  messageSchema,
  messagesValueSchema,
  profileName,
  replyAddress,
  statusSchema,
  type MessagesValue,
  type Notification,
} from '../whatsapp/webhook-schema';
import { applyStatus, TEMPORAL_DEADLINE_MS } from './delivery-status';

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
  statuses: number;
  unknownNumbers: number;
  ignored: number;
}

interface Batch {
  outcome: IngestOutcome;
  /** Every durable step of the notification; the webhook answers 200 only once all resolved. */
  work: Promise<unknown>[];
}

/**
 * Handles every entry, change, message and status of a verified notification: messages go to their
 * conversation workflow by signal-with-start, statuses are applied in PostgreSQL, anything else is
 * recorded as ignored. Resolves only when all of it is durable; any failure rejects, so the webhook
 * answers 503 and Meta redelivers (workflows deduplicate by message id, statuses are idempotent).
 */
export async function ingestNotification(
  deps: InboundDeps,
  notification: Notification,
): Promise<IngestOutcome> {
  const batch: Batch = { outcome: { messages: 0, statuses: 0, unknownNumbers: 0, ignored: 0 }, work: [] };
  const ignore = (reason: IgnoredReason, e: { field: string; wabaId?: string; phoneNumberId?: string }) => {
    batch.outcome.ignored += 1;
    deps.log.info('webhook item ignored', { ...e, reason });
    batch.work.push(recordIgnored(deps.db, { ...e, reason }));
  };
  const changes = notification.entry.flatMap((entry) => entry.changes.map((change) => ({ entry, change })));
  await Promise.all(
    changes.map(async ({ entry, change }) => {
      if (change.field !== 'messages')
        return ignore('unknown_field', { field: change.field, wabaId: entry.id });
      const parsed = messagesValueSchema.safeParse(change.value);
      if (!parsed.success) return ignore('invalid_change', { field: change.field, wabaId: entry.id });
      const phoneNumberId = parsed.data.metadata.phone_number_id;
      const clientId = await deps.numbers.clientIdFor(phoneNumberId);
      if (!clientId) {
        batch.outcome.unknownNumbers += 1;
        return ignore('unknown_number', { field: change.field, wabaId: entry.id, phoneNumberId });
      }
      handleValue(deps, batch, clientId, parsed.data, (reason) =>
        ignore(reason, { field: change.field, wabaId: entry.id, phoneNumberId }),
      );
    }),
  );
  await Promise.all(batch.work);
  return batch.outcome;
}

function handleValue(
  deps: InboundDeps,
  batch: Batch,
  clientId: string,
  value: MessagesValue,
  ignore: (reason: IgnoredReason) => void,
): void {
  // Signals to one conversation go one after another, in the batch's order: Meta's timestamps are
  // whole seconds, and the workflow breaks ties by arrival. Different conversations go in parallel.
  const byWorkflow = new Map<string, Exclude<ReturnType<typeof conversationStart>, string>[]>();
  for (const raw of value.messages ?? []) {
    const start = conversationStart(deps, clientId, value, raw);
    if (typeof start === 'string') {
      ignore(start);
      continue;
    }
    batch.outcome.messages += 1;
    byWorkflow.set(start.workflowId, [...(byWorkflow.get(start.workflowId) ?? []), start]);
  }
  for (const starts of byWorkflow.values()) {
    batch.work.push(
      deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, async () => {
        for (const start of starts)
          await deps.temporal.workflow.signalWithStart(CONVERSATION_WORKFLOW_TYPE, start);
      }),
    );
  }
  for (const raw of value.statuses ?? []) {
    const status = statusSchema.safeParse(raw);
    if (!status.success) {
      ignore('invalid_status');
      continue;
    }
    batch.outcome.statuses += 1;
    batch.work.push(applyStatus(deps, clientId, status.data));
  }
}

function conversationStart(deps: InboundDeps, clientId: string, value: MessagesValue, raw: unknown) {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) return 'invalid_message' as const;
  const message = parsed.data;
  const userKey = endUserKey(message, value.contacts);
  const recipient = replyAddress(message, value.contacts);
  if (!userKey || !recipient) return 'no_user' as const;
  const phoneNumberId = value.metadata.phone_number_id;
  const subjectHash = keyedHash(deps.indexKey, clientId, userKey);
  const signal: InboundMessage = {
    messageId: message.id,
    timestamp: new Date(Number(message.timestamp) * 1000).toISOString(),
    type: message.type,
    ...messageContent(message),
    sender: { recipient, name: profileName(message, value.contacts) },
  };
  return {
    workflowId: conversationWorkflowId(clientId, phoneNumberId, subjectHash),
    taskQueue: deps.taskQueue,
    args: [{ clientId, phoneNumberId, subjectHash }] as [ConversationInput],
    memo: conversationMemo({ clientId, phoneNumberId }),
    signal: inboundMessageSignal,
    signalArgs: [signal] as [InboundMessage],
  };
}
