import { randomUUID } from 'node:crypto';
import type { Subject } from '../crypto/vault';
import type { Queryable } from './pool';

/**
 * Agents' notes on a contact and labels on conversations (migration 220). Both are subject tables:
 * the text is sealed by the caller (`contact_notes.body`, `conversation_labels.label`), so export,
 * erasure and retention cover them with the rest of the subject's data.
 */
export interface NoteRow {
  id: string;
  author: string;
  bodyEnc: string;
  createdAt: Date;
}

export interface LabelRow {
  id: string;
  labelEnc: string;
  addedBy: string;
  createdAt: Date;
}

/** The most notes a card shows (newest first). */
const NOTES_SHOWN = 50;

/**
 * Nothing new for a subject while their erasure is open: a row written after erasure deleted theirs
 * would outlive it (unreadable once the key goes, but there). `$2`, `$3`: client id, subject hash.
 */
const NO_OPEN_ERASURE = `NOT EXISTS (SELECT 1 FROM privacy_requests r WHERE r.client_id = $2
  AND r.subject_hash = $3 AND r.status IN ('pending', 'running'))`;

/** Thrown when a subject's erasure is open: the API answers 409. */
export class SubjectErasingError extends Error {
  override name = 'SubjectErasingError';
  constructor() {
    super("the customer's data is being erased");
  }
}

export async function insertNote(
  db: Queryable,
  subject: Subject,
  author: string,
  bodyEnc: string,
): Promise<NoteRow> {
  const { rows } = await db.query<{ id: string; created_at: Date }>(
    `INSERT INTO contact_notes(id, client_id, subject_hash, author, body_enc)
     SELECT $1, $2, $3, $4, $5 WHERE ${NO_OPEN_ERASURE}
     RETURNING id, created_at`,
    [`note_${randomUUID()}`, subject.clientId, subject.subjectHash, author, bodyEnc],
  );
  if (!rows[0]) throw new SubjectErasingError();
  return { id: rows[0].id, author, bodyEnc, createdAt: rows[0].created_at };
}

export async function listNotes(db: Queryable, subject: Subject): Promise<NoteRow[]> {
  const { rows } = await db.query<{ id: string; author: string; body_enc: string; created_at: Date }>(
    `SELECT id, author, body_enc, created_at FROM contact_notes
     WHERE client_id = $1 AND subject_hash = $2 ORDER BY created_at DESC, id LIMIT $3`,
    [subject.clientId, subject.subjectHash, NOTES_SHOWN],
  );
  return rows.map((r) => ({ id: r.id, author: r.author, bodyEnc: r.body_enc, createdAt: r.created_at }));
}

/** Deletes a note of the subject; false when there is none with that id. */
export async function deleteNote(db: Queryable, subject: Subject, id: string): Promise<boolean> {
  const res = await db.query(
    'DELETE FROM contact_notes WHERE client_id = $1 AND subject_hash = $2 AND id = $3',
    [subject.clientId, subject.subjectHash, id],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Adds a label to a conversation; a label it already has (same hash) is left as it is (undefined). */
export async function insertLabel(
  db: Queryable,
  subject: Subject,
  ref: string,
  label: { hash: string; enc: string; addedBy: string },
): Promise<LabelRow | undefined> {
  const { rows } = await db.query<{ id: string | null; created_at: Date; erasing: boolean }>(
    `WITH erasing AS (SELECT NOT ${NO_OPEN_ERASURE} AS erasing), added AS (
       INSERT INTO conversation_labels(id, client_id, subject_hash, ref, label_hash, label_enc, added_by)
       SELECT $1, $2, $3, $4, $5, $6, $7 FROM erasing WHERE NOT erasing
       ON CONFLICT (client_id, ref, label_hash) DO NOTHING RETURNING id, created_at
     )
     SELECT added.id, added.created_at, erasing.erasing FROM erasing LEFT JOIN added ON true`,
    [`lbl_${randomUUID()}`, subject.clientId, subject.subjectHash, ref, label.hash, label.enc, label.addedBy],
  );
  const r = rows[0]!;
  if (r.erasing) throw new SubjectErasingError();
  return r.id
    ? { id: r.id, labelEnc: label.enc, addedBy: label.addedBy, createdAt: r.created_at }
    : undefined;
}

/** A conversation's labels, oldest first. */
export async function listLabels(db: Queryable, clientId: string, ref: string): Promise<LabelRow[]> {
  const { rows } = await db.query<{ id: string; label_enc: string; added_by: string; created_at: Date }>(
    `SELECT id, label_enc, added_by, created_at FROM conversation_labels
     WHERE client_id = $1 AND ref = $2 ORDER BY created_at, id`,
    [clientId, ref],
  );
  return rows.map((r) => ({ id: r.id, labelEnc: r.label_enc, addedBy: r.added_by, createdAt: r.created_at }));
}

export async function deleteLabel(
  db: Queryable,
  clientId: string,
  ref: string,
  id: string,
): Promise<boolean> {
  const res = await db.query(
    'DELETE FROM conversation_labels WHERE client_id = $1 AND ref = $2 AND id = $3',
    [clientId, ref, id],
  );
  return (res.rowCount ?? 0) > 0;
}
