import type { Queryable } from './pool';

/** The clear (non-PII) columns of an order record; the rest is sealed in `detailsEnc`. */
export interface OrderRecord {
  clientId: string;
  orderId: string;
  subjectHash: string;
  status: string;
  currency: string;
  subtotal: number;
  shippingCost: number | null;
  total: number | null;
  paymentDeadline: string | null;
  cancelReason: string | null;
  payments: { status: string; reference: string; at: string }[];
  detailsEnc: string;
  contentHash: string;
  source: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

/** Writes an order's newest state; an older version arriving late (a retried write) changes nothing. */
export async function upsertOrder(db: Queryable, o: OrderRecord): Promise<void> {
  await db.query(
    `INSERT INTO orders(client_id, order_id, subject_hash, status, currency, subtotal, shipping_cost, total,
       payment_deadline, cancel_reason, payments, details_enc, content_hash, source, version, created_at,
       updated_at, completed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
     ON CONFLICT (client_id, order_id) DO UPDATE SET
       status = EXCLUDED.status, shipping_cost = EXCLUDED.shipping_cost, total = EXCLUDED.total,
       payment_deadline = EXCLUDED.payment_deadline, cancel_reason = EXCLUDED.cancel_reason,
       payments = EXCLUDED.payments, details_enc = EXCLUDED.details_enc, version = EXCLUDED.version,
       updated_at = EXCLUDED.updated_at, completed_at = EXCLUDED.completed_at
     WHERE orders.version < EXCLUDED.version`,
    [
      o.clientId,
      o.orderId,
      o.subjectHash,
      o.status,
      o.currency,
      o.subtotal,
      o.shippingCost,
      o.total,
      o.paymentDeadline,
      o.cancelReason,
      JSON.stringify(o.payments),
      o.detailsEnc,
      o.contentHash,
      o.source,
      o.version,
      o.createdAt,
      o.updatedAt,
      o.completedAt,
    ],
  );
}

interface OrderRow {
  client_id: string;
  order_id: string;
  subject_hash: string;
  status: string;
  currency: string;
  subtotal: string;
  shipping_cost: string | null;
  total: string | null;
  payment_deadline: Date | null;
  cancel_reason: string | null;
  payments: OrderRecord['payments'];
  details_enc: string;
  content_hash: string;
  source: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function fromRow(r: OrderRow): OrderRecord {
  return {
    clientId: r.client_id,
    orderId: r.order_id,
    subjectHash: r.subject_hash,
    status: r.status,
    currency: r.currency,
    subtotal: Number(r.subtotal),
    shippingCost: num(r.shipping_cost),
    total: num(r.total),
    paymentDeadline: iso(r.payment_deadline),
    cancelReason: r.cancel_reason,
    payments: r.payments,
    detailsEnc: r.details_enc,
    contentHash: r.content_hash,
    source: r.source,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    completedAt: iso(r.completed_at),
  };
}

/** A client's order by id; with `subjectHash`, only when it is that customer's. */
/** The version of the order's record (undefined when there is none). */
export async function storedOrderVersion(
  db: Queryable,
  clientId: string,
  orderId: string,
): Promise<number | undefined> {
  const { rows } = await db.query<{ version: number }>(
    'SELECT version FROM orders WHERE client_id = $1 AND order_id = $2',
    [clientId, orderId],
  );
  return rows[0]?.version;
}

export async function findOrder(
  db: Queryable,
  clientId: string,
  orderId: string,
  subjectHash?: string,
): Promise<OrderRecord | undefined> {
  const { rows } = await db.query<OrderRow>(
    `SELECT * FROM orders WHERE client_id = $1 AND order_id = $2 AND ($3::text IS NULL OR subject_hash = $3)`,
    [clientId, orderId, subjectHash ?? null],
  );
  return rows[0] && fromRow(rows[0]);
}

/** The customer's most recent order with this client (for its delivery address). */
export async function findLatestOrderOfSubject(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<OrderRecord | undefined> {
  const { rows } = await db.query<OrderRow>(
    `SELECT * FROM orders WHERE client_id = $1 AND subject_hash = $2 ORDER BY created_at DESC LIMIT 1`,
    [clientId, subjectHash],
  );
  return rows[0] && fromRow(rows[0]);
}

/** Records what became of one customer update of an order; the first outcome recorded stands. */
export async function recordOrderNotification(
  db: Queryable,
  n: {
    clientId: string;
    orderId: string;
    event: string;
    status: string;
    reason?: string;
    via?: string;
    wamidHash?: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO order_notifications(client_id, order_id, event, status, reason, via, wamid_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [n.clientId, n.orderId, n.event, n.status, n.reason ?? null, n.via ?? null, n.wamidHash ?? null],
  );
}

export async function listOrderNotifications(
  db: Queryable,
  clientId: string,
  orderId: string,
): Promise<{ event: string; status: string; reason: string | null; via: string | null; at: string }[]> {
  const { rows } = await db.query<{
    event: string;
    status: string;
    reason: string | null;
    via: string | null;
    at: Date;
  }>(
    'SELECT event, status, reason, via, at FROM order_notifications WHERE client_id = $1 AND order_id = $2 ORDER BY at, event',
    [clientId, orderId],
  );
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}

/** Deletes an order's record and its notification log (retention ended). */
export async function deleteOrder(db: Queryable, clientId: string, orderId: string): Promise<boolean> {
  const res = await db.query('DELETE FROM orders WHERE client_id = $1 AND order_id = $2', [
    clientId,
    orderId,
  ]);
  return (res.rowCount ?? 0) > 0;
}

/** The WhatsApp numbers of a client, oldest first: the first one sends order updates by default. */
export async function phoneNumbersOfClient(db: Queryable, clientId: string): Promise<string[]> {
  const { rows } = await db.query<{ phone_number_id: string }>(
    'SELECT phone_number_id FROM client_phone_numbers WHERE client_id = $1 ORDER BY created_at, phone_number_id',
    [clientId],
  );
  return rows.map((r) => r.phone_number_id);
}

/** A customer's orders with this client, newest first (what an agent sees beside the chat). No PII. */
export async function listOrdersOfSubject(
  db: Queryable,
  clientId: string,
  subjectHash: string,
  limit = 20,
): Promise<{ orderId: string; status: string; total: number | null; currency: string; createdAt: Date }[]> {
  const { rows } = await db.query<{
    order_id: string;
    status: string;
    total: string | null;
    currency: string;
    created_at: Date;
  }>(
    `SELECT order_id, status, total, currency, created_at FROM orders
     WHERE client_id = $1 AND subject_hash = $2 ORDER BY created_at DESC LIMIT $3`,
    [clientId, subjectHash, limit],
  );
  return rows.map((r) => ({
    orderId: r.order_id,
    status: r.status,
    total: r.total === null ? null : Number(r.total),
    currency: r.currency,
    createdAt: r.created_at,
  }));
}

/** Ids of a subject's orders (erasure derives their workflow ids from them). */
export async function subjectOrderIds(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT order_id AS id FROM orders WHERE client_id = $1 AND subject_hash = $2',
    [clientId, subjectHash],
  );
  return rows.map((r) => r.id);
}
