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
  | 'contact.read'
  | 'bot.update'
  // Canned responses, notes and labels (api/routes/canned-responses.ts, api/routes/notes.ts).
  | 'canned.update'
  | 'canned.render'
  | 'note.add'
  | 'note.delete'
  | 'label.add'
  | 'label.delete'
  | 'webhooks.update';

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

/** One audit record as the audit API returns it: the acting key's label beside its id. */
export interface AuditRecord {
  id: string;
  actor: string;
  actorLabel: string | null;
  action: string;
  subjectHash: string | null;
  resource: string | null;
  at: Date;
}

/** A client's audit records after `after` in id order, at most `limit`. */
export async function auditPage(
  db: Queryable,
  clientId: string,
  after: number,
  limit: number,
): Promise<AuditRecord[]> {
  const { rows } = await db.query<AuditRecord>(
    `SELECT a.id::text, a.actor, k.label AS "actorLabel", a.action, a.subject_hash AS "subjectHash",
            a.resource, a.at
     FROM audit_log a LEFT JOIN api_keys k ON k.client_id = a.client_id AND k.id = a.actor
     WHERE a.client_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3`,
    [clientId, after, limit],
  );
  return rows;
}
