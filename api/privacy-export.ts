import type { Subject, SubjectVault } from '../crypto/vault';
import type { Queryable } from '../db/pool';
import { subjectRows, subjectTables } from '../db/subject-tables';

/**
 * Everything held about one end-user at one client, as one JSON document: every subject table's rows
 * (contacts, consent history, transcripts with delivery states, media, orders, the audit records of
 * who accessed the data, and whatever other features add), with sealed `_enc` columns opened.
 */
export interface SubjectExport {
  subject: { clientId: string; subjectHash: string };
  generatedAt: string;
  tables: Record<string, Record<string, unknown>[]>;
  /** Sealed values that could not be opened (a writer that does not follow the field convention). */
  unreadable: { table: string; column: string }[];
}

export async function exportSubject(
  db: Queryable,
  vault: SubjectVault,
  subject: Subject,
): Promise<SubjectExport | undefined> {
  const out: SubjectExport = {
    subject: { ...subject },
    generatedAt: new Date().toISOString(),
    tables: {},
    unreadable: [],
  };
  let found = 0;
  for (const table of await subjectTables(db)) {
    const rows = await subjectRows(db, table.name, subject.clientId, subject.subjectHash);
    if (table.name !== 'audit_log') found += rows.length;
    out.tables[table.name] = [];
    for (const row of rows) out.tables[table.name]!.push(await openRow(vault, subject, table.name, row, out));
  }
  return found > 0 ? out : undefined;
}

async function openRow(
  vault: SubjectVault,
  subject: Subject,
  table: string,
  row: Record<string, unknown>,
  out: SubjectExport,
): Promise<Record<string, unknown>> {
  const opened: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column === 'client_id' || column === 'subject_hash') continue;
    if (!column.endsWith('_enc') || typeof value !== 'string') {
      opened[column] = value instanceof Date ? value.toISOString() : value;
      continue;
    }
    const name = column.slice(0, -'_enc'.length);
    const text = await openField(
      vault,
      subject,
      [`${table}.${name}`, `${table.replace(/s$/, '')}.${name}`],
      value,
    );
    if (text === undefined) out.unreadable.push({ table, column });
    else opened[name] = parseJsonOr(text);
  }
  return opened;
}

async function openField(
  vault: SubjectVault,
  subject: Subject,
  fields: string[],
  sealed: string,
): Promise<string | undefined> {
  for (const field of fields) {
    try {
      return await vault.openText(subject, field, sealed);
    } catch {
      // try the next naming convention
    }
  }
  return undefined;
}

function parseJsonOr(text: string): unknown {
  if (!/^[[{]/.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
