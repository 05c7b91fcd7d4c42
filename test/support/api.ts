import assert from 'node:assert/strict';
import type { Queryable } from '../../db/pool';
import type { TestClient } from '../conversation/helpers';
import { TEST_ADMIN_TOKEN } from './env';
import { startStack, type Stack } from './stack';
import { mintKey, provisionTestClient } from './whatsapp';

// The tests read response shapes field by field; the API's own types are what is under test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** One JSON request to the API as `key`: its status, headers and parsed body (null when it has none). */
/** `/readyz`'s checks of a whole stack with every dependency up. */
export const ALL_READY = {
  postgres: 'ok',
  temporal: 'ok',
  worker: 'ok',
  mediaStore: 'ok',
  graphTokens: 'ok',
  templates: 'ok',
} as const;

export async function callApi(apiUrl: string, key: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${apiUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json().catch(() => null)) as Json };
}

/** The same request, which must succeed (2xx): its parsed body. */
export async function okApi(apiUrl: string, key: string, method: string, p: string, body?: unknown) {
  const r = await callApi(apiUrl, key, method, p, body);
  assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** What a `SELECT count(*) AS n …` counts. */
export async function countRows(db: Queryable, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

/** How many rows of `table` the client's subject still has (erasure and retention tests). */
export const subjectRows = (db: Queryable, table: string, clientId: string, subjectHash: string) =>
  countRows(db, `SELECT count(*) AS n FROM ${table} WHERE client_id = $1 AND subject_hash = $2`, [
    clientId,
    subjectHash,
  ]);

/**
 * The request helpers bound to one API whose address is known only once the stack runs:
 * `call` answers any status, `ok` asserts a 2xx, `mintKey` mints a key of a client.
 */
export function apiOf(apiUrl: () => string) {
  return {
    call: (key: string, method: string, p: string, body?: unknown) => callApi(apiUrl(), key, method, p, body),
    ok: (key: string, method: string, p: string, body?: unknown): Promise<Json> =>
      okApi(apiUrl(), key, method, p, body),
    mintKey: (clientId: string, scopes: string[], label?: string) =>
      mintKey(apiUrl(), clientId, scopes, label),
  };
}

/** A running stack with one provisioned client. */
export async function startWithClient(): Promise<{ stack: Stack; client: TestClient }> {
  const stack = await startStack();
  return { stack, client: await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN) };
}

/** A running stack with one provisioned client and its agent key labelled `Alice`. */
export async function startWithAgent(): Promise<{
  stack: Stack;
  client: TestClient;
  alice: { apiKey: string; keyId: string };
}> {
  const { stack, client } = await startWithClient();
  return { stack, client, alice: await mintKey(stack.apiUrl, client.clientId, ['agent'], 'Alice') };
}
