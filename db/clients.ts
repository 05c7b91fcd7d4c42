import { randomUUID } from 'node:crypto';
import { CONTACT_COLUMNS, contactOf, type ContactRecord, type ContactRow } from './contacts';
import type { Db, Queryable } from './pool';
import { inTransaction } from './pool';

export const SCOPES = [
  'admin',
  'orders:read',
  'orders:write',
  'conversations:read',
  'agent',
  'privacy',
  'settings',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface ClientRow {
  id: string;
  name: string;
  graphAccessTokenEnc: string | null;
  settings: Record<string, unknown>;
  /** When Graph last rejected the client's token (error 190); null while it works. */
  graphTokenRejectedAt: Date | null;
}

export interface ApiKeyRow {
  id: string;
  clientId: string;
  scopes: Scope[];
}

export class PhoneNumberTakenError extends Error {
  override name = 'PhoneNumberTakenError';
  constructor(readonly phoneNumberId: string) {
    super(`phone number id ${phoneNumberId} already belongs to a client`);
  }
}

/** A WhatsApp Business Account id already given to another client (Meta's webhooks name one owner). */
export class WabaTakenError extends Error {
  override name = 'WabaTakenError';
  constructor() {
    super('wabaId: this WhatsApp Business Account already belongs to another client');
  }
}

/** Runs a write that sets `waba_id`, turning its unique violation into WabaTakenError. */
async function wabaUnique<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'clients_waba_id') throw new WabaTakenError();
    throw err;
  }
}

/** Creates a client with its numbers and first API key in one transaction; nothing is half-written. */
/** Associated data binding a sealed Graph access token to its client's row. */
export const graphTokenAad = (clientId: string) => `graph-token:${clientId}`;

