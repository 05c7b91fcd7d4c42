import type { Queryable } from './pool';
import type { StoredTemplate, TemplateComponent } from '../whatsapp/templates';

/** A client's template as stored: Meta's facts and when we learnt them. */
export interface TemplateRow extends StoredTemplate {
  statusAt: Date;
  syncedAt: Date | null;
}

interface Row {
  name: string;
  language: string;
  template_id: string | null;
  category: string | null;
  status: string;
  quality: string | null;
  components: TemplateComponent[];
  status_at: Date;
  synced_at: Date | null;
}

const COLUMNS = 'name, language, template_id, category, status, quality, components, status_at, synced_at';

const toRow = (r: Row): TemplateRow => ({
  name: r.name,
  language: r.language,
  templateId: r.template_id,
  category: r.category,
  status: r.status,
  quality: r.quality,
  components: r.components,
  statusAt: r.status_at,
  syncedAt: r.synced_at,
});

/**
 * Replaces the client's templates by Meta's full list as of `asOf` (the sync's start), in one
 * statement: a status a webhook applied after `asOf` is kept (it is newer than the list); templates
 * the list no longer has (deleted at Meta) are removed; the client's sync time is set.
 */
export async function replaceTemplates(
  db: Queryable,
  clientId: string,
  templates: readonly StoredTemplate[],
  asOf: Date,
): Promise<void> {
  const column = <K extends keyof StoredTemplate>(k: K) => templates.map((t) => t[k]);
  await db.query(
    `WITH listed AS (
       SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
         AS l(name, language, template_id, category, status, quality, components)
     ), gone AS (
       DELETE FROM message_templates m WHERE m.client_id = $1
         AND NOT EXISTS (SELECT 1 FROM listed l WHERE l.name = m.name AND l.language = m.language)
     )
     INSERT INTO message_templates(client_id, name, language, template_id, category, status, quality, components, status_at, synced_at)
     SELECT $1, name, language, template_id, category, status, quality, components, $9, $9 FROM listed
     ON CONFLICT (client_id, name, language) DO UPDATE SET
       template_id = excluded.template_id, category = excluded.category, components = excluded.components,
       status = CASE WHEN message_templates.status_at > excluded.status_at THEN message_templates.status ELSE excluded.status END,
       quality = CASE WHEN message_templates.status_at > excluded.status_at THEN message_templates.quality ELSE excluded.quality END,
       status_at = greatest(message_templates.status_at, excluded.status_at),
       synced_at = excluded.synced_at, updated_at = now()`,
    [
      clientId,
      column('name'),
      column('language'),
      column('templateId'),
      column('category'),
      column('status'),
      column('quality'),
      templates.map((t) => JSON.stringify(t.components)),
      asOf,
    ],
  );
  await db.query('UPDATE clients SET templates_synced_at = $2 WHERE id = $1', [clientId, asOf]);
}

export async function listTemplates(db: Queryable, clientId: string): Promise<TemplateRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM message_templates WHERE client_id = $1 ORDER BY name, language`,
    [clientId],
  );
  return rows.map(toRow);
}

export async function findTemplate(
  db: Queryable,
  clientId: string,
  name: string,
  language: string,
): Promise<TemplateRow | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM message_templates WHERE client_id = $1 AND name = $2 AND language = $3`,
    [clientId, name, language],
  );
  return rows[0] && toRow(rows[0]);
}

/** What a template webhook changes, and the time Meta gives the change (`entry.time`). */
export interface TemplateUpdate {
  templateId?: string;
  name?: string;
  language?: string;
  status?: string;
  quality?: string;
  category?: string;
  at: Date;
}

/**
 * Applies a webhook's change to the template it names (by Meta's id, else name and language) unless
 * a newer fact is stored; idempotent, so a redelivery changes nothing. False when no stored template
 * matches (the caller syncs the account to learn it).
 */
export async function applyTemplateUpdate(
  db: Queryable,
  clientId: string,
  u: TemplateUpdate,
): Promise<boolean> {
  const res = await db.query(
    `UPDATE message_templates SET
       status = coalesce($5, status), quality = coalesce($6, quality), category = coalesce($7, category),
       status_at = $8, updated_at = now()
     WHERE client_id = $1 AND status_at <= $8
       AND (($2::text IS NOT NULL AND template_id = $2) OR ($2::text IS NULL AND name = $3 AND language = $4))`,
    [
      clientId,
      u.templateId ?? null,
      u.name ?? null,
      u.language ?? null,
      u.status ?? null,
      u.quality ?? null,
      u.category ?? null,
      u.at,
    ],
  );
  if ((res.rowCount ?? 0) > 0) return true;
  const known = await db.query(
    `SELECT 1 FROM message_templates WHERE client_id = $1
     AND (($2::text IS NOT NULL AND template_id = $2) OR ($2::text IS NULL AND name = $3 AND language = $4))`,
    [clientId, u.templateId ?? null, u.name ?? null, u.language ?? null],
  );
  return (known.rowCount ?? 0) > 0; // known but newer: nothing to do
}

/** A paused or disabled template, as `/readyz` and the metric name it (no personal data). */
export interface BlockedTemplate {
  clientId: string;
  name: string;
  language: string;
  status: string;
}

/** Templates Meta paused or disabled, across clients (bounded). */
export async function blockedTemplates(db: Queryable, limit = 1000): Promise<BlockedTemplate[]> {
  const { rows } = await db.query<BlockedTemplate>(
    `SELECT client_id AS "clientId", name, language, status FROM message_templates
     WHERE status IN ('PAUSED', 'DISABLED') ORDER BY client_id, name, language LIMIT $1`,
    [limit],
  );
  return rows;
}

/** The client whose WhatsApp Business Account this is, if any. */
export async function clientIdByWaba(db: Queryable, wabaId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM clients WHERE waba_id = $1', [wabaId]);
  return rows[0]?.id;
}

/** The client's account id and when its templates were last synced. */
export async function templateAccount(
  db: Queryable,
  clientId: string,
): Promise<{ wabaId: string | null; syncedAt: Date | null } | undefined> {
  const { rows } = await db.query<{ waba_id: string | null; templates_synced_at: Date | null }>(
    'SELECT waba_id, templates_synced_at FROM clients WHERE id = $1',
    [clientId],
  );
  return rows[0] && { wabaId: rows[0].waba_id, syncedAt: rows[0].templates_synced_at };
}

/** Clients with an account to sync, in id order (the daily sync). */
export async function clientsWithWaba(db: Queryable, limit = 10_000): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM clients WHERE waba_id IS NOT NULL ORDER BY id LIMIT $1',
    [limit],
  );
  return rows.map((r) => r.id);
}
