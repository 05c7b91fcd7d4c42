import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { QUICK_ACTIVITY_OPTIONS } from '../activity-options';
import { DEFAULT_RETRY_WINDOW_MS, deliveriesQueuedSignal, type WebhookEndpointInput } from './contract';

// Reading the queue and disabling are quick database calls: ride out an outage.
const { pendingWebhookDeliveries, giveUpWebhookEndpoint } =
  proxyActivities<Activities>(QUICK_ACTIVITY_OPTIONS);

/** A quiet endpoint's workflow waits this long for more, then completes (the next event starts it again). */
const IDLE = '10 minutes';
const BATCH = 100;
/** Deliveries per run before continuing as new (each costs a handful of history events). */
const PER_RUN = 500;

/**
 * Delivers an endpoint's pending events one at a time, oldest first, so a receiver sees each
 * subject's events in the order they happened. A failing delivery blocks the ones behind it and is
 * retried by Temporal with exponential back-off (1 s doubling to 1 h) for the retry window (24 h):
 * a worker crash or restart mid-retry loses nothing, since the server holds the retry and the table
 * holds what is owed. A delivery still failing at the end of the window disables the endpoint (an
 * alert); what was behind it stays pending until the client enables the endpoint again.
 */
export async function webhookEndpointWorkflow(input: WebhookEndpointInput): Promise<void> {
  let queued = false;
  setHandler(deliveriesQueuedSignal, () => void (queued = true));
  const { deliverWebhook } = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: input.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 hour' },
  });
  let delivered = 0;
  while (delivered < PER_RUN && !workflowInfo().continueAsNewSuggested) {
    queued = false;
    const ids = await pendingWebhookDeliveries({ endpointId: input.endpointId, limit: BATCH });
    if (ids.length === 0) {
      if (await condition(() => queued, IDLE)) continue;
      return;
    }
    for (const deliveryId of ids) {
      const outcome = await deliverWebhook({ deliveryId }).catch((err: unknown) => {
        if (!(err instanceof ActivityFailure)) throw err;
        return failureType(err);
      });
      if (outcome === 'endpoint_off') return;
      if (outcome !== 'delivered' && outcome !== 'skipped') {
        await giveUpWebhookEndpoint({ endpointId: input.endpointId, deliveryId, reason: outcome });
        return;
      }
      delivered += 1;
    }
  }
  return continueAsNew<typeof webhookEndpointWorkflow>(input);
}

/** Why a delivery failed for good: the last failure's type, or `retry_window_passed`. */
function failureType(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.nonRetryable) return cause.type ?? 'failed';
  return 'retry_window_passed';
}
