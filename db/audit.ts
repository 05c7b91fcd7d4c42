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
  | 'bot.update';

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
