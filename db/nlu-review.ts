import type { Queryable } from './pool';

/** One no-match utterance kept for review: redacted before it was sealed under the subject's key. */
export interface ReviewRow {
  id: string;
  subjectHash: string;
  textEnc: string;
  language: string | null;
  createdAt: Date;
}

/** The field name the text is sealed under (`<table>.<column>`, as subject-tables.ts expects). */
export const REVIEW_TEXT_FIELD = 'nlu_review.text';

/** The columns of a `ReviewRow`, selected under its own names. */
const REVIEW_COLUMNS = `id, subject_hash AS "subjectHash", text_enc AS "textEnc", language, created_at AS "createdAt"`;

/** Keeps one utterance; a second one for the same message is ignored (retried activity). */
export async function addReviewItem(
  db: Queryable,
  r: { clientId: string; subjectHash: string; messageId: string; textEnc: string; language: string },
): Promise<void> {
  await db.query(
    `INSERT INTO nlu_review(client_id, subject_hash, message_id, text_enc, language) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (client_id, message_id) DO NOTHING`,
    [r.clientId, r.subjectHash, r.messageId, r.textEnc, r.language],
  );
}

/** A client's utterances kept in [from, to), newest first. */
export async function listReviewItems(
  db: Queryable,
  clientId: string,
  from: Date,
  to: Date,
  limit: number,
): Promise<ReviewRow[]> {
  const { rows } = await db.query<ReviewRow>(
    `SELECT ${REVIEW_COLUMNS} FROM nlu_review
      WHERE client_id = $1 AND created_at >= $2 AND created_at < $3
      ORDER BY created_at DESC, id DESC LIMIT $4`,
    [clientId, from, to, limit],
  );
  return rows;
}

/** Deletes every utterance a client kept (review turned off); answers how many. */
export async function deleteReviewItems(db: Queryable, clientId: string): Promise<number> {
  const res = await db.query('DELETE FROM nlu_review WHERE client_id = $1', [clientId]);
  return res.rowCount ?? 0;
}

/** One kept utterance of the client, if it is still there. */
export async function findReviewItem(
  db: Queryable,
  clientId: string,
  id: string,
): Promise<ReviewRow | undefined> {
  const { rows } = await db.query<ReviewRow>(
    `SELECT ${REVIEW_COLUMNS} FROM nlu_review WHERE client_id = $1 AND id = $2`,
    [clientId, id],
  );
  return rows[0];
}

/** Deletes one kept utterance (it was taught to the bot). */
export async function deleteReviewItem(db: Queryable, clientId: string, id: string): Promise<void> {
  await db.query('DELETE FROM nlu_review WHERE client_id = $1 AND id = $2', [clientId, id]);
}