export function newClientId(): string {
  return `cl_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

export async function insertClient(
  db: Db,
  input: {
    id: string;
    name: string;
    phoneNumberIds: string[];
    graphAccessTokenEnc: string | null;
    wabaId?: string | null;
    settings: Record<string, unknown>;
    apiKey: { id: string; hash: string; scopes: readonly Scope[] };
  },
): Promise<void> {
  const clientId = input.id;
  await inTransaction(db, async (tx) => {
    await wabaUnique(() =>
      tx.query(
        'INSERT INTO clients(id, name, graph_access_token_enc, settings, waba_id) VALUES ($1, $2, $3, $4, $5)',
        [clientId, input.name, input.graphAccessTokenEnc, input.settings, input.wabaId ?? null],
      ),
    );
    for (const phoneNumberId of input.phoneNumberIds) {
      const res = await tx.query(
        'INSERT INTO client_phone_numbers(phone_number_id, client_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [phoneNumberId, clientId],
      );
      if (res.rowCount === 0) throw new PhoneNumberTakenError(phoneNumberId);
    }
    await insertApiKey(tx, clientId, input.apiKey);
  });
}

export async function insertApiKey(
  db: Queryable,
  clientId: string,
  key: { id: string; hash: string; scopes: readonly Scope[]; label?: string },
): Promise<void> {
  await db.query('INSERT INTO api_keys(id, client_id, key_hash, scopes, label) VALUES ($1, $2, $3, $4, $5)', [
    key.id,
    clientId,
    key.hash,
    key.scopes,
    key.label ?? null,
  ]);
}

export async function findApiKeyByHash(db: Queryable, keyHash: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<{ id: string; client_id: string; scopes: Scope[] }>(
    'SELECT id, client_id, scopes FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
    [keyHash],
  );
  const row = rows[0];
  return row && { id: row.id, clientId: row.client_id, scopes: row.scopes };
}

export async function revokeApiKey(db: Queryable, clientId: string, keyId: string): Promise<boolean> {
  const res = await db.query(
    'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND client_id = $2 AND revoked_at IS NULL',
    [keyId, clientId],
  );
  return (res.rowCount ?? 0) > 0;
}

interface ClientRecord {
  id: string;
  name: string;
  graph_access_token_enc: string | null;
  settings: Record<string, unknown>;
  graph_token_rejected_at: Date | null;
}
const CLIENT_COLUMNS = 'c.id, c.name, c.graph_access_token_enc, c.settings, c.graph_token_rejected_at';

const clientOf = (row: ClientRecord): ClientRow => ({
  id: row.id,
  name: row.name,
  graphAccessTokenEnc: row.graph_access_token_enc,
  settings: row.settings,
  graphTokenRejectedAt: row.graph_token_rejected_at,
});

export async function findClient(db: Queryable, clientId: string): Promise<ClientRow | undefined> {
  const { rows } = await db.query<ClientRecord>(`SELECT ${CLIENT_COLUMNS} FROM clients c WHERE c.id = $1`, [
    clientId,
  ]);
  return rows[0] && clientOf(rows[0]);
}

/**
 * What a send reads first, in one statement: the client (settings, token) and the recipient's
 * contact (undefined when there is none). Undefined when the client no longer exists.
 */
export async function findClientAndContact(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<{ client: ClientRow; contact?: ContactRow } | undefined> {
  const { rows } = await db.query<ClientRecord & Partial<ContactRecord> & { has_contact: boolean }>(
    `SELECT ${CLIENT_COLUMNS}, ${CONTACT_COLUMNS}, k.subject_hash IS NOT NULL AS has_contact
       FROM clients c LEFT JOIN contacts k ON k.client_id = c.id AND k.subject_hash = $2
      WHERE c.id = $1`,
    [clientId, subjectHash],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { client: clientOf(row), ...(row.has_contact ? { contact: contactOf(row as ContactRecord) } : {}) };
}

/** The client that owns a WhatsApp business number, if any. */
export async function findClientIdByPhoneNumber(
  db: Queryable,
  phoneNumberId: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ client_id: string }>(
    'SELECT client_id FROM client_phone_numbers WHERE phone_number_id = $1',
    [phoneNumberId],
  );
  return rows[0]?.client_id;
}

/** The label a client gave one of its keys (shown to agents as a name), if any. */
export async function findApiKeyLabel(
  db: Queryable,
  clientId: string,
  keyId: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ label: string | null }>(
    'SELECT label FROM api_keys WHERE client_id = $1 AND id = $2',
    [clientId, keyId],
  );
  return rows[0]?.label ?? undefined;
}

/**
 * The labels of the agents among `actors` (`agent:<keyId>`, as conversations and transcripts name
 * them), by that same name; actors that are not one of the client's labelled keys are left out.
 */
export async function agentLabels(
  db: Queryable,
  clientId: string,
  actors: readonly (string | null | undefined)[],
): Promise<Map<string, string>> {
  const keyIds = [...new Set(actors.flatMap((a) => (a && /^agent:(.+)$/.exec(a)?.[1]) || []))];
  if (keyIds.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; label: string }>(
    'SELECT id, label FROM api_keys WHERE client_id = $1 AND id = ANY($2::text[]) AND label IS NOT NULL',
    [clientId, keyIds],
  );
  return new Map(rows.map((r) => [`agent:${r.id}`, r.label]));
}

/** What an operator sees of a client: never the token itself, only whether it is set and works. */
export interface ClientSummary {
  clientId: string;
  name: string;
  phoneNumberIds: string[];
  /** The WhatsApp Business Account its templates are synced from, when provisioned with one. */
  wabaId?: string;
  graphToken: { status: 'ok' | 'rejected' | 'missing'; rejectedAt?: string; rotatedAt?: string };
  createdAt: string;
}

interface SummaryRow {
  id: string;
  name: string;
  phone_number_ids: string[];
  waba_id: string | null;
  has_token: boolean;
  graph_token_rejected_at: Date | null;
  graph_token_rotated_at: Date | null;
  created_at: Date;
}

const SUMMARY_SELECT = `SELECT c.id, c.name, c.created_at, c.waba_id, c.graph_access_token_enc IS NOT NULL AS has_token,
    c.graph_token_rejected_at, c.graph_token_rotated_at,
    coalesce(array_agg(p.phone_number_id ORDER BY p.phone_number_id) FILTER (WHERE p.phone_number_id IS NOT NULL), '{}') AS phone_number_ids
  FROM clients c LEFT JOIN client_phone_numbers p ON p.client_id = c.id`;

function toSummary(row: SummaryRow): ClientSummary {
  const status = !row.has_token ? 'missing' : row.graph_token_rejected_at ? 'rejected' : 'ok';
  return {
    clientId: row.id,
    name: row.name,
    phoneNumberIds: row.phone_number_ids,
    ...(row.waba_id ? { wabaId: row.waba_id } : {}),
    graphToken: {
      status,
      ...(row.graph_token_rejected_at ? { rejectedAt: row.graph_token_rejected_at.toISOString() } : {}),
      ...(row.graph_token_rotated_at ? { rotatedAt: row.graph_token_rotated_at.toISOString() } : {}),
    },
    createdAt: row.created_at.toISOString(),
  };
}

/** Clients in creation order, `limit` at a time after the client id `after` (keyset pagination). */
export async function listClients(
  db: Queryable,
  page: { limit: number; after?: string },
): Promise<ClientSummary[]> {
  const { rows } = await db.query<SummaryRow>(
    `${SUMMARY_SELECT}
     WHERE $1::text IS NULL OR (c.created_at, c.id) > (SELECT created_at, id FROM clients WHERE id = $1)
     GROUP BY c.id ORDER BY c.created_at, c.id LIMIT $2`,
    [page.after ?? null, page.limit],
  );
  return rows.map(toSummary);
}

export async function findClientSummary(db: Queryable, clientId: string): Promise<ClientSummary | undefined> {
  const { rows } = await db.query<SummaryRow>(`${SUMMARY_SELECT} WHERE c.id = $1 GROUP BY c.id`, [clientId]);
  return rows[0] && toSummary(rows[0]);
}

/**
 * Changes what `change` mentions, in one transaction: the name; the numbers (the new set replaces
 * the old one; a number of another client throws PhoneNumberTakenError and nothing changes); the
 * sealed Graph token (a rotation clears the rejection flag). Returns false when there is no such client.
 */
export async function updateClient(
  db: Db,
  clientId: string,
  change: { name?: string; phoneNumberIds?: string[]; graphAccessTokenEnc?: string; wabaId?: string },
): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const found = await tx.query('SELECT 1 FROM clients WHERE id = $1 FOR UPDATE', [clientId]);
    if (found.rowCount === 0) return false;
    if (change.name !== undefined)
      await tx.query('UPDATE clients SET name = $2 WHERE id = $1', [clientId, change.name]);
    if (change.wabaId !== undefined) await moveToWaba(tx, clientId, change.wabaId);
    if (change.graphAccessTokenEnc !== undefined)
      await tx.query(
        `UPDATE clients SET graph_access_token_enc = $2, graph_token_rotated_at = now(), graph_token_rejected_at = NULL
         WHERE id = $1`,
        [clientId, change.graphAccessTokenEnc],
      );
    if (change.phoneNumberIds) await replacePhoneNumbers(tx, clientId, change.phoneNumberIds);
    return true;
  });
}

/** Clients whose Graph token was sealed under another key than `keyId` (a rotation re-seals them). */
export async function graphTokensSealedElsewhere(
  db: Queryable,
  keyId: string,
  limit: number,
): Promise<{ clientId: string; sealed: string }[]> {
  const { rows } = await db.query<{ id: string; graph_access_token_enc: string }>(
    `SELECT id, graph_access_token_enc FROM clients
     WHERE graph_access_token_enc IS NOT NULL AND split_part(graph_access_token_enc, '.', 2) <> $1
     ORDER BY id LIMIT $2`,
    [keyId, limit],
  );
  return rows.map((r) => ({ clientId: r.id, sealed: r.graph_access_token_enc }));
}

/**
 * Replaces a sealed Graph token by the same token sealed anew, unless the token changed meanwhile;
 * not a token rotation, so `graph_token_rotated_at` stays. False when it changed (the new one is current).
 */
export async function resealGraphToken(
  db: Queryable,
  clientId: string,
  from: string,
  to: string,
): Promise<boolean> {
  const res = await db.query(
    'UPDATE clients SET graph_access_token_enc = $3 WHERE id = $1 AND graph_access_token_enc = $2',
    [clientId, from, to],
  );
  return (res.rowCount ?? 0) > 0;
}

/** A new account's templates are not the old one's: they are forgotten until the next sync. */
async function moveToWaba(tx: Queryable, clientId: string, wabaId: string): Promise<void> {
  const moved = await wabaUnique(() =>
    tx.query(
      `UPDATE clients SET waba_id = $2, templates_synced_at = NULL
       WHERE id = $1 AND waba_id IS DISTINCT FROM $2`,
      [clientId, wabaId],
    ),
  );
  if ((moved.rowCount ?? 0) > 0)
    await tx.query('DELETE FROM message_templates WHERE client_id = $1', [clientId]);
}

async function replacePhoneNumbers(tx: Queryable, clientId: string, phoneNumberIds: string[]): Promise<void> {
  await tx.query(
    'DELETE FROM client_phone_numbers WHERE client_id = $1 AND NOT (phone_number_id = ANY($2))',
    [clientId, phoneNumberIds],
  );
  for (const phoneNumberId of phoneNumberIds) {
    const res = await tx.query(
      `INSERT INTO client_phone_numbers(phone_number_id, client_id) VALUES ($1, $2)
       ON CONFLICT (phone_number_id) DO UPDATE SET client_id = excluded.client_id
       WHERE client_phone_numbers.client_id = excluded.client_id`,
      [phoneNumberId, clientId],
    );
    if (res.rowCount === 0) throw new PhoneNumberTakenError(phoneNumberId);
  }
}

/** A client's API keys (revoked ones too), newest first: labels and scopes, never the hash. */
export async function listApiKeys(
  db: Queryable,
  clientId: string,
): Promise<
  { keyId: string; label: string | null; scopes: Scope[]; createdAt: string; revokedAt: string | null }[]
> {
  const { rows } = await db.query<{
    id: string;
    label: string | null;
    scopes: Scope[];
    created_at: Date;
    revoked_at: Date | null;
  }>(
    'SELECT id, label, scopes, created_at, revoked_at FROM api_keys WHERE client_id = $1 ORDER BY created_at DESC, id',
    [clientId],
  );
  return rows.map((r) => ({
    keyId: r.id,
    label: r.label,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

/** Records that Graph rejected the client's token (190), or, with `false`, that it works again. */
export async function setGraphTokenRejected(
  db: Queryable,
  clientId: string,
  rejected: boolean,
): Promise<void> {
  await db.query(
    `UPDATE clients SET graph_token_rejected_at = CASE WHEN $2 THEN coalesce(graph_token_rejected_at, now()) END
     WHERE id = $1`,
    [clientId, rejected],
  );
}

/** Clients whose Graph token was rejected and not yet rotated or seen working again. */
export async function clientsWithRejectedToken(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM clients WHERE graph_token_rejected_at IS NOT NULL ORDER BY id LIMIT 1000',
  );
  return rows.map((r) => r.id);
}

/** The client's stored settings document, row-locked until the transaction ends (read-modify-write). */
export async function lockClientSettings(db: Queryable, clientId: string): Promise<unknown> {
  const { rows } = await db.query<{ settings: unknown }>(
    'SELECT settings FROM clients WHERE id = $1 FOR UPDATE',
    [clientId],
  );
  return rows[0]?.settings;
}

export async function saveClientSettings(db: Queryable, clientId: string, settings: unknown): Promise<void> {
  await db.query('UPDATE clients SET settings = $2 WHERE id = $1', [clientId, settings]);
}

/** A client's stored settings document (as written; defaults are filled by `settingsFrom`), or undefined. */
export async function findStoredSettings(
  db: Queryable,
  clientId: string,
): Promise<{ settings: unknown } | undefined> {
  const { rows } = await db.query<{ settings: unknown }>('SELECT settings FROM clients WHERE id = $1', [
    clientId,
  ]);
  return rows[0];
}

/** The business numbers of every client, oldest client first (the sandbox phone's list). */
export async function listPhoneNumbers(
  db: Queryable,
  limit: number,
): Promise<{ phoneNumberId: string; clientName: string }[]> {
  const { rows } = await db.query<{ phoneNumberId: string; clientName: string }>(
    `SELECT n.phone_number_id AS "phoneNumberId", c.name AS "clientName"
     FROM client_phone_numbers n JOIN clients c ON c.id = n.client_id
     ORDER BY c.created_at, n.phone_number_id LIMIT $1`,
    [limit],
  );
  return rows;
}

/** The business numbers a client owns now. */
export async function phoneNumberIdsOf(db: Queryable, clientId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT phone_number_id AS id FROM client_phone_numbers WHERE client_id = $1 ORDER BY phone_number_id',
    [clientId],
  );
  return rows.map((r) => r.id);
}
