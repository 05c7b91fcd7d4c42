import type { SearchAttributePair } from '@temporalio/common';
import { clientIdAttribute, subjectAttribute } from '../../temporal/search-attributes';
import type { deliveryFailureWorkflow } from './workflow';

/**
 * The delivery-failure workflow's contract. Started by the webhook when Meta reports an outbound
 * message `failed` with a code that needs follow-up work; one per message, so Meta's redeliveries of
 * the same status start nothing new. Everything here is JSON-plain and free of PII: the message is
 * named by the keyed hash of its wamid (a wamid holds the user's phone number).
 */

export const DELIVERY_FAILURE_WORKFLOW_TYPE = 'deliveryFailureWorkflow';

/** Codes that need work after the fact: 131047 → template fallback, 131026 → contact undeliverable. */
export const FOLLOW_UP_ERROR_CODES: readonly number[] = [131047, 131026];

/** The workflow id: one per failed outbound message, by the hash of its wamid. */
export function deliveryFailureWorkflowId(clientId: string, wamidHash: string): string {
  return `delivery-failure:${clientId}:${wamidHash}`;
}

export interface DeliveryFailureInput {
  clientId: string;
  /** `whatsapp/wamid.ts`'s hash of the failed message's wamid. */
  wamidHash: string;
  errorCode: number;
}

/**
 * Start options: the search attributes let erasure find the workflow by client and subject (the
 * subject when the failed send is recorded already; the workflow adds it otherwise).
 */
export function deliveryFailureStartOptions(
  input: DeliveryFailureInput,
  subjectHash: string | undefined,
  taskQueue: string,
) {
  return {
    workflowId: deliveryFailureWorkflowId(input.clientId, input.wamidHash),
    taskQueue,
    args: [input] satisfies Parameters<typeof deliveryFailureWorkflow>,
    typedSearchAttributes: [
      { key: clientIdAttribute, value: input.clientId },
      ...(subjectHash ? [{ key: subjectAttribute, value: subjectHash }] : []),
    ] satisfies SearchAttributePair[],
  };
}
