import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { recordNotificationStatus } from '../db/insights';
import { applyDeliveryStatus } from '../db/messages';
import { notifyStatusEvent } from '../db/conversations';
import type { Db } from '../db/pool';
import type { WebhookStatus } from '../whatsapp/webhook-schema';
import {
  DELIVERY_FAILURE_WORKFLOW_TYPE,
  deliveryFailureWorkflowId,
  FOLLOW_UP_ERROR_CODES,
  type DeliveryFailureInput,
} from '../workflows/delivery-failure/contract';

/**
 * How long a webhook waits for Temporal before answering 503. Meta would wait longer, but a quick 503
 * while Temporal is down frees the connection; the redelivery does the work.
 */
export const TEMPORAL_DEADLINE_MS = 8_000;

/**
 * Applies one status notification durably before the webhook answers: the history row and the
 * monotonic state in PostgreSQL, and for a failure that needs follow-up (131047, 131026) the start of
 * its workflow. Any failure rejects, so the webhook answers 503 and Meta redelivers; every step is
 * idempotent, so a redelivery does no harm.
 */
export async function applyStatus(
  deps: { db: Db; temporal: Client; taskQueue: string },
  clientId: string,
  status: WebhookStatus,
): Promise<void> {
  const errorCode = status.errors?.[0]?.code;
  const moved = await applyDeliveryStatus(deps.db, {
    clientId,
    wamid: status.id,
    status: status.status,
    occurredAt: new Date(Number(status.timestamp) * 1000),
    errorCode,
  });
  // Agents' consoles redraw the ticks of an open conversation from this event.
  if (moved) await notifyStatusEvent(deps.db, clientId, status.id);
  await recordNotificationStatus(deps.db, clientId, status.id, status.status);
  if (status.status !== 'failed' || errorCode === undefined || !FOLLOW_UP_ERROR_CODES.includes(errorCode))
    return;
  try {
    await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
      deps.temporal.workflow.start(DELIVERY_FAILURE_WORKFLOW_TYPE, {
        workflowId: deliveryFailureWorkflowId(clientId, status.id),
        taskQueue: deps.taskQueue,
        args: [{ clientId, wamid: status.id, errorCode } satisfies DeliveryFailureInput],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      }),
    );
  } catch (err) {
    // Already started (or done) for this wamid: a redelivered status.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
