import { randomUUID } from 'node:crypto';
import type { Queryable } from './pool';

export type PrivacyRequestStatus = 'pending' | 'running' | 'completed' | 'failed';

export interface PrivacyRequest {
  id: string;
  kind: 'erasure';
  status: PrivacyRequestStatus;
  progress: Record<string, unknown>;
  createdAt: string;
  completedAt: string | null;
}

/**
 * Opens an erasure request for a subject, or returns the one already open (idempotent DELETE).
 * `created` says whether this call made it.
 */
export async function openErasureRequest(
  db: Queryable,
  r: { clientId: string; subjectHash: string; requestedBy: string },
): Promise<{ id: string; created: boolean }> {
  const id = `pr_${randomUUID().replace(/-/g, '')}`;
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO privacy_requests(id, client_id, kind, subject_hash, status, requested_by)
     VALUES ($1, $2, 'erasure', $3, 'pending', $4) ON CONFLICT DO NOTHING RETURNING id`,
    [id, r.clientId, r.subjectHash, r.requestedBy],
  );
  if (inserted.rows[0]) return { id, created: true };
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM privacy_requests WHERE client_id = $1 AND subject_hash = $2 AND status IN ('pending', 'running')`,
    [r.clientId, r.subjectHash],
  );
  if (!rows[0]) return openErasureRequest(db, r);
  return { id: rows[0].id, created: false };
}

/** Records a step's progress; `status` moves the request on. */
export async function updatePrivacyRequest(
  db: Queryable,
  id: string,
  update: { status: PrivacyRequestStatus; progress: Record<string, unknown> },
): Promise<void> {
  const done = update.status === 'completed';
  await db.query(
    `UPDATE privacy_requests SET status = $2, progress = progress || $3::jsonb,
       subject_hash = CASE WHEN $4 THEN NULL ELSE subject_hash END,
       completed_at = CASE WHEN $4 THEN now() ELSE completed_at END
     WHERE id = $1`,
    [id, update.status, JSON.stringify(update.progress), done],
  );
}

export async function findPrivacyRequest(
  db: Queryable,
  clientId: string,
  id: string,
): Promise<PrivacyRequest | undefined> {
  const { rows } = await db.query<{
    id: string;
    status: PrivacyRequestStatus;
    progress: Record<string, unknown>;
    created_at: Date;
    completed_at: Date | null;
  }>(
    'SELECT id, status, progress, created_at, completed_at FROM privacy_requests WHERE id = $1 AND client_id = $2',
    [id, clientId],
  );
  const row = rows[0];
  return (
    row && {
      id: row.id,
      kind: 'erasure',
      status: row.status,
      progress: row.progress,
      createdAt: row.created_at.toISOString(),
      completedAt: row.completed_at?.toISOString() ?? null,
    }
  );
}
