import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { subjectAttribute } from '../../temporal/search-attributes';
import type { Activities } from '../../activities';
import { SEND_ACTIVITY_OPTIONS } from '../activity-options';
import type { DeliveryFailureInput } from './contract';

// Resolving looks the message up; it may not be recorded yet when Meta's status outruns the send, so
// retries wait for it, but only for a few minutes: a wamid we never recorded is not ours.
const { resolveDeliveryFailure } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
  },
});

// The fallback send rides out a Graph outage like any other send.
const { sendMessage } = proxyActivities<Activities>(SEND_ACTIVITY_OPTIONS);

/**
 * Follows up an outbound message Meta reported `failed`: 131026 marks the contact undeliverable,
 * 131047 (window closed) sends the client's `window_reopen` template instead, once, through the one
 * send path (so opt-out and every other rule still apply). Once the message is found, the workflow
 * carries its subject as `AuraSubject` (erasure lists executions by it) if its start could not.
 */
export async function deliveryFailureWorkflow(input: DeliveryFailureInput): Promise<void> {
  const plan = await resolveDeliveryFailure(input);
  const known = workflowInfo().typedSearchAttributes.get(subjectAttribute);
  if (plan.subjectHash && !known)
    upsertSearchAttributes([{ key: subjectAttribute, value: plan.subjectHash }]);
  if (plan.kind !== 'template_fallback') return;
  await sendMessage({ ...plan.send, idempotencyKey: `${workflowInfo().workflowId}:template` });
}
