import type { Queryable } from './pool';

/**
 * Tables that hold data about an end-user, discovered rather than listed: every table with both a
 * `client_id` and a `subject_hash` column. Tables other features add are covered by export, erasure
 * and the privacy proof tests as soon as they exist, provided they follow two conventions:
 *   - the end-user is named by `client_id` + `subject_hash` (the keyed hash, never a plain id);
 *   - PII lives in `<name>_enc` text columns sealed with SubjectVault under the field name
 *     `<table>.<name>` (the singular `<table minus s>.<name>` of the first tables is accepted too);
 *   - a `storage_key` column names a file in the media store (deleted with the row).
 */
export interface SubjectTable {
  name: string;
  columns: string[];
}

/** Keys and request bookkeeping: handled by their own code, never bulk-exported or bulk-deleted. */
const NOT_SUBJECT_DATA = new Set(['subject_keys', 'privacy_requests']);
/** Kept after erasure: the append-only record of who accessed the data (by hash, no PII). */
export const RETAINED_AFTER_ERASURE = new Set(['audit_log']);

export async function subjectTables(db: Queryable): Promise<SubjectTable[]> {
  const { rows } = await db.query<{ table_name: string; columns: string[] }>(
    `SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position) AS columns
     FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
     GROUP BY c.table_name
     HAVING bool_or(c.column_name = 'client_id') AND bool_or(c.column_name = 'subject_hash')
     ORDER BY c.table_name`,
  );
  return rows
    .filter((r) => !NOT_SUBJECT_DATA.has(r.table_name))
    .map((r) => ({ name: r.table_name, columns: r.columns }));
}

/** A table or column name from information_schema, quoted for SQL. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Every row of a subject in one table (all columns). */
export async function subjectRows(
  db: Queryable,
  table: string,
  clientId: string,
  subjectHash: string,
): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT * FROM ${ident(table)} WHERE client_id = $1 AND subject_hash = $2`,
    [clientId, subjectHash],
  );
  return rows;
}

/** Deletes a subject's rows from every subject table except the retained ones; counts per table. */
export async function deleteSubjectRows(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await subjectTables(db)) {
    if (RETAINED_AFTER_ERASURE.has(table.name)) continue;
    const res = await db.query(
      `DELETE FROM ${ident(table.name)} WHERE client_id = $1 AND subject_hash = $2`,
      [clientId, subjectHash],
    );
    counts[table.name] = res.rowCount ?? 0;
  }
  return counts;
}

/** Keys of the media-store files a subject's rows point at (every subject table with `storage_key`). */
export async function subjectFileKeys(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<string[]> {
  const keys: string[] = [];
  for (const table of await subjectTables(db)) {
    if (!table.columns.includes(STORAGE_KEY)) continue;
    const { rows } = await db.query<{ k: string }>(
      `SELECT ${STORAGE_KEY} AS k FROM ${ident(table.name)}
       WHERE client_id = $1 AND subject_hash = $2 AND ${STORAGE_KEY} IS NOT NULL`,
      [clientId, subjectHash],
    );
    keys.push(...rows.map((r) => r.k));
  }
  return keys;
}

/** The column that names a media-store file. */
export const STORAGE_KEY = 'storage_key';
