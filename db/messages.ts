import { contactUpsertSql } from './contacts';
import { ONCE_PER_KEY } from './insights';
import type { Queryable } from './pool';

/**
 * Records an inbound message in one statement: the contact (number and name sealed, the 24-hour
 * window moved forward, never back), the message once (Meta redelivers; its id is the hash of
 * Meta's id, `whatsapp/wamid.ts`, never the id itself) and its `message_in` insight, keyed by that
 * id. Returns whether the message was new.
 */
export async function recordInboundMessage(
  db: Queryable,
  m: {
    wamidHash: string;
    clientId: string;
    subjectHash: string;
    phoneNumberId: string;
    type: string;
    recipientEnc: string;
    nameEnc: string | null;
    bodyEnc: string | null;
    occurredAt: Date;
  },
): Promise<boolean> {
  const { rows } = await db.query<{ inserted: boolean }>(
    `WITH contact AS (${contactUpsertSql('$2, $3, $6, $7, $9')}), message AS (
       INSERT INTO messages(id, client_id, subject_hash, phone_number_id, direction, wamid_hash, type, body_enc, status, occurred_at)
       VALUES ($1, $2, $3, $4, 'in', $1, $5, $8, 'received', $9) ON CONFLICT DO NOTHING
       RETURNING id
     ), insight AS (
       INSERT INTO insight_events(client_id, kind, dims, event_key)
       VALUES ($2, 'message_in', jsonb_build_object('type', $5::text), $1)
       ${ONCE_PER_KEY}
     )
     SELECT EXISTS (SELECT 1 FROM message) AS inserted`,
    [
      m.wamidHash,
      m.clientId,
      m.subjectHash,
      m.phoneNumberId,
      m.type,
      m.recipientEnc,
      m.nameEnc,
      m.bodyEnc,
      m.occurredAt,
    ],
  );
  return rows[0]?.inserted ?? false;
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
): Promise<{
  wamidHash: string | null;
  status: string;
  statusReason: string | null;
  /** When an earlier attempt may have reached Meta (null: none did, or Meta answered it with an error). */
  attemptedAt: Date | null;
  /** This call recorded the send: no attempt came before it. */
  fresh: boolean;
}> {
  // One statement: the insert's row when it is new, else the row an earlier attempt recorded.
  const { rows } = await db.query<{
    wamid_hash: string | null;
    status: string;
    status_reason: string | null;
    attempted_at: Date | null;
    fresh: boolean;
  }>(
    `WITH claimed AS (
       INSERT INTO messages(id, client_id, subject_hash, phone_number_id, direction, type, body_enc, status, sent_by, occurred_at, attempted_at)
       VALUES ($1, $2, $3, $4, 'out', $5, $6, 'pending', $7, now(), now()) ON CONFLICT (id) DO NOTHING
       RETURNING wamid_hash, status, status_reason, attempted_at, true AS fresh
     )
     SELECT * FROM claimed
     UNION ALL
     SELECT wamid_hash, status, status_reason, attempted_at, false FROM messages
     WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM claimed)`,
    [m.idempotencyKey, m.clientId, m.subjectHash, m.phoneNumberId, m.type, m.bodyEnc, m.sentBy],
  );
  const row = rows[0]!;
  return {
    wamidHash: row.wamid_hash,
    status: row.status,
    statusReason: row.status_reason,
    attemptedAt: row.attempted_at,
    fresh: row.fresh,
  };
}

/** Records that a send is about to reach Meta (now), or that Meta refused it (null: nothing to wait for). */
export async function setOutboundAttempt(db: Queryable, idempotencyKey: string, attempted: boolean) {
  await db.query('UPDATE messages SET attempted_at = CASE WHEN $2 THEN now() END WHERE id = $1', [
    idempotencyKey,
    attempted,
  ]);
}

