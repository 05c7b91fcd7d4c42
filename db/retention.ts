import { clientSettingsSchema, type ClientSettings } from '../settings/client-settings';
import { inTransaction, type Db, type Queryable } from './pool';
import { ident, RETAINED_AFTER_ERASURE, STORAGE_KEY, subjectTables } from './subject-tables';

/**
 * What the retention sweep deletes: rows of `table` whose `column` is older than the client's
 * `retention[setting]` days. Rows whose timestamp is NULL (an order not yet completed, a handoff
 * still open) are kept, and so are rows whose subject still has rows in `keepWhileSubjectIn` (a
 * contact's reply address while one of their orders is kept). Entries whose table or column does
 * not exist (a feature not merged yet) are skipped.
 */
export interface RetentionRule {
  table: string;
  column: string;
  setting: keyof ClientSettings['retention'];
  keepWhileSubjectIn?: readonly string[];
}

/**
 * One line per subject table (db/subject-tables.ts discovers them: every table with `client_id` and
 * `subject_hash`). A table that is neither here nor in RETENTION_EXEMPT fails
 * test/privacy/retention-registry.test.ts, so a new subject table cannot be forgotten. Order
 * matters where one rule keeps rows for another: contacts go before their consent history.
 */
export const RETENTION_RULES: readonly RetentionRule[] = [
  { table: 'messages', column: 'occurred_at', setting: 'transcriptDays' },
  { table: 'nlu_results', column: 'created_at', setting: 'transcriptDays' },
  { table: 'nlu_review', column: 'created_at', setting: 'transcriptDays' },
  { table: 'media', column: 'created_at', setting: 'mediaDays' },
  { table: 'orders', column: 'completed_at', setting: 'orderRecordDays' },
  // The sealed reply address and name: needed while an order may still notify the customer.
  { table: 'contacts', column: 'updated_at', setting: 'transcriptDays', keepWhileSubjectIn: ['orders'] },
  // The opt-out evidence lives as long as the contact it applies to.
  { table: 'consent_events', column: 'at', setting: 'transcriptDays', keepWhileSubjectIn: ['contacts'] },
  { table: 'conversations', column: 'updated_at', setting: 'transcriptDays' },
  { table: 'handoff_queue', column: 'closed_at', setting: 'transcriptDays' },
  { table: 'send_pacing', column: 'updated_at', setting: 'transcriptDays' },
  // Agents' notes and labels go with the transcript they were written about: once past the
  // transcript period themselves and no message of the subject is left (messages go first, above).
  {
    table: 'contact_notes',
    column: 'created_at',
    setting: 'transcriptDays',
    keepWhileSubjectIn: ['messages'],
  },
  {
    table: 'conversation_labels',
    column: 'created_at',
    setting: 'transcriptDays',
    keepWhileSubjectIn: ['messages'],
  },
  // Outbound events hold hashes and statuses only; they go with the transcript they describe.
  { table: 'webhook_deliveries', column: 'created_at', setting: 'transcriptDays' },
];

/**
 * Subject tables the sweep leaves alone on purpose, each with its reason. `subject_keys` and
 * `privacy_requests` are not subject data (subject-tables.ts leaves them out of discovery) and are
 * listed for the reader: keys go by `shredOrphanKeys`, requests lose their hash when they complete.
 */
export const RETENTION_EXEMPT: Readonly<Record<string, string>> = {
  audit_log:
    'append-only record of who accessed what, by keyed hash, no PII; the database refuses DELETE on it',
  subject_keys: 'destroyed by shredOrphanKeys once the subject has nothing left',
  privacy_requests: 'holds no PII; the subject hash is cleared when the request completes',
};

/** A data key younger than this is kept even with nothing under it: its first row is on its way. */
const KEY_GRACE_DAYS = 1;

/** Rows deleted per table (`subject_keys`: data keys destroyed). */
export type SweepResult = Record<string, number>;

const defaults = clientSettingsSchema.parse({}).retention;

/** Subject tables (as discovered in the schema) that have neither a retention rule nor an exemption. */
export async function tablesWithoutRetention(
  db: Queryable,
  rules: readonly RetentionRule[] = RETENTION_RULES,
): Promise<string[]> {
  const covered = new Set([...rules.map((r) => r.table), ...Object.keys(RETENTION_EXEMPT)]);
  return (await subjectTables(db)).map((t) => t.name).filter((name) => !covered.has(name));
}

/**
 * Applies every rule for every client as of `now`, then destroys the data keys of subjects with
 * nothing left (crypto-shredding whatever a backup still holds); idempotent. Where the table names
 * media-store files (`storage_key`), `deleteFile` removes each file before the rows' deletion
 * commits, so no row is lost while its file survives. `onKeyDestroyed` lets the caller drop the key
 * from its cache.
 */
export async function sweepRetention(
  db: Db,
  now: Date,
  rules: readonly RetentionRule[] = RETENTION_RULES,
  deleteFile?: (key: string) => Promise<void>,
  onKeyDestroyed?: (subject: { clientId: string; subjectHash: string }) => void,
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
           ${await keepClauses(tx, rule)}
         RETURNING ${withFiles ? `t.${STORAGE_KEY}` : 'NULL'} AS k`,
        [now.toISOString(), rule.setting, defaults[rule.setting]],
      );
      for (const { k } of res.rows) if (k) await deleteFile!(k);
      return res.rowCount ?? 0;
    });
  }
  const shredded = await shredOrphanKeys(db, now);
  for (const subject of shredded) onKeyDestroyed?.(subject);
  result.subject_keys = shredded.length;
  return result;
}

/** `AND NOT EXISTS` per table that keeps the rule's rows (tables not in the schema keep nothing). */
async function keepClauses(db: Queryable, rule: RetentionRule): Promise<string> {
  const existing = new Set((await subjectTables(db)).map((t) => t.name));
  return (rule.keepWhileSubjectIn ?? [])
    .filter((table) => existing.has(table))
    .map(
      (table) =>
        `AND NOT EXISTS (SELECT 1 FROM ${ident(table)} o
           WHERE o.client_id = t.client_id AND o.subject_hash = t.subject_hash)`,
    )
    .join('\n');
}

/**
 * Destroys the data key of every subject that has no row left in any subject table (the audit log,
 * which holds nothing sealed, does not count) and whose key is older than a day as of `now`.
 * Returns the subjects whose key went.
 */
export async function shredOrphanKeys(
  db: Queryable,
  now: Date,
): Promise<{ clientId: string; subjectHash: string }[]> {
  const holders = (await subjectTables(db)).filter((t) => !RETAINED_AFTER_ERASURE.has(t.name));
  const none = holders
    .map(
      (t) =>
        `AND NOT EXISTS (SELECT 1 FROM ${ident(t.name)} o
           WHERE o.client_id = k.client_id AND o.subject_hash = k.subject_hash)`,
    )
    .join('\n');
  const { rows } = await db.query<{ client_id: string; subject_hash: string }>(
    `DELETE FROM subject_keys k
     WHERE k.created_at < $1::timestamptz - make_interval(days => $2::int)
       ${none}
     RETURNING k.client_id, k.subject_hash`,
    [now.toISOString(), KEY_GRACE_DAYS],
  );
  return rows.map((r) => ({ clientId: r.client_id, subjectHash: r.subject_hash }));
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
