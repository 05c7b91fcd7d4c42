import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { SecretBox } from '../crypto/secret-box';
import type { EventData, EventType, WebhookEvent } from '../events/catalogue';
import { isPublicAddress, publicOnlyLookup } from '../events/public-address';
import { SIGNATURE_HEADER, signPayload } from '../events/signature';
import type { Db, Queryable } from '../db/pool';
import {
  deliveryToSend,
  disableFailingEndpoint,
  failDelivery,
  pendingDeliveryIds,
  recordAttempt,
  recordEvent,
  webhookSecretAad,
} from '../db/webhooks';
import type { Logger } from '../logging';
import type { Metrics } from '../metrics';
import {
  WEBHOOK_ENDPOINT_WORKFLOW_TYPE,
  webhookEndpointStartOptions,
} from '../workflows/webhook-endpoint/contract';

export interface EventDeps {
  db: Db;
  temporal: Client;
  secrets: SecretBox;
  log: Logger;
  metrics: Metrics;
  /**
   * Outbound events: how long a delivery is retried before its endpoint is disabled (default 24 h),
   * and whether endpoints on this machine are allowed (`config.webhooks.allowLoopbackHttp`).
   */
  webhooks?: { retryWindowMs?: number; allowLoopbackHttp?: boolean };
}

/** How long a receiver has to answer one delivery. */
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Connections to clients' endpoints go only to public addresses, checked when the socket connects
 * (`publicOnlyLookup`): a client's URL must not reach the deployment's own network (SSRF).
 */
const endpointAgents = new Map<boolean, Agent>();
const endpointAgent = (allowLoopback: boolean) => {
  let agent = endpointAgents.get(allowLoopback);
  if (!agent) {
    agent = new Agent({ connect: { lookup: publicOnlyLookup(allowLoopback) } });
    endpointAgents.set(allowLoopback, agent);
  }
  return agent;
};

/** An event id from what makes the event unique: the same parts give the same id on every retry. */
export function eventId(...parts: string[]): string {
  return `evt_${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32)}`;
}

/**
 * The event id of an event the running activity emits: its workflow run and activity id, which
 * stay the same across the activity's retries and differ for every other call.
 */
export function activityEventId(type: EventType): string {
  const { workflowExecution: run, activityId } = Context.current().info;
  return eventId(run?.workflowId ?? '', run?.runId ?? '', activityId, type);
}

export function buildEvent<T extends EventType>(
  clientId: string,
  type: T,
  id: string,
  data: EventData<T>,
): WebhookEvent<T> {
  return { id, type, createdAt: new Date().toISOString(), clientId, data };
}

/** `order.status_changed` for the order's current status: one per order and status. */
export function orderStatusEvent(
  clientId: string,
  view: { orderId: string; subjectHash: string; status: EventData<'order.status_changed'>['status'] },
) {
  const data = { orderId: view.orderId, subject: view.subjectHash, status: view.status };
  const id = eventId('order.status_changed', clientId, view.orderId, view.status);
  return buildEvent(clientId, 'order.status_changed', id, data);
}

/** `order.notification_failed` for a notification (named by its send's idempotency key) that failed for good. */
export function notificationFailedEvent(
  input: {
    clientId: string;
    idempotencyKey: string;
    event: string;
    view: { orderId: string; subjectHash: string };
  },
  reason: string,
) {
  const { orderId, subjectHash } = input.view;
  const data = { orderId, subject: subjectHash, notification: input.event, reason };
  const id = eventId('order.notification_failed', input.idempotencyKey);
  return buildEvent(input.clientId, 'order.notification_failed', id, data);
}

/**
 * Emits outbound events: `record` writes the deliveries (in the caller's transaction when it has
 * one) and `wake` signals-with-start each endpoint's workflow once they are committed. A client with
 * no endpoint subscribed pays one indexed query per event. Both are idempotent, so an activity that
 * fails between them records nothing twice and wakes the endpoints again on its retry.
 */
