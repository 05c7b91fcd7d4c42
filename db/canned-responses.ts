import { randomUUID } from 'node:crypto';
import type { Language } from '../i18n';
import type { Queryable } from './pool';

/** A client's prepared reply in one language; `body` may hold `{{variables}}` (api/canned.ts). */
export interface CannedResponse {
  id: string;
  shortcut: string;
  language: Language;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export type CannedContent = Pick<CannedResponse, 'shortcut' | 'language' | 'body'>;

interface CannedRecord {
  id: string;
  shortcut: string;
  language: Language;
  body: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, shortcut, language, body, created_at, updated_at';

const responseOf = (r: CannedRecord): CannedResponse => ({
  id: r.id,
  shortcut: r.shortcut,
  language: r.language,
  body: r.body,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** The shortcut is taken in that language (the unique constraint said so). */
export class DuplicateShortcutError extends Error {
  override name = 'DuplicateShortcutError';
}

const unique = (err: unknown): never => {
  if ((err as { code?: string }).code === '23505')
    throw new DuplicateShortcutError('a canned response with this shortcut exists in this language');
  throw err;
};

/** The client's canned responses, of one language or all, by shortcut. */
export async function listCannedResponses(
  db: Queryable,
  clientId: string,
  language?: Language,
): Promise<CannedResponse[]> {
  const { rows } = await db.query<CannedRecord>(
    `SELECT ${COLUMNS} FROM canned_responses WHERE client_id = $1 AND ($2::text IS NULL OR language = $2)
     ORDER BY shortcut, language`,
    [clientId, language ?? null],
  );
  return rows.map(responseOf);
}

export async function findCannedResponse(
  db: Queryable,
  clientId: string,
  id: string,
): Promise<CannedResponse | undefined> {
  const { rows } = await db.query<CannedRecord>(
    `SELECT ${COLUMNS} FROM canned_responses WHERE client_id = $1 AND id = $2`,
    [clientId, id],
  );
  return rows[0] && responseOf(rows[0]);
}

/** Adds one; throws DuplicateShortcutError when the shortcut is taken in that language. */
export async function insertCannedResponse(
  db: Queryable,
  clientId: string,
  c: CannedContent,
): Promise<CannedResponse> {
  const { rows } = await db
    .query<CannedRecord>(
      `INSERT INTO canned_responses(id, client_id, shortcut, language, body) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [`cr_${randomUUID()}`, clientId, c.shortcut, c.language, c.body],
    )
    .catch(unique);
  return responseOf(rows[0]!);
}

/** Replaces one; undefined when the client has no such response. */
export async function updateCannedResponse(
  db: Queryable,
  clientId: string,
  id: string,
  c: CannedContent,
): Promise<CannedResponse | undefined> {
  const { rows } = await db
    .query<CannedRecord>(
      `UPDATE canned_responses SET shortcut = $3, language = $4, body = $5, updated_at = now()
       WHERE client_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [clientId, id, c.shortcut, c.language, c.body],
    )
    .catch(unique);
  return rows[0] && responseOf(rows[0]);
}

export async function deleteCannedResponse(db: Queryable, clientId: string, id: string): Promise<boolean> {
  const res = await db.query('DELETE FROM canned_responses WHERE client_id = $1 AND id = $2', [clientId, id]);
  return (res.rowCount ?? 0) > 0;
}