/** The wamid hash of the message whose statuses carried `callback` (Meta's echo of a send's callback data). */
export async function wamidHashByCallback(
  db: Queryable,
  clientId: string,
  callback: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ wamid_hash: string }>(
    'SELECT wamid_hash FROM message_status_events WHERE client_id = $1 AND callback = $2 LIMIT 1',
    [clientId, callback],
  );
  return rows[0]?.wamid_hash;
}

/**
 * Records the wamid hash of an accepted send and, in the same statement, its `message_out` insight
 * (by type, once per wamid). Its status is the highest already in the status history (Meta's `sent`
 * or even `read` can arrive before this runs), else `sent`. Answers whether the insight is new (false
 * when this send was recorded before).
 */
export async function markOutboundSent(
  db: Queryable,
  idempotencyKey: string,
  wamidHash: string,
  update?: { type: string; bodyEnc: string },
): Promise<boolean> {
  const { rows } = await db.query<{ fresh: boolean }>(
    `WITH sent AS (
       UPDATE messages SET wamid_hash = $2, type = COALESCE($3, type), body_enc = COALESCE($4, body_enc),
         status = COALESCE((SELECT e.status FROM message_status_events e
                            WHERE e.wamid_hash = $2 AND delivery_rank(e.status) > 1
                            ORDER BY delivery_rank(e.status) DESC LIMIT 1), 'sent'),
         occurred_at = now(), updated_at = now()
       WHERE id = $1 RETURNING client_id, type
     ), counted AS (
       INSERT INTO insight_events(client_id, kind, dims, event_key)
         SELECT client_id, 'message_out', jsonb_build_object('type', type), $2 FROM sent
       ${ONCE_PER_KEY} RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM counted) AS fresh`,
    [idempotencyKey, wamidHash, update?.type ?? null, update?.bodyEnc ?? null],
  );
  return rows[0]?.fresh ?? false;
}

/** One delivery status from Meta, as `applyDeliveryStatuses` takes them: its message by wamid hash. */
export interface DeliveryStatus {
  wamidHash: string;
  status: string;
  occurredAt: Date;
  errorCode?: number;
  /** The send's `biz_opaque_callback_data`, as Meta echoes it. */
  callback?: string;
}

/**
 * Applies a batch of one client's delivery statuses in one statement: appends each to the history
 * once, and moves each message's state only forward (`delivery_rank`; within the batch the highest
 * status of a message wins, as applying them one by one would); regressions and repeats change
 * nothing. Returns the wamid hashes whose message moved.
 */
export async function applyDeliveryStatuses(
  db: Queryable,
  clientId: string,
  statuses: readonly DeliveryStatus[],
): Promise<string[]> {
  if (statuses.length === 0) return [];
  const { rows } = await db.query<{ wamid_hash: string }>(
    `WITH input AS (
       SELECT * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::integer[], $6::text[])
         AS i(wamid_hash, status, occurred_at, error_code, callback)
     ), history AS (
       INSERT INTO message_status_events(client_id, wamid_hash, status, occurred_at, error_code, callback)
       SELECT $1, wamid_hash, status, occurred_at, error_code, callback FROM input
       ON CONFLICT (wamid_hash, status) DO NOTHING
     ), best AS (
       SELECT DISTINCT ON (wamid_hash) wamid_hash, status, error_code FROM input
       ORDER BY wamid_hash, delivery_rank(status) DESC
     )
     UPDATE messages m SET status = b.status, updated_at = now(),
       status_reason = CASE WHEN b.status = 'failed' THEN 'graph:' || COALESCE(b.error_code::text, 'unknown')
                       ELSE m.status_reason END
     FROM best b
     WHERE m.wamid_hash = b.wamid_hash AND m.client_id = $1 AND m.direction = 'out'
       AND delivery_rank(m.status) < 9 AND delivery_rank(b.status) > delivery_rank(m.status)
     RETURNING m.wamid_hash`,
    [
      clientId,
      statuses.map((s) => s.wamidHash),
      statuses.map((s) => s.status),
      statuses.map((s) => s.occurredAt),
      statuses.map((s) => s.errorCode ?? null),
      statuses.map((s) => s.callback ?? null),
    ],
  );
  return rows.map((r) => r.wamid_hash);
}