export function createEventEmitter(deps: Pick<EventDeps, 'temporal' | 'webhooks'>) {
  const wake = async (clientId: string, endpointIds: readonly string[]) => {
    if (endpointIds.length === 0) return;
    const { taskQueue } = Context.current().info;
    for (const endpointId of endpointIds) {
      const input = { clientId, endpointId, retryWindowMs: deps.webhooks?.retryWindowMs };
      await deps.temporal.workflow.signalWithStart(
        WEBHOOK_ENDPOINT_WORKFLOW_TYPE,
        webhookEndpointStartOptions(input, taskQueue),
      );
    }
  };
  return {
    record: (db: Queryable, event: WebhookEvent, subjectHash?: string) => recordEvent(db, event, subjectHash),
    wake,
    async emit(db: Queryable, event: WebhookEvent, subjectHash?: string): Promise<void> {
      await wake(event.clientId, await recordEvent(db, event, subjectHash));
    },
  };
}

export type EventEmitter = ReturnType<typeof createEventEmitter>;

type Outcome = 'delivered' | 'skipped' | 'endpoint_off';

export function createEventActivities({ db, secrets, log, metrics, webhooks }: EventDeps) {
  return {
    /** The endpoint's pending deliveries, oldest first (ids only: payloads stay out of histories). */
    async pendingWebhookDeliveries(input: { endpointId: string; limit: number }): Promise<string[]> {
      return pendingDeliveryIds(db, input.endpointId, input.limit);
    },

    /**
     * POSTs one delivery, signed (`X-Aura-Signature`), and records the attempt. `skipped` when it is
     * no longer pending (delivered, erased, its endpoint deleted), `endpoint_off` when its endpoint is
     * disabled. Throws a retryable `WebhookNotAccepted` for anything but a 2xx within 10 s: the
     * workflow's retry policy backs off and gives up at the end of the retry window.
     */
    async deliverWebhook(input: { deliveryId: string }): Promise<Outcome> {
      const d = await deliveryToSend(db, input.deliveryId);
      if (!d || d.status !== 'pending') return 'skipped';
      if (d.endpointStatus !== 'enabled') return 'endpoint_off';
      const secret = secrets.open(d.secretEnc, webhookSecretAad(d.endpointId));
      const body = JSON.stringify(d.payload);
      const result = await post(
        d.url,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'AuraEngage-Webhooks/1',
          [SIGNATURE_HEADER]: signPayload(secret, body, Math.floor(Date.now() / 1000)),
          'x-aura-event-id': d.eventId,
          'x-aura-event-type': d.eventType,
          'x-aura-delivery-id': d.id,
        },
        webhooks?.allowLoopbackHttp ?? false,
      );
      await recordAttempt(db, d.id, { ...result, delivered: result.error === null });
      metrics.webhookAttempts.inc({
        outcome: result.error === null ? 'delivered' : result.httpStatus ? 'rejected' : 'unreachable',
      });
      if (result.error !== null)
        throw ApplicationFailure.retryable(`endpoint did not accept: ${result.error}`, 'WebhookNotAccepted');
      return 'delivered';
    },

    /**
     * Disables an endpoint whose delivery failed for the whole retry window, marks that delivery
     * failed (it can be redelivered) and raises the alert: an error log line and
     * `aura_webhook_endpoints_disabled_total`. Idempotent.
     */
    async giveUpWebhookEndpoint(input: {
      endpointId: string;
      deliveryId: string;
      reason: string;
    }): Promise<void> {
      await failDelivery(db, input.deliveryId);
      if (!(await disableFailingEndpoint(db, input.endpointId, input.reason))) return;
      metrics.webhookEndpointsDisabled.inc();
      log.error('webhook endpoint disabled after persistent failure', {
        endpointId: input.endpointId,
        deliveryId: input.deliveryId,
        reason: input.reason,
      });
    },
  };
}

/** One POST without following redirects; the status, or why there was none. */
async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  allowLoopback: boolean,
): Promise<{ httpStatus: number | null; error: string | null }> {
  // An IP literal connects without a lookup: it is checked here instead.
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isPublicAddress(host, allowLoopback)) return { httpStatus: null, error: 'not_public' };
  try {
    const res = await request(url, {
      method: 'POST',
      headers,
      body,
      dispatcher: endpointAgent(allowLoopback),
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await res.body.dump();
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return { httpStatus: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}` };
  } catch (err) {
    const { name, code } = err as { name?: string; code?: string };
    if (code === 'ENOTPUBLIC') return { httpStatus: null, error: 'not_public' };
    return { httpStatus: null, error: name === 'TimeoutError' ? 'timeout' : 'unreachable' };
  }
}
