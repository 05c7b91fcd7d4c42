import type { SearchAttributePair } from '@temporalio/common';
import { defineSignal } from '@temporalio/workflow';
import { clientIdAttribute } from '../../temporal/search-attributes';
import type { webhookEndpointWorkflow } from './workflow';

/**
 * The webhook-endpoint workflow's contract: one per configured endpoint, delivering its events in
 * order. Emitters record deliveries in PostgreSQL (the record of what is owed) and then
 * signal-with-start this workflow to wake it; the signal carries nothing. Ids and attributes hold
 * the endpoint and client ids only.
 */

export const WEBHOOK_ENDPOINT_WORKFLOW_TYPE = 'webhookEndpointWorkflow';

/** How long one delivery is retried before its endpoint is disabled (docs/events.md). */
export const DEFAULT_RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

export function webhookEndpointWorkflowId(endpointId: string): string {
  return `webhook-endpoint:${endpointId}`;
}

export interface WebhookEndpointInput {
  clientId: string;
  endpointId: string;
  /** How long one delivery is retried before the endpoint is disabled; tests shorten it. */
  retryWindowMs?: number;
}

/** New deliveries are pending (or the endpoint was enabled again): look at the table. */
export const deliveriesQueuedSignal = defineSignal('deliveriesQueued');

/** Signal-with-start options that wake the endpoint's workflow, starting it when none runs. */
export function webhookEndpointStartOptions(input: WebhookEndpointInput, taskQueue: string) {
  return {
    workflowId: webhookEndpointWorkflowId(input.endpointId),
    taskQueue,
    args: [input] satisfies Parameters<typeof webhookEndpointWorkflow>,
    signal: deliveriesQueuedSignal,
    signalArgs: [] as [],
    typedSearchAttributes: [
      { key: clientIdAttribute, value: input.clientId },
    ] satisfies SearchAttributePair[],
  };
}
