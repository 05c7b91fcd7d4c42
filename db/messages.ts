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

export async function markOutboundSent(
  db: Queryable,
  idempotencyKey: string,
  wamid: string,
  update?: { type: string; bodyEnc: string },
): Promise<void> {
  await db.query(
    `UPDATE messages SET wamid = $2, status = 'sent', type = COALESCE($3, type), body_enc = COALESCE($4, body_enc),
       occurred_at = now(), updated_at = now()
     WHERE id = $1`,
    [idempotencyKey, wamid, update?.type ?? null, update?.bodyEnc ?? null],
  );
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
