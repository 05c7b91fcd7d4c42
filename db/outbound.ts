import type { Queryable } from './pool';

/** Claims a logical send; returns the wamid if it was already sent (a retried activity). */
export async function claimOutbound(
  db: Queryable,
  row: { idempotencyKey: string; clientId: string; subjectHash: string; phoneNumberId: string; kind: string },
): Promise<{ wamid: string | null }> {
  await db.query(
    `INSERT INTO outbound_messages(idempotency_key, client_id, subject_hash, phone_number_id, kind)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
    [row.idempotencyKey, row.clientId, row.subjectHash, row.phoneNumberId, row.kind],
  );
  const { rows } = await db.query<{ wamid: string | null }>(
    'SELECT wamid FROM outbound_messages WHERE idempotency_key = $1',
    [row.idempotencyKey],
  );
  return { wamid: rows[0]?.wamid ?? null };
}

export async function markOutboundSent(db: Queryable, idempotencyKey: string, wamid: string): Promise<void> {
  await db.query(
    `UPDATE outbound_messages SET wamid = $2, status = 'sent', updated_at = now() WHERE idempotency_key = $1`,
    [idempotencyKey, wamid],
  );
}

export async function markOutboundFailed(
  db: Queryable,
  idempotencyKey: string,
  reason: string,
): Promise<void> {
  await db.query(
    `UPDATE outbound_messages SET status = $2, updated_at = now() WHERE idempotency_key = $1 AND wamid IS NULL`,
    [idempotencyKey, `failed:${reason}`],
  );
}
