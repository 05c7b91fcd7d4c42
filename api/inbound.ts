import type { Client } from '@temporalio/client';
import { keyedHash } from '../crypto/keys';
import { recordIgnored, type IgnoredReason } from '../db/messages';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import { messageContent } from '../whatsapp/message-types';
import { wamidHash } from '../whatsapp/wamid';
import type { NumberDirectory } from './number-directory';
import {
  CONVERSATION_WORKFLOW_TYPE,
  conversationStartOptions,
  inboundMessageSignal,
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
  type WebhookStatus,
} from '../whatsapp/webhook-schema';
import { isTemplateField } from '../whatsapp/templates';
import { applyStatuses, startFollowUp, STATUS_BATCH, TEMPORAL_DEADLINE_MS } from './delivery-status';
import { applyTemplateEvents, type TemplateEvent } from './template-events';
import { chunks, forEachBounded, type FanOutLimits } from './fan-out';

export interface InboundDeps {
  db: Db;
  /** Owner of each business number; keeps answering from memory while PostgreSQL is down. */
  numbers: NumberDirectory;
  temporal: Client;
  taskQueue: string;
  /** Key of the blind index that hashes end-user ids and WhatsApp message ids. */
  indexKey: Buffer;
  log: Logger;
  /** The process's bounds on the work notifications fan out to (one set per API process). */
  limits: FanOutLimits;
}

export interface IngestOutcome {
  messages: number;
  statuses: number;
  unknownNumbers: number;
  ignored: number;
}

type Start = Exclude<ReturnType<typeof conversationStart>, string>;
type Ignored = Parameters<typeof recordIgnored>[1][number];

/** What a notification asks for, gathered before any of it runs. */
interface Plan {
  outcome: IngestOutcome;
  ignored: Ignored[];
  /** Signals per conversation, in the batch's order. */
  signals: Map<string, Start[]>;
  /** Statuses per client. */
  statuses: Map<string, WebhookStatus[]>;
  /** Template changes (status, quality, components), by account. */
  templates: TemplateEvent[];
}

/** At most this many ignored items are recorded in one statement. */
const IGNORED_BATCH = 1_000;

/**
 * Handles every entry, change, message and status of a verified notification: messages go to their
 * conversation workflow by signal-with-start, statuses are applied in PostgreSQL in batches,
 * anything else is recorded as ignored — all within the process's fan-out limits (`fan-out.ts`),
 * so an envelope of any size within the body limit neither starves other routes nor times itself
 * out. Resolves only when all of it is durable; any failure rejects, so the webhook answers 503
 * and Meta redelivers (workflows deduplicate by message id, statuses are idempotent).
 */
export async function ingestNotification(
  deps: InboundDeps,
  notification: Notification,
): Promise<IngestOutcome> {
  const plan: Plan = {
    outcome: { messages: 0, statuses: 0, unknownNumbers: 0, ignored: 0 },
    ignored: [],
    signals: new Map(),
    statuses: new Map(),
    templates: [],
  };
  const ignore = (reason: IgnoredReason, e: { field: string; wabaId?: string; phoneNumberId?: string }) => {
    plan.outcome.ignored += 1;
    deps.log.info('webhook item ignored', { ...e, reason });
    plan.ignored.push({ ...e, reason });
  };
  for (const entry of notification.entry) {
    for (const change of entry.changes) {
      if (isTemplateField(change.field)) {
        const time = Number((entry as { time?: unknown }).time);
        plan.templates.push({
          wabaId: entry.id,
          field: change.field,
          value: change.value,
          ...(Number.isFinite(time) && time > 0 ? { time } : {}),
        });
        continue;
      }
      if (change.field !== 'messages') {
        ignore('unknown_field', { field: change.field, wabaId: entry.id });
        continue;
      }
      const parsed = messagesValueSchema.safeParse(change.value);
      if (!parsed.success) {
        ignore('invalid_change', { field: change.field, wabaId: entry.id });
        continue;
      }
      const phoneNumberId = parsed.data.metadata.phone_number_id;
      const clientId = await deps.numbers.clientIdFor(phoneNumberId);
      const where = { field: change.field, wabaId: entry.id, phoneNumberId };
      if (!clientId) {
        plan.outcome.unknownNumbers += 1;
        ignore('unknown_number', where);
        continue;
      }
      planValue(deps, plan, clientId, parsed.data, (reason) => ignore(reason, where));
    }
  }
  // Template changes are rare and few: applied first, so those naming no account are recorded below.
  if (plan.templates.length)
    for (const e of await applyTemplateEvents(deps, plan.templates))
      ignore('unknown_waba', { field: e.field, wabaId: e.wabaId });
  await runPlan(deps, plan);
  return plan.outcome;
}

/** Runs the plan's durable steps under the fan-out limits; resolves when every one has. */
async function runPlan(deps: InboundDeps, plan: Plan): Promise<void> {
  const { limits } = deps;
  const statusBatches = [...plan.statuses].flatMap(([clientId, statuses]) =>
    chunks(statuses, STATUS_BATCH).map((batch) => ({ clientId, batch })),
  );
  const followUps: { clientId: string; status: WebhookStatus }[] = [];
  await Promise.all([
    // Signals to one conversation go one after another, in the batch's order: Meta's timestamps are
    // whole seconds, and the workflow breaks ties by arrival. Different conversations go in parallel.
    forEachBounded([...plan.signals.values()], limits.perRequest, limits.temporal, (starts) =>
      deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, async () => {
        for (const start of starts)
          await deps.temporal.workflow.signalWithStart(CONVERSATION_WORKFLOW_TYPE, start);
      }),
    ),
    forEachBounded(statusBatches, 1, limits.db, async ({ clientId, batch }) => {
      for (const status of await applyStatuses(deps, clientId, batch)) followUps.push({ clientId, status });
    }),
    forEachBounded(chunks(plan.ignored, IGNORED_BATCH), 1, limits.db, (items) =>
      recordIgnored(deps.db, items),
    ),
  ]);
  await forEachBounded(followUps, limits.perRequest, limits.temporal, (f) =>
    startFollowUp(deps, f.clientId, f.status),
  );
}

function planValue(
  deps: InboundDeps,
  plan: Plan,
  clientId: string,
  value: MessagesValue,
  ignore: (reason: IgnoredReason) => void,
): void {
  for (const raw of value.messages ?? []) {
    const start = conversationStart(deps, clientId, value, raw);
    if (typeof start === 'string') {
      ignore(start);
      continue;
    }
    plan.outcome.messages += 1;
    const queued = plan.signals.get(start.workflowId);
    if (queued) queued.push(start);
    else plan.signals.set(start.workflowId, [start]);
  }
  for (const raw of value.statuses ?? []) {
    const status = statusSchema.safeParse(raw);
    if (!status.success) {
      ignore('invalid_status');
      continue;
    }
    plan.outcome.statuses += 1;
    const batch = plan.statuses.get(clientId);
    if (batch) batch.push(status.data);
    else plan.statuses.set(clientId, [status.data]);
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
    messageId: wamidHash(deps.indexKey, clientId, message.id),
    wamid: message.id,
    timestamp: new Date(Number(message.timestamp) * 1000).toISOString(),
    type: message.type,
    ...messageContent(message),
    sender: { recipient, name: profileName(message, value.contacts) },
  };
  return {
    ...conversationStartOptions({ clientId, phoneNumberId, subjectHash }, deps.taskQueue),
    signal: inboundMessageSignal,
    signalArgs: [signal] satisfies [InboundMessage],
  };
}
