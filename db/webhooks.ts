import type { EventType, WebhookEvent } from '../events/catalogue';
import type { Queryable } from './pool';

/** Associated data binding a sealed signing secret to its endpoint's row. */
export const webhookSecretAad = (endpointId: string) => `webhook_endpoints.secret:${endpointId}`;

export interface EndpointRow {
  id: string;
  clientId: string;
  url: string;
  events: EventType[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface RawEndpoint {
  id: string;
  client_id: string;
  url: string;
  events: EventType[];
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const ENDPOINT_COLUMNS = 'id, client_id, url, events, status, disabled_reason, created_at, updated_at';

const endpointFrom = (r: RawEndpoint): EndpointRow => ({
  id: r.id,
  clientId: r.client_id,
  url: r.url,
  events: r.events,
  status: r.status,
  disabledReason: r.disabled_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function insertEndpoint(
  db: Queryable,
  e: { id: string; clientId: string; url: string; events: readonly EventType[]; secretEnc: string },
): Promise<EndpointRow> {
  const { rows } = await db.query<RawEndpoint>(
    `INSERT INTO webhook_endpoints(id, client_id, url, events, secret_enc) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${ENDPOINT_COLUMNS}`,
    [e.id, e.clientId, e.url, e.events, e.secretEnc],
  );
  return endpointFrom(rows[0]!);
}

export async function listEndpoints(db: Queryable, clientId: string): Promise<EndpointRow[]> {
  const { rows } = await db.query<RawEndpoint>(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE client_id = $1 ORDER BY created_at, id`,
    [clientId],
  );
  return rows.map(endpointFrom);
}

/** The client's endpoint `id` (undefined for another client's). */
export async function findEndpoint(
  db: Queryable,
  clientId: string,
  id: string,
): Promise<EndpointRow | undefined> {
  const { rows } = await db.query<RawEndpoint>(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE client_id = $1 AND id = $2`,
    [clientId, id],
  );
  return rows[0] && endpointFrom(rows[0]);
}

/** Changes what is given; `status: 'enabled'` clears the reason it was disabled. Undefined when not the client's. */
export async function updateEndpoint(
  db: Queryable,
  clientId: string,
  id: string,
  change: {
    url?: string;
    events?: readonly EventType[];
    status?: 'enabled' | 'disabled';
    secretEnc?: string;
  },
): Promise<EndpointRow | undefined> {
  const { rows } = await db.query<RawEndpoint>(
    `UPDATE webhook_endpoints SET url = COALESCE($3, url), events = COALESCE($4, events),
       status = COALESCE($5, status), secret_enc = COALESCE($6, secret_enc),
       disabled_reason = CASE WHEN $5 IS NULL THEN disabled_reason WHEN $5 = 'disabled' THEN 'by_client' END,
       updated_at = now()
     WHERE client_id = $1 AND id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
    [
      clientId,
      id,
      change.url ?? null,
      change.events ?? null,
      change.status ?? null,
      change.secretEnc ?? null,
    ],
  );
  return rows[0] && endpointFrom(rows[0]);
}

export async function deleteEndpoint(db: Queryable, clientId: string, id: string): Promise<boolean> {
  const res = await db.query('DELETE FROM webhook_endpoints WHERE client_id = $1 AND id = $2', [
    clientId,
    id,
  ]);
  return (res.rowCount ?? 0) > 0;
}

/** Disables an endpoint that kept failing; false when it was disabled (or deleted) already. */
export async function disableFailingEndpoint(db: Queryable, id: string, reason: string): Promise<boolean> {
  const res = await db.query(
    `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2, updated_at = now()
     WHERE id = $1 AND status = 'enabled'`,
    [id, reason],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Records `event` for every enabled endpoint of its client subscribed to its type (once per
 * endpoint and event id: a retried emission adds nothing) and returns those endpoints' ids, so the
 * caller wakes each one's delivery workflow. One indexed query when nobody subscribes.
 */
export async function recordEvent(
  db: Queryable,
  event: WebhookEvent,
  subjectHash?: string,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `WITH subscribed AS (
       SELECT id FROM webhook_endpoints WHERE client_id = $1 AND status = 'enabled' AND $2 = ANY(events)
     ), added AS (
       INSERT INTO webhook_deliveries(endpoint_id, client_id, subject_hash, event_id, event_type, payload)
       SELECT id, $1, $3, $4, $2, $5 FROM subscribed
       ON CONFLICT (endpoint_id, event_id) WHERE redelivery_of IS NULL DO NOTHING
     )
     SELECT id FROM subscribed`,
    [event.clientId, event.type, subjectHash ?? null, event.id, JSON.stringify(event)],
  );
  return rows.map((r) => r.id);
}

export interface DeliveryRow {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: EventType;
  payload: WebhookEvent;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  redeliveryOf: string | null;
  createdAt: Date;
}

interface RawDelivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: EventType;
  payload: WebhookEvent;
  status: DeliveryRow['status'];
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  redelivery_of: string | null;
  created_at: Date;
}

const DELIVERY_COLUMNS = `id::text, endpoint_id, event_id, event_type, payload, status, attempts, last_status,
  last_error, last_attempt_at, delivered_at, redelivery_of::text, created_at`;

const deliveryFrom = (r: RawDelivery): DeliveryRow => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  lastAttemptAt: r.last_attempt_at,
  deliveredAt: r.delivered_at,
  redeliveryOf: r.redelivery_of,
  createdAt: r.created_at,
});

/** The endpoint's deliveries, newest first, before the `before` id when given. */
export async function listDeliveries(
  db: Queryable,
  endpointId: string,
  opts: { limit: number; before?: string },
): Promise<DeliveryRow[]> {
  const { rows } = await db.query<RawDelivery>(
    // Ordered by the column, not the text the select makes of it ("10" < "9").
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d
     WHERE endpoint_id = $1 AND ($2::bigint IS NULL OR d.id < $2::bigint) ORDER BY d.id DESC LIMIT $3`,
    [endpointId, opts.before ?? null, opts.limit],
  );
  return rows.map(deliveryFrom);
}

/** The ids of the endpoint's pending deliveries, oldest first: the order they are delivered in. */
export async function pendingDeliveryIds(
  db: Queryable,
  endpointId: string,
  limit: number,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT d.id::text AS id FROM webhook_deliveries d
     WHERE endpoint_id = $1 AND status = 'pending' ORDER BY d.id LIMIT $2`,
    [endpointId, limit],
  );
  return rows.map((r) => r.id);
}

/** A delivery with its endpoint's URL, state and sealed secret (undefined when either is gone). */
export async function deliveryToSend(
  db: Queryable,
  id: string,
): Promise<
  (DeliveryRow & { url: string; secretEnc: string; endpointStatus: EndpointRow['status'] }) | undefined
> {
  const { rows } = await db.query<
    RawDelivery & { url: string; secret_enc: string; endpoint_status: EndpointRow['status'] }
  >(
    `SELECT d.*, e.url, e.secret_enc, e.status AS endpoint_status
     FROM (SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1::bigint) d
     JOIN webhook_endpoints e ON e.id = d.endpoint_id`,
    [id],
  );
  const r = rows[0];
  return r && { ...deliveryFrom(r), url: r.url, secretEnc: r.secret_enc, endpointStatus: r.endpoint_status };
}

/** Counts one attempt and its outcome; a 2xx marks the delivery delivered. */
export async function recordAttempt(
  db: Queryable,
  id: string,
  outcome: { httpStatus: number | null; error: string | null; delivered: boolean },
): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3,
       last_attempt_at = now(),
       status = CASE WHEN $4 THEN 'delivered' ELSE status END,
       delivered_at = CASE WHEN $4 THEN now() ELSE delivered_at END
     WHERE id = $1 AND status = 'pending'`,
    [id, outcome.httpStatus, outcome.error, outcome.delivered],
  );
}

/** Gives a delivery up (its endpoint kept failing): it stays listed, and can be redelivered. */
export async function failDelivery(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE webhook_deliveries SET status = 'failed' WHERE id = $1 AND status = 'pending'`, [
    id,
  ]);
}

/** A new pending delivery repeating `id` of the client's endpoint (same event id and payload). */
export async function insertRedelivery(
  db: Queryable,
  clientId: string,
  endpointId: string,
  id: string,
): Promise<DeliveryRow | undefined> {
  const { rows } = await db.query<RawDelivery>(
    `INSERT INTO webhook_deliveries(endpoint_id, client_id, subject_hash, event_id, event_type, payload, redelivery_of)
     SELECT endpoint_id, client_id, subject_hash, event_id, event_type, payload, id FROM webhook_deliveries
     WHERE client_id = $1 AND endpoint_id = $2 AND id = $3::bigint
     RETURNING ${DELIVERY_COLUMNS}`,
    [clientId, endpointId, id],
  );
  return rows[0] && deliveryFrom(rows[0]);
}
