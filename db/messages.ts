import type { Queryable } from './pool';

/** Records an inbound message once (Meta redelivers); returns false when it was already there. */
export async function insertInbound(
  db: Queryable,
  m: {
    wamid: string;
    clientId: string;
    subjectHash: string;
    phoneNumberId: string;
    type: string;
    bodyEnc: string | null;
    occurredAt: Date;
  },
): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO messages(id, client_id, subject_hash, phone_number_id, direction, wamid, type, body_enc, status, occurred_at)
     VALUES ($1, $2, $3, $4, 'in', $1, $5, $6, 'received', $7) ON CONFLICT DO NOTHING`,
    [m.wamid, m.clientId, m.subjectHash, m.phoneNumberId, m.type, m.bodyEnc, m.occurredAt],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Claims a logical send by its idempotency key; returns the row as it stands (possibly already sent). */
export async function claimOutbound(
  db: Queryable,
  m: {
    idempotencyKey: string;
    clientId: string;
    subjectHash: string;
    phoneNumberId: string;
    type: string;
    bodyEnc: string;
    sentBy: string;
  },
): Promise<{ wamid: string | null; status: string; statusReason: string | null }> {
  await db.query(
    `INSERT INTO messages(id, client_id, subject_hash, phone_number_id, direction, type, body_enc, status, sent_by, occurred_at)
     VALUES ($1, $2, $3, $4, 'out', $5, $6, 'pending', $7, now()) ON CONFLICT (id) DO NOTHING`,
    [m.idempotencyKey, m.clientId, m.subjectHash, m.phoneNumberId, m.type, m.bodyEnc, m.sentBy],
  );
  const { rows } = await db.query<{ wamid: string | null; status: string; status_reason: string | null }>(
    'SELECT wamid, status, status_reason FROM messages WHERE id = $1',
    [m.idempotencyKey],
  );
  const row = rows[0]!;
  return { wamid: row.wamid, status: row.status, statusReason: row.status_reason };
}

/**
 * Records the wamid of an accepted send. Its status is the highest already in the status history
 * (Meta's `sent` or even `read` can arrive before this runs), else `sent`.
 */
export async function markOutboundSent(
  db: Queryable,
  idempotencyKey: string,
  wamid: string,
  update?: { type: string; bodyEnc: string },
): Promise<void> {
  await db.query(
    `UPDATE messages SET wamid = $2, type = COALESCE($3, type), body_enc = COALESCE($4, body_enc),
       status = COALESCE((SELECT e.status FROM message_status_events e
                          WHERE e.wamid = $2 AND delivery_rank(e.status) > 1
                          ORDER BY delivery_rank(e.status) DESC LIMIT 1), 'sent'),
       occurred_at = now(), updated_at = now()
     WHERE id = $1`,
    [idempotencyKey, wamid, update?.type ?? null, update?.bodyEnc ?? null],
  );
}

/**
 * Applies a delivery status from Meta: appends it to the history once, and moves the message's state
 * only forward (`delivery_rank`); regressions and repeats change nothing. Returns whether it moved.
 */
export async function applyDeliveryStatus(
  db: Queryable,
  s: { clientId: string; wamid: string; status: string; occurredAt: Date; errorCode?: number },
): Promise<boolean> {
  const res = await db.query(
    `WITH history AS (
       INSERT INTO message_status_events(client_id, wamid, status, occurred_at, error_code)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (wamid, status) DO NOTHING)
     UPDATE messages SET status = $3, updated_at = now(),
       status_reason = CASE WHEN $3 = 'failed' THEN 'graph:' || COALESCE($5::text, 'unknown') ELSE status_reason END
     WHERE wamid = $2 AND client_id = $1 AND direction = 'out'
       AND delivery_rank(status) < 9 AND delivery_rank($3) > delivery_rank(status)`,
    [s.clientId, s.wamid, s.status, s.occurredAt, s.errorCode ?? null],
  );
  return (res.rowCount ?? 0) > 0;
}

export interface OutboundRow {
  id: string;
  subjectHash: string;
  phoneNumberId: string;
  type: string;
  status: string;
}

/** An outbound message of a client by the wamid Meta gave it. */
export async function findOutboundByWamid(
  db: Queryable,
  clientId: string,
  wamid: string,
): Promise<OutboundRow | undefined> {
  const { rows } = await db.query<{
    id: string;
    subject_hash: string;
    phone_number_id: string;
    type: string;
    status: string;
  }>(
    `SELECT id, subject_hash, phone_number_id, type, status FROM messages
     WHERE wamid = $1 AND client_id = $2 AND direction = 'out'`,
    [wamid, clientId],
  );
  const r = rows[0];
  return (
    r && {
      id: r.id,
      subjectHash: r.subject_hash,
      phoneNumberId: r.phone_number_id,
      type: r.type,
      status: r.status,
    }
  );
}

/** The status history of an outbound message, oldest first. */
export async function statusHistory(
  db: Queryable,
  clientId: string,
  wamid: string,
): Promise<{ status: string; occurredAt: Date; errorCode: number | null }[]> {
  const { rows } = await db.query<{ status: string; occurred_at: Date; error_code: number | null }>(
    `SELECT status, occurred_at, error_code FROM message_status_events
     WHERE client_id = $1 AND wamid = $2 ORDER BY occurred_at, recorded_at`,
    [clientId, wamid],
  );
  return rows.map((r) => ({ status: r.status, occurredAt: r.occurred_at, errorCode: r.error_code }));
}

/** Marks a send that will not go out (refused or permanently failed), with the reason. */
export async function markOutboundNotSent(
  db: Queryable,
  idempotencyKey: string,
  status: 'refused' | 'failed',
  reason: string,
): Promise<void> {
  await db.query(
    `UPDATE messages SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1 AND wamid IS NULL`,
    [idempotencyKey, status, reason],
  );
}

/** Why a webhook item was answered 200 without work: recorded with Meta object ids only, no PII. */
export type IgnoredReason =
  'unknown_field' | 'unknown_number' | 'invalid_change' | 'invalid_message' | 'invalid_status' | 'no_user';

export async function recordIgnored(
  db: Queryable,
  e: { field: string; reason: IgnoredReason; wabaId?: string; phoneNumberId?: string },
): Promise<void> {
  await db.query(
    'INSERT INTO webhook_ignored(field, reason, waba_id, phone_number_id) VALUES ($1, $2, $3, $4)',
    [
      e.field.slice(0, 100),
      e.reason,
      e.wabaId?.slice(0, 100) ?? null,
      e.phoneNumberId?.slice(0, 100) ?? null,
    ],
  );
}

/** Deletes the status history of a subject's outbound messages (before the messages themselves go). */
export async function deleteSubjectStatusHistory(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<number> {
  const res = await db.query(
    `DELETE FROM message_status_events e USING messages m
     WHERE m.client_id = $1 AND m.subject_hash = $2 AND m.wamid = e.wamid AND e.client_id = $1`,
    [clientId, subjectHash],
  );
  return res.rowCount ?? 0;
}

/** The sealed body of one of a subject's messages, by the message's id. */
export async function findMessageBody(
  db: Queryable,
  clientId: string,
  subjectHash: string,
  id: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ body_enc: string | null }>(
    'SELECT body_enc FROM messages WHERE client_id = $1 AND subject_hash = $2 AND id = $3',
    [clientId, subjectHash, id],
  );
  return rows[0]?.body_enc ?? undefined;
}