export interface OutboundRow {
  id: string;
  subjectHash: string;
  phoneNumberId: string;
  type: string;
  status: string;
}

/** An outbound message of a client by the hash of the wamid Meta gave it. */
export async function findOutboundByWamidHash(
  db: Queryable,
  clientId: string,
  wamidHash: string,
): Promise<OutboundRow | undefined> {
  const { rows } = await db.query<{
    id: string;
    subject_hash: string;
    phone_number_id: string;
    type: string;
    status: string;
  }>(
    `SELECT id, subject_hash, phone_number_id, type, status FROM messages
     WHERE wamid_hash = $1 AND client_id = $2 AND direction = 'out'`,
    [wamidHash, clientId],
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

/** The status history of an outbound message (by wamid hash), oldest first. */
export async function statusHistory(
  db: Queryable,
  clientId: string,
  wamidHash: string,
): Promise<{ status: string; occurredAt: Date; errorCode: number | null }[]> {
  const { rows } = await db.query<{ status: string; occurred_at: Date; error_code: number | null }>(
    `SELECT status, occurred_at, error_code FROM message_status_events
     WHERE client_id = $1 AND wamid_hash = $2 ORDER BY occurred_at, recorded_at`,
    [clientId, wamidHash],
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
    `UPDATE messages SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1 AND wamid_hash IS NULL`,
    [idempotencyKey, status, reason],
  );
}

/** Why a webhook item was answered 200 without work: recorded with Meta object ids only, no PII. */
export type IgnoredReason =
  | 'unknown_field'
  | 'unknown_number'
  | 'unknown_waba'
  | 'invalid_change'
  | 'invalid_message'
  | 'invalid_status'
  | 'no_user';

export async function recordIgnored(
  db: Queryable,
  items: readonly { field: string; reason: IgnoredReason; wabaId?: string; phoneNumberId?: string }[],
): Promise<void> {
  if (items.length === 0) return;
  const cut = (v: string | undefined) => v?.slice(0, 100) ?? null;
  await db.query(
    `INSERT INTO webhook_ignored(field, reason, waba_id, phone_number_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [
      items.map((e) => e.field.slice(0, 100)),
      items.map((e) => e.reason),
      items.map((e) => cut(e.wabaId)),
      items.map((e) => cut(e.phoneNumberId)),
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
     WHERE m.client_id = $1 AND m.subject_hash = $2 AND m.wamid_hash = e.wamid_hash AND e.client_id = $1`,
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

/** A transcript message as stored (body still sealed). */
export interface TranscriptRow {
  id: string;
  direction: 'in' | 'out';
  type: string;
  body_enc: string | null;
  status: string;
  status_reason: string | null;
  sent_by: string | null;
  occurred_at: Date;
  seq: string;
}

/** A subject's messages in the order its conversations handled them (`seq`), the first 1000. */
export async function transcriptRows(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<TranscriptRow[]> {
  const { rows } = await db.query<TranscriptRow>(
    `SELECT id, direction, type, body_enc, status, status_reason, sent_by, occurred_at, seq FROM messages
     WHERE client_id = $1 AND subject_hash = $2 ORDER BY seq LIMIT 1000`,
    [clientId, subjectHash],
  );
  return rows;
}

/** How many messages of one direction carry one of these wamid hashes (the chaos runs count what was stored). */
export async function countMessagesByWamidHash(
  db: Queryable,
  direction: 'in' | 'out',
  hashes: readonly string[],
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM messages WHERE direction = $1 AND wamid_hash = ANY($2)',
    [direction, hashes],
  );
  return rows[0]!.n;
}
