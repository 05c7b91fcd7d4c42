/**
 * The delivery-failure workflow's contract. Started by the webhook when Meta reports an outbound
 * message `failed` with a code that needs follow-up work; one per wamid, so Meta's redeliveries of the
 * same status start nothing new. Everything here is JSON-plain and free of PII.
 */

export const DELIVERY_FAILURE_WORKFLOW_TYPE = 'deliveryFailureWorkflow';

/** Codes that need work after the fact: 131047 → template fallback, 131026 → contact undeliverable. */
export const FOLLOW_UP_ERROR_CODES: readonly number[] = [131047, 131026];

/** The workflow id: one per failed outbound message (a wamid is Meta's id, not the user's). */
export function deliveryFailureWorkflowId(clientId: string, wamid: string): string {
  return `delivery-failure:${clientId}:${wamid}`;
}

export interface DeliveryFailureInput {
  clientId: string;
  wamid: string;
  errorCode: number;
}
