import type { Language } from '../i18n';
import type { Queryable } from './pool';

export interface ContactRow {
  recipientEnc: string;
  optedOut: boolean;
  undeliverable: boolean;
  lastInboundAt: Date | null;
  /** The conversation's language, once the customer's writing showed it. */
  language: Language | null;
}

export interface ContactRecord {
  recipient_enc: string;
  opted_out: boolean;
  undeliverable_at: Date | null;
  last_inbound_at: Date | null;
  language: Language | null;
}
/** A contact's columns as `ContactRecord` names them, from `contacts k`. */
export const CONTACT_COLUMNS =
  'k.recipient_enc, k.opted_out, k.undeliverable_at, k.last_inbound_at, k.language';

export const contactOf = (row: ContactRecord): ContactRow => ({
  recipientEnc: row.recipient_enc,
  optedOut: row.opted_out,
  undeliverable: row.undeliverable_at !== null,
  lastInboundAt: row.last_inbound_at,
  language: row.language,
});

/** Creates or refreshes a contact; `last_inbound_at` only moves forward (Meta's clock). */
export async function upsertContact(
  db: Queryable,
  c: { clientId: string; subjectHash: string; recipientEnc: string; nameEnc: string | null; inboundAt: Date },
): Promise<void> {
  await db.query(contactUpsertSql('$1, $2, $3, $4, $5'), [
    c.clientId,
    c.subjectHash,
    c.recipientEnc,
    c.nameEnc,
    c.inboundAt,
  ]);
}

/**
 * The contact upsert for `values` (client id, subject hash, sealed number, sealed name or null,
 * inbound time): the number is refreshed, a name missing from a message keeps the known one, and the
 * 24-hour window's start only moves forward. Also a step of `recordInboundMessage`.
 */
export const contactUpsertSql = (values: string) =>
  `INSERT INTO contacts(client_id, subject_hash, recipient_enc, name_enc, last_inbound_at)
     VALUES (${values})
     ON CONFLICT (client_id, subject_hash) DO UPDATE SET
       recipient_enc = EXCLUDED.recipient_enc,
       name_enc = COALESCE(EXCLUDED.name_enc, contacts.name_enc),
       last_inbound_at = GREATEST(contacts.last_inbound_at, EXCLUDED.last_inbound_at),
       updated_at = now()`;

export async function findContact(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<ContactRow | undefined> {
  const { rows } = await db.query<ContactRecord>(
    `SELECT ${CONTACT_COLUMNS} FROM contacts k WHERE k.client_id = $1 AND k.subject_hash = $2`,
    [clientId, subjectHash],
  );
  return rows[0] && contactOf(rows[0]);
}

/** Records the conversation's language on the contact (absolute, so a retry is harmless). */
export async function setContactLanguage(
  db: Queryable,
  c: { clientId: string; subjectHash: string; language: Language },
): Promise<void> {
  await db.query(
    'UPDATE contacts SET language = $3, updated_at = now() WHERE client_id = $1 AND subject_hash = $2',
    [c.clientId, c.subjectHash, c.language],
  );
}

/** The contact's language, if known. */
export async function findContactLanguage(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<Language | undefined> {
  const { rows } = await db.query<{ language: Language | null }>(
    'SELECT language FROM contacts WHERE client_id = $1 AND subject_hash = $2',
    [clientId, subjectHash],
  );
  return rows[0]?.language ?? undefined;
}

/** Records an opt-out or opt-in on the contact and in the consent history, atomically. */
export async function setOptOut(
  db: Queryable,
  c: { clientId: string; subjectHash: string; optedOut: boolean; source: string },
): Promise<boolean> {
  const res = await db.query(
    `WITH updated AS (
       UPDATE contacts SET opted_out = $3, opted_out_at = CASE WHEN $3 THEN now() ELSE NULL END, updated_at = now()
       WHERE client_id = $1 AND subject_hash = $2 AND opted_out IS DISTINCT FROM $3
       RETURNING client_id)
     INSERT INTO consent_events(client_id, subject_hash, event, source)
     SELECT $1, $2, CASE WHEN $3 THEN 'opt_out' ELSE 'opt_in' END, $4 FROM updated`,
    [c.clientId, c.subjectHash, c.optedOut, c.source],
  );
  return (res.rowCount ?? 0) > 0;
}

export async function markUndeliverable(db: Queryable, clientId: string, subjectHash: string): Promise<void> {
  await db.query(
    'UPDATE contacts SET undeliverable_at = now(), updated_at = now() WHERE client_id = $1 AND subject_hash = $2',
    [clientId, subjectHash],
  );
}

/** The contact's WhatsApp profile name, sealed (`contact.name`); null when Meta sent none. */
export async function findContactNameEnc(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<string | null> {
  const { rows } = await db.query<{ name_enc: string | null }>(
    'SELECT name_enc FROM contacts WHERE client_id = $1 AND subject_hash = $2',
    [clientId, subjectHash],
  );
  return rows[0]?.name_enc ?? null;
}

/** What an agent's customer card shows of a contact (sealed fields still sealed). */
export interface ContactCardRow {
  recipientEnc: string;
  nameEnc: string | null;
  language: Language | null;
  optedOut: boolean;
  /** The last opt-out or opt-in, if the customer ever changed it. */
  consent: { event: 'opt_out' | 'opt_in'; source: string; at: Date } | null;
  firstContactAt: Date;
  lastInboundAt: Date | null;
}

/** The contact of a customer card, with its last consent change, in one query. */
export async function findContactCard(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<ContactCardRow | undefined> {
  const { rows } = await db.query<{
    recipient_enc: string;
    name_enc: string | null;
    language: Language | null;
    opted_out: boolean;
    created_at: Date;
    last_inbound_at: Date | null;
    event: 'opt_out' | 'opt_in' | null;
    source: string | null;
    at: Date | null;
  }>(
    `SELECT c.recipient_enc, c.name_enc, c.language, c.opted_out, c.created_at, c.last_inbound_at,
            e.event, e.source, e.at
     FROM contacts c LEFT JOIN LATERAL (
       SELECT event, source, at FROM consent_events
       WHERE client_id = c.client_id AND subject_hash = c.subject_hash ORDER BY at DESC, id DESC LIMIT 1
     ) e ON true
     WHERE c.client_id = $1 AND c.subject_hash = $2`,
    [clientId, subjectHash],
  );
  const r = rows[0];
  return (
    r && {
      recipientEnc: r.recipient_enc,
      nameEnc: r.name_enc,
      language: r.language,
      optedOut: r.opted_out,
      consent: r.event && r.at ? { event: r.event, source: r.source ?? '', at: r.at } : null,
      firstContactAt: r.created_at,
      lastInboundAt: r.last_inbound_at,
    }
  );
}

/** The sealed profile names of these contacts, by subject hash (contacts without one are left out). */
export async function contactNames(
  db: Queryable,
  clientId: string,
  subjectHashes: readonly string[],
): Promise<Map<string, string>> {
  if (subjectHashes.length === 0) return new Map();
  const { rows } = await db.query<{ subject_hash: string; name_enc: string }>(
    `SELECT subject_hash, name_enc FROM contacts
     WHERE client_id = $1 AND subject_hash = ANY($2::text[]) AND name_enc IS NOT NULL`,
    [clientId, [...new Set(subjectHashes)]],
  );
  return new Map(rows.map((r) => [r.subject_hash, r.name_enc]));
}
