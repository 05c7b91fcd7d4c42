import { clientSettingsSchema, type ClientSettings } from '../settings/client-settings';
import { inTransaction, type Db, type Queryable } from './pool';
import { ident, STORAGE_KEY } from './subject-tables';

/**
 * What the retention sweep deletes: rows of `table` whose `column` is older than the client's
 * `retention[setting]` days. Rows whose timestamp is NULL (an order not yet completed) are kept.
 * A feature that stores subject data with a lifetime adds one line here; entries whose table or
 * column does not exist (a feature not merged yet) are skipped.
 */
export interface RetentionRule {
  table: string;
  column: string;
  setting: keyof ClientSettings['retention'];
}

export const RETENTION_RULES: readonly RetentionRule[] = [
  { table: 'messages', column: 'occurred_at', setting: 'transcriptDays' },
  { table: 'nlu_results', column: 'created_at', setting: 'transcriptDays' },
  { table: 'nlu_review', column: 'created_at', setting: 'transcriptDays' },
  { table: 'media', column: 'created_at', setting: 'mediaDays' },
  { table: 'orders', column: 'completed_at', setting: 'orderRecordDays' },
];

/** Rows deleted per table. */
export type SweepResult = Record<string, number>;

const defaults = clientSettingsSchema.parse({}).retention;

/**
 * Applies every rule for every client as of `now`; idempotent. Where the table names media-store
 * files (`storage_key`), `deleteFile` removes each file before the rows' deletion commits, so no row
 * is lost while its file survives.
 */
export async function sweepRetention(
  db: Db,
  now: Date,
  rules: readonly RetentionRule[] = RETENTION_RULES,
  deleteFile?: (key: string) => Promise<void>,
): Promise<SweepResult> {
  const result: SweepResult = {};
  for (const rule of rules) {
    if (!(await columnExists(db, rule.table, rule.column))) continue;
    const withFiles = await columnExists(db, rule.table, STORAGE_KEY);
    if (withFiles && !deleteFile)
      throw new Error(`${rule.table} holds media files but no media store is wired`);
    result[rule.table] = await inTransaction(db, async (tx) => {
      const res = await tx.query<{ k: string | null }>(
        `DELETE FROM ${ident(rule.table)} t USING clients c
         WHERE t.client_id = c.id
           AND t.${ident(rule.column)} < $1::timestamptz - make_interval(days =>
                 COALESCE((c.settings->'retention'->>$2)::int, $3::int))
         RETURNING ${withFiles ? `t.${STORAGE_KEY}` : 'NULL'} AS k`,
        [now.toISOString(), rule.setting, defaults[rule.setting]],
      );
      for (const { k } of res.rows) if (k) await deleteFile!(k);
      return res.rowCount ?? 0;
    });
  }
  return result;
}

async function columnExists(db: Queryable, table: string, column: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2 AND column_name <> 'client_id'`,
    [table, column],
  );
  if (rows.length === 0) return false;
  const owner = await db.query(
    `SELECT 1 FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'client_id'`,
    [table],
  );
  return owner.rows.length > 0;
}
