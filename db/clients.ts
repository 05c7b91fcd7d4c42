import { randomUUID } from 'node:crypto';
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
    settings: Record<string, unknown>;
    apiKey: { id: string; hash: string; scopes: readonly Scope[] };
  },
): Promise<void> {
  const clientId = input.id;
  await inTransaction(db, async (tx) => {
    await tx.query(
      'INSERT INTO clients(id, name, graph_access_token_enc, settings) VALUES ($1, $2, $3, $4)',
      [clientId, input.name, input.graphAccessTokenEnc, input.settings],
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

export async function findClient(db: Queryable, clientId: string): Promise<ClientRow | undefined> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    graph_access_token_enc: string | null;
    settings: Record<string, unknown>;
  }>('SELECT id, name, graph_access_token_enc, settings FROM clients WHERE id = $1', [clientId]);
  const row = rows[0];
  return (
    row && {
      id: row.id,
      name: row.name,
      graphAccessTokenEnc: row.graph_access_token_enc,
      settings: row.settings,
    }
  );
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
