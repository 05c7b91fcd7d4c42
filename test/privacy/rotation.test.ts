import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { seal } from '../../crypto/aead';
import { loadDeploymentKeys } from '../../crypto/deployment-keys';
import { deriveKey, keyedHash } from '../../crypto/keys';
import { rotateMasterKey } from '../../crypto/rotation';
import { createSecretBox } from '../../crypto/secret-box';
import { SubjectErasedError } from '../../crypto/vault';
import { graphTokenAad } from '../../db/clients';
import { createPool } from '../../db/pool';
import { appRoleUrl, migrateAndGrant } from '../../db/roles';
import { subjectTables } from '../../db/subject-tables';
import { masterKeyId } from '../../temporal/codec';
import { conversationWorkflowId } from '../../workflows/conversation/contract';
import { orderWorkflowId } from '../../workflows/order/contract';
import { call, orderBody, putRates } from '../orders/support';
import { rotateKeysCli } from '../support/admin-cli';
import { createTestDatabase, TEST_ADMIN_TOKEN, testInfra, type TestDatabase } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { postWebhook, provisionTestClient, textNotification, waitUntil } from '../support/whatsapp';

const WA_ID = '5511987650777';
const NAME = 'Odete Rotação';
const GRAPH_TOKEN = 'EAAG-test-token';
const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');

/**
 * Master-key rotation as an operator runs it, on one database across restarts of the whole stack:
 * data written under the old key → `AURA_MASTER_KEY=new`, `AURA_MASTER_KEY_PREVIOUS=old`,
 * `rotate-keys` → restart → the old key removed entirely → restart. The end-user must stay the
 * same subject throughout (one conversation, one data key), sends must keep opening the Graph token,
 * and the export and the erasure must reach everything written before the rotation.
 */
