import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { recordNotificationStatus } from '../db/insights';
import { applyDeliveryStatuses, findOutboundByWamidHash } from '../db/messages';
import { notifyStatusEvents } from '../db/conversations';
import type { Db } from '../db/pool';
import type { WebhookStatus } from '../whatsapp/webhook-schema';
import { isSendCallback, wamidHash } from '../whatsapp/wamid';
import {
  DELIVERY_FAILURE_WORKFLOW_TYPE,
  deliveryFailureStartOptions,
  FOLLOW_UP_ERROR_CODES,
} from '../workflows/delivery-failure/contract';

/**
 * How long a webhook waits for Temporal before answering 503. Meta would wait longer, but a quick 503
 * while Temporal is down frees the connection; the redelivery does the work.
 */
export const TEMPORAL_DEADLINE_MS = 8_000;

/** Statuses applied in one statement (a 20,000-status envelope is 20 statements). */
export const STATUS_BATCH = 1_000;

/**
 * Applies a batch of one client's status notifications durably before the webhook answers: the
 * history rows and the monotonic states in PostgreSQL (one statement, `applyDeliveryStatuses`),
 * the consoles' events and the order-notification insights. Returns the failures that need a
 * follow-up workflow (131047, 131026), for the caller to start under its Temporal bound. Any
 * failure rejects, so the webhook answers 503 and Meta redelivers; every step is idempotent.
 * Messages are found by the hash of their wamid: the wamid itself is never stored.
 */
export async function applyStatuses(
  deps: { db: Db; indexKey: Buffer },
  clientId: string,
  statuses: readonly WebhookStatus[],
): Promise<WebhookStatus[]> {
  const hashOf = (s: WebhookStatus) => wamidHash(deps.indexKey, clientId, s.id);
  const moved = await applyDeliveryStatuses(
    deps.db,
    clientId,
    statuses.map((s) => ({
      wamidHash: hashOf(s),
      status: s.status,
      occurredAt: new Date(Number(s.timestamp) * 1000),
      errorCode: s.errors?.[0]?.code,
      callback:
        s.biz_opaque_callback_data && isSendCallback(s.biz_opaque_callback_data)
          ? s.biz_opaque_callback_data
          : undefined,
    })),
  );
  // Agents' consoles redraw the ticks of an open conversation from these events.
  await notifyStatusEvents(deps.db, clientId, moved);
  await recordNotificationStatus(
    deps.db,
    clientId,
    statuses.map((s) => ({ wamidHash: hashOf(s), status: s.status })),
  );
  return statuses.filter((s) => {
    const code = s.errors?.[0]?.code;
    return s.status === 'failed' && code !== undefined && FOLLOW_UP_ERROR_CODES.includes(code);
  });
}

/**
 * Starts the delivery-failure workflow of one failed send, once per message (redeliveries start
 * nothing). Its id names the message by wamid hash; its search attributes name the client and, when
 * the send is recorded already, the subject, so erasure finds it (the workflow adds the subject
 * itself when the status outran the send's record).
 */
export async function startFollowUp(
  deps: { db: Db; temporal: Client; taskQueue: string; indexKey: Buffer },
  clientId: string,
  status: WebhookStatus,
): Promise<void> {
  const hash = wamidHash(deps.indexKey, clientId, status.id);
  const subjectHash = (await findOutboundByWamidHash(deps.db, clientId, hash))?.subjectHash;
  const input = { clientId, wamidHash: hash, errorCode: status.errors![0]!.code };
  try {
    await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
      deps.temporal.workflow.start(DELIVERY_FAILURE_WORKFLOW_TYPE, {
        ...deliveryFailureStartOptions(input, subjectHash, deps.taskQueue),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      }),
    );
  } catch (err) {
    // Already started (or done) for this message: a redelivered status.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
