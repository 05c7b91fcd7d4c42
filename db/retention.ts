import { clientSettingsSchema, type ClientSettings } from '../settings/client-settings';
import { ident } from './subject-tables';
import type { Queryable } from './pool';

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
  { table: 'media', column: 'created_at', setting: 'mediaDays' },
  { table: 'orders', column: 'completed_at', setting: 'orderRecordDays' },
];

/** Rows deleted per table. */
export type SweepResult = Record<string, number>;

const defaults = clientSettingsSchema.parse({}).retention;

/** Applies every rule for every client as of `now`. One statement per rule; idempotent. */
export async function sweepRetention(
  db: Queryable,
  now: Date,
  rules: readonly RetentionRule[] = RETENTION_RULES,
): Promise<SweepResult> {
  const result: SweepResult = {};
  for (const rule of rules) {
    if (!(await columnExists(db, rule.table, rule.column))) continue;
    const res = await db.query(
      `DELETE FROM ${ident(rule.table)} t USING clients c
       WHERE t.client_id = c.id
         AND t.${ident(rule.column)} < $1::timestamptz - make_interval(days =>
               COALESCE((c.settings->'retention'->>$2)::int, $3::int))`,
      [now.toISOString(), rule.setting, defaults[rule.setting]],
    );
    result[rule.table] = res.rowCount ?? 0;
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