describe('master-key rotation keeps identity, secrets and erasure', () => {
  let db: TestDatabase;
  let stack: Stack | undefined;
  let client: { clientId: string; apiKey: string; phoneNumberId: string };
  const taskQueue = `test-rotation-${randomBytes(4).toString('hex')}`;
  let subjectHash = '';
  const order = orderBody(`+${WA_ID}`);
  let sealedName = '';

  const restart = async (env: Record<string, string>) => {
    await stack?.close();
    stack = await startStack({ database: db, env: { TEMPORAL_TASK_QUEUE: taskQueue, ...env } });
    return stack;
  };
  const converse = async (s: Stack, text: string) => {
    const res = await postWebhook(
      s.apiUrl,
      textNotification({ phoneNumberId: client.phoneNumberId, waId: WA_ID, text, name: NAME }),
    );
    assert.equal(res.status, 200);
    const [reply] = await s.graph.waitFor((sent) => sent.some((m) => m.body.to === WA_ID), 30_000);
    return reply!;
  };
  const count = async (sql: string, params: unknown[] = []) =>
    ((await db.pool.query<{ n: number }>(sql, params)).rows[0]!.n as number) ?? 0;
  const subjectRows = async () => {
    const counts: Record<string, number> = {};
    for (const t of await subjectTables(db.pool)) {
      const n = await count(
        `SELECT count(*)::int AS n FROM "${t.name}" WHERE client_id = $1 AND subject_hash = $2`,
        [client.clientId, subjectHash],
      );
      if (n > 0) counts[t.name] = n;
    }
    return counts;
  };

  before(async () => {
    db = await createTestDatabase();
    const s = await restart({ AURA_MASTER_KEY: OLD });
    client = await provisionTestClient(s.apiUrl, TEST_ADMIN_TOKEN);
    await putRates(s, client.apiKey);
    await converse(s, 'hello from before the rotation');
    subjectHash = keyedHash(s.keys.indexKey, client.clientId, WA_ID);
    assert.equal((await call(s, client.apiKey, 'POST', '/v1/orders', order)).status, 201);
    await s.graph.waitFor((sent) => sent.filter((m) => m.body.to === WA_ID).length >= 2, 30_000);
    sealedName = (
      await db.pool.query('SELECT name_enc FROM contacts WHERE client_id = $1 AND subject_hash = $2', [
        client.clientId,
        subjectHash,
      ])
    ).rows[0].name_enc as string;
  });
  after(async () => {
    await stack?.close();
    await db?.drop();
  });

  it('when the master key rotates with rotate-keys and the stack restarts, then the end-user is the same subject in the same conversation, replies open the Graph token, the order repeats idempotently and the export finds everything from before', async () => {
    const report = rotateKeysCli(db.url, { current: NEW, previous: OLD });
    assert.equal(report.remainingOnOldKeys, 0, 'nothing in PostgreSQL needs the old key any more');
    assert.equal(report.secrets, 1, 'the Graph token was re-sealed');
    const s = await restart({ AURA_MASTER_KEY: NEW, AURA_MASTER_KEY_PREVIOUS: OLD });

    const reply = await converse(s, 'good morning after the rotation');
    assert.equal(reply.accessToken, GRAPH_TOKEN, 'the reply went out with the Graph token');
    assert.equal(keyedHash(s.keys.indexKey, client.clientId, WA_ID), subjectHash, 'the same subject hash');
    assert.equal(
      await count('SELECT count(*)::int AS n FROM subject_keys WHERE client_id = $1', [client.clientId]),
      1,
    );
    assert.equal(
      await count('SELECT count(*)::int AS n FROM conversations WHERE client_id = $1', [client.clientId]),
      1,
    );
    const workflowId = conversationWorkflowId(client.clientId, client.phoneNumberId, subjectHash);
    await handledIn(s, workflowId, 2); // both messages in one conversation

    const again = await call(s, client.apiKey, 'POST', '/v1/orders', order);
    assert.equal(again.status, 200, 'the same order again is the same order, not a conflict');
    await assertExportHasEverything(s, 2);
  });

  it("when the old master key is then removed entirely, then the conversation, sends, the export and the operators' codec still work, and erasure removes everything from before and after", async () => {
    const s = await restart({ AURA_MASTER_KEY: NEW });
    const reply = await converse(s, 'hi once the old key is gone');
    assert.equal(reply.accessToken, GRAPH_TOKEN);
    const workflowId = conversationWorkflowId(client.clientId, client.phoneNumberId, subjectHash);
    await handledIn(s, workflowId, 3); // the conversation from before the rotation goes on
    const status = await call(s, client.apiKey, 'GET', `/v1/orders/${order.orderId}`);
    assert.equal(status.json.status, 'awaiting_payment', 'the order from before answers');
    await assertExportHasEverything(s, 3);
    await assertOperatorDecodesFromBefore(s, workflowId);

    const erased = await call(s, client.apiKey, 'DELETE', `/v1/privacy/subjects/${WA_ID}`);
    assert.equal(erased.status, 202);
    let state = '';
    for (let i = 0; i < 1200 && state !== 'completed'; i += 1) {
      state = (await call(s, client.apiKey, 'GET', `/v1/privacy/requests/${erased.json.requestId}`)).json
        .status;
      if (state !== 'completed') await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(state, 'completed');
    assert.deepEqual(
      Object.keys(await subjectRows()),
      ['audit_log'],
      'only the audit of export and erasure remains',
    );
    const subject = { clientId: client.clientId, subjectHash };
    await assert.rejects(s.vault.openText(subject, 'contact.name', sealedName), SubjectErasedError);
    for (const id of [workflowId, orderWorkflowId(client.clientId, order.orderId)])
      await assert.rejects(s.temporal.workflow.getHandle(id).describe(), /not found/i);
  });

  it('when a deployment upgrades, then its deployment keys are the ones it derived before and its Graph tokens sealed the old way open, get re-sealed and then need no old key', async () => {
    const upgraded = await createTestDatabase();
    try {
      const [before, after] = [randomBytes(32), randomBytes(32)];
      // What the earlier version wrote: a token under key id `dep1`, derived from the master of the day.
      const legacy = seal(
        { id: 'dep1', key: deriveKey(before, 'secret-box') },
        GRAPH_TOKEN,
        graphTokenAad('cl_up'),
      );
      await upgraded.pool.query(
        `INSERT INTO clients(id, name, graph_access_token_enc) VALUES ('cl_up', 'Up', $1)`,
        [legacy],
      );
      const first = await loadDeploymentKeys(upgraded.pool, { masterKey: before, previousMasterKeys: [] });
      assert.ok(
        first.indexKey.equals(deriveKey(before, 'blind-index')),
        'subject hashes from before still match',
      );
      assert.ok(first.contentKey.equals(deriveKey(before, 'order-content')), 'order content hashes too');
      assert.equal(createSecretBox(before).open(legacy, graphTokenAad('cl_up')), GRAPH_TOKEN);

      const report = await rotateMasterKey(upgraded.pool, { masterKey: after, previousMasterKeys: [before] });
      assert.deepEqual(
        [report.secrets, report.deploymentKeys, report.payloadKeys, report.remainingOnOldKeys],
        [1, 2, 1, 0],
      );
      const resealed = (await upgraded.pool.query(`SELECT graph_access_token_enc AS v FROM clients`)).rows[0]
        .v;
      assert.equal(createSecretBox(after).open(resealed, graphTokenAad('cl_up')), GRAPH_TOKEN);
      assert.throws(() => createSecretBox(before).open(resealed, graphTokenAad('cl_up')));
      const later = await loadDeploymentKeys(upgraded.pool, { masterKey: after, previousMasterKeys: [] });
      assert.ok(later.indexKey.equals(first.indexKey) && later.contentKey.equals(first.contentKey));
      assert.deepEqual(
        later.retiredPayloadKeys.map((k) => k.id),
        [masterKeyId(before)],
      );
      await assert.rejects(loadDeploymentKeys(upgraded.pool, { masterKey: before, previousMasterKeys: [] }));
    } finally {
      await upgraded.drop();
    }
  });

  it('when npm start runs after a master-key rotation, then its existing app role gets the password derived from the new key', async () => {
    const local = await createTestDatabase();
    const role = `aura_rot_${randomBytes(4).toString('hex')}`;
    const owner = new URL(testInfra().databaseUrl);
    owner.pathname = new URL(local.url).pathname;
    const appUrl = (master: Buffer) =>
      appRoleUrl(owner.toString(), role, deriveKey(master, 'app-db-role').toString('hex'));
    const stored = async () =>
      (await local.owner.query('SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1', [role])).rows[0]
        .p as string;
    try {
      await migrateAndGrant(owner.toString(), appUrl(randomBytes(32)));
      const before = await stored();
      const rotated = appUrl(randomBytes(32));
      await migrateAndGrant(owner.toString(), rotated, { setPassword: true });
      assert.notEqual(await stored(), before, 'the role has the new password');
      const app = createPool(rotated, 1);
      try {
        assert.equal((await app.query('SELECT current_user AS u')).rows[0].u, role);
      } finally {
        await app.end();
      }
    } finally {
      await local.drop();
      const admin = createPool(testInfra().databaseUrl, 1);
      await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
    }
  });

  /** The codec endpoint (the Temporal UI's) still opens a payload written under the removed key. */
  async function assertOperatorDecodesFromBefore(s: Stack, workflowId: string) {
    const history = await s.temporal.workflow.getHandle(workflowId).fetchHistory();
    const [payload] =
      history.events?.find((e) => e.workflowExecutionSignaledEventAttributes)
        ?.workflowExecutionSignaledEventAttributes?.input?.payloads ?? [];
    const keyId = Buffer.from(payload?.metadata?.['encryption-key-id'] ?? []).toString();
    assert.equal(keyId, masterKeyId(Buffer.from(OLD, 'base64')), 'a payload sealed under the old key');
    const b64 = (v: Uint8Array | null | undefined) => Buffer.from(v ?? []).toString('base64');
    const res = await fetch(`${s.apiUrl}/codec/decode`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-namespace': 'default',
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
      },
      body: JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(Object.entries(payload!.metadata!).map(([k, v]) => [k, b64(v)])),
            data: b64(payload!.data),
          },
        ],
      }),
    });
    assert.equal(res.status, 200);
    const { payloads } = (await res.json()) as { payloads: { data: string }[] };
    assert.ok(Buffer.from(payloads[0]!.data, 'base64').toString().includes('hello from before the rotation'));
  }

  async function handledIn(s: Stack, workflowId: string, handled: number) {
    const query = () =>
      s.temporal.workflow.getHandle(workflowId).query<{ handled: number }>('getConversation');
    await waitUntil(async () => (await query()).handled === handled, 10_000, `${handled} messages handled`);
  }

  async function assertExportHasEverything(s: Stack, inbound: number) {
    const res = await call(s, client.apiKey, 'GET', `/v1/privacy/subjects/${WA_ID}/export`);
    assert.equal(res.status, 200);
    const tables = res.json.tables as Record<string, Record<string, unknown>[]>;
    assert.deepEqual(res.json.unreadable, []);
    assert.equal(tables.contacts?.[0]?.name, NAME);
    const texts = (tables.messages ?? []).filter((m) => m.direction === 'in').map((m) => JSON.stringify(m));
    assert.equal(texts.length, inbound, 'every inbound message, from before the rotation too');
    assert.ok(
      texts.some((t) => t.includes('hello from before the rotation')),
      'the first message, written under the old key',
    );
    assert.equal(tables.orders?.length, 1, 'the order from before the rotation');
  }
});
