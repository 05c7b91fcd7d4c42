import type { Queryable } from './pool';

export type AuditAction =
  | 'transcript.read'
  | 'media.read'
  | 'subject.export'
  | 'subject.erase'
  | 'settings.update'
  | 'conversation.assign'
  | 'conversation.takeover'
  | 'conversation.preview'
  | 'nlu_review.read'
  | 'contact.read';

/** Appends one audit record. The table refuses UPDATE and DELETE (see migration 003). */
export async function writeAudit(
  db: Queryable,
  entry: { clientId: string; actor: string; action: AuditAction; subjectHash?: string; resource?: string },
): Promise<void> {
  await db.query(
    'INSERT INTO audit_log(client_id, actor, action, subject_hash, resource) VALUES ($1, $2, $3, $4, $5)',
    [entry.clientId, entry.actor, entry.action, entry.subjectHash ?? null, entry.resource ?? null],
  );
}

/** Appends one record per subject and resource for one actor and action, in one statement. */
export async function writeAudits(
  db: Queryable,
  entry: { clientId: string; actor: string; action: AuditAction },
  of: readonly { subjectHash: string; resource: string }[],
): Promise<void> {
  if (of.length === 0) return;
  await db.query(
    `INSERT INTO audit_log(client_id, actor, action, subject_hash, resource)
     SELECT $1, $2, $3, s, r FROM unnest($4::text[], $5::text[]) AS u(s, r)`,
    [entry.clientId, entry.actor, entry.action, of.map((o) => o.subjectHash), of.map((o) => o.resource)],
  );
}
