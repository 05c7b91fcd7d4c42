import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keyedHash } from '../../crypto/keys';
import { DecryptionError } from '../../crypto/aead';
import { SubjectErasedError } from '../../crypto/vault';
import { sweepRetention } from '../../db/retention';
import { createLogger } from '../../logging';
import { createLocalMediaStore } from '../../media/store';
import { messagesNotification } from '../../whatsapp/envelope';
import { call } from '../orders/support';
import { rotateKeysCli } from '../support/admin-cli';
import { createTestDatabase, TEST_ADMIN_TOKEN, type TestDatabase } from '../support/env';
import { findInBytes, rawHistories, scanDatabase } from '../support/privacy-scan';
import { startStack, type Stack } from '../support/stack';
import { postWebhook, provisionTestClient, textNotification, waitUntil, wamid } from '../support/whatsapp';

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const DAY = 86_400_000;

interface Person {
  waId: string;
  name: string;
  texts: string[];
  /** Every message id of theirs: the ones they sent and the ones Meta gave our replies. */
  wamids: string[];
  sealed: string[];
}
const person = (waId: string, name: string): Person => ({ waId, name, texts: [], wamids: [], sealed: [] });
/** Erased on request, during a burst of their own messages. */
const ERASED = person('5511987655001', 'Berenice Apagada');
/** Kept: the control whose data must stay whole and readable. */
const KEPT = person('5511987655002', 'Custódio Mantido');
/** At a client with one-day retention: gone by the retention sweep. */
const EXPIRED = person('5511987655003', 'Dalila Expirada');
const PHOTO_MARK = 'PHOTO-OF-THE-BROKEN-PARCEL-5511987655001';

/**
 * Privacy under operations: traffic with Meta-shaped wamids (they embed the phone number) → a
 * master-key rotation with `rotate-keys` and a restart → more traffic → the erasure of one end-user
 * during a burst of their messages → a retention sweep with a controlled clock → raw scans of every
 * PostgreSQL table, every Temporal history and workflow id, the logs and the media folder: none of
 * the erased or expired people's numbers, names, texts or wamids; the kept person's data whole.
 */
describe('privacy under operations: rotation, erasure under traffic, retention', () => {
  let db: TestDatabase;
  let stack: Stack | undefined;
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'aura-ops-media-'));
  const media = createLocalMediaStore(mediaDir);
  const logs: string[] = [];
  const log = createLogger('debug', {}, (line) => logs.push(line));
  const taskQueue = `test-privacy-ops-${randomBytes(4).toString('hex')}`;
  let shop: { clientId: string; apiKey: string; phoneNumberId: string };
  let brief: { clientId: string; apiKey: string; phoneNumberId: string };
  const current = () => stack!;

  const restart = async (env: Record<string, string>) => {
    await stack?.close();
    stack = await startStack({ database: db, media, log, env: { TEMPORAL_TASK_QUEUE: taskQueue, ...env } });
  };
  const subjectOf = (client: { clientId: string }, p: Person) => ({
    clientId: client.clientId,
    subjectHash: keyedHash(current().keys.indexKey, client.clientId, p.waId),
  });
  const repliesTo = (p: Person) => current().graph.sent.filter((m) => m.body.to === p.waId);

  /** A text from `p`, then waits for the bot's reply and keeps both ids. */
  async function say(client: { phoneNumberId: string }, p: Person, text: string, wait = true) {
    const id = wamid(p.waId);
    const before = repliesTo(p).length;
    p.texts.push(text);
    p.wamids.push(id);
    const res = await postWebhook(
      current().apiUrl,
      textNotification({ phoneNumberId: client.phoneNumberId, waId: p.waId, text, name: p.name, id }),
    );
    assert.equal(res.status, 200);
    if (!wait) return;
    await current().graph.waitFor(() => repliesTo(p).length > before, 30_000);
    p.wamids.push(...repliesTo(p).map((m) => m.wamid));
  }

  async function photo(client: { phoneNumberId: string }, p: Person) {
    const id = wamid(p.waId);
    p.wamids.push(id);
    const mediaId = current().graph.addMedia(Buffer.from(`\xff\xd8${PHOTO_MARK}`), 'image/jpeg');
    const res = await postWebhook(
      current().apiUrl,
      messagesNotification(client.phoneNumberId, {
        contacts: [{ wa_id: p.waId, profile: { name: p.name } }],
        messages: [
          {
            from: p.waId,
            id,
            timestamp: String(Math.floor(Date.now() / 1000)),
            type: 'image',
            image: { id: mediaId, mime_type: 'image/jpeg' },
          },
        ],
      }),
    );
    assert.equal(res.status, 200);
    await waitUntil(async () => walk(mediaDir).length > 0 || undefined, 30_000, 'the photo stored');
  }

  /** The sealed values of a person's rows, to prove later that nothing opens them. */
  async function keepSealed(client: { clientId: string }, p: Person) {
    const s = subjectOf(client, p);
    const { rows } = await db.pool.query<{ v: string }>(
      `SELECT body_enc AS v FROM messages WHERE client_id = $1 AND subject_hash = $2 AND body_enc IS NOT NULL
       UNION ALL SELECT name_enc FROM contacts WHERE client_id = $1 AND subject_hash = $2`,
      [s.clientId, s.subjectHash],
    );
    p.sealed = rows.map((r) => r.v);
    assert.ok(p.sealed.length >= 3, `${p.name} has sealed rows`);
  }

  before(async () => {
    db = await createTestDatabase();
    await restart({ AURA_MASTER_KEY: OLD });
    shop = await provisionTestClient(current().apiUrl, TEST_ADMIN_TOKEN);
    brief = await provisionTestClient(current().apiUrl, TEST_ADMIN_TOKEN);
    const short = { retention: { transcriptDays: 1, mediaDays: 1, orderRecordDays: 1 } };
    assert.equal((await call(current(), brief.apiKey, 'PATCH', '/v1/settings', short)).status, 200);

    // Before the rotation.
    await say(shop, ERASED, 'my parcel to Porto arrived broken');
    await photo(shop, ERASED);
    await say(shop, KEPT, 'hello, is my order on its way?');
    await say(brief, EXPIRED, 'hi, a question about returns');

    // The operator rotates the master key: new key, old as previous, rotate-keys, restart.
    assert.equal(rotateKeysCli(db.url, { current: NEW, previous: OLD }).remainingOnOldKeys, 0);
    await restart({ AURA_MASTER_KEY: NEW, AURA_MASTER_KEY_PREVIOUS: OLD });

    // After it: more traffic, then the erasure while the erased person keeps writing.
    await say(shop, ERASED, 'please refund me, Berenice');
    await say(shop, KEPT, 'thanks a lot, Custódio here');
    await keepSealed(shop, ERASED);
    const erasure = call(current(), shop.apiKey, 'DELETE', `/v1/privacy/subjects/${ERASED.waId}`);
    const burst = ['one more thing', 'are you there?', 'hello??', 'answer me', 'last one'];
    await Promise.all([erasure, ...burst.map((t) => say(shop, ERASED, `${t} (Berenice)`, false))]);
    const { requestId } = (await erasure).json as { requestId: string };
    await waitUntil(
      async () => {
        const r = await call(current(), shop.apiKey, 'GET', `/v1/privacy/requests/${requestId}`);
        return r.json.status === 'completed' || undefined;
      },
      300_000,
      'the erasure completed',
    );

    // The retention sweep runs with a clock three days ahead: the one-day client's data goes.
    await keepSealed(brief, EXPIRED);
    await sweepRetention(
      db.pool,
      new Date(Date.now() + 3 * DAY),
      undefined,
      (key) => current().media.delete(key),
      (s) => current().vault.forget(s),
    );
  });
  after(async () => {
    await stack?.close();
    await db?.drop();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  /** What must be found nowhere in clear: the erased and the expired people's data from before. */
  const gone = () => [
    ...[ERASED, EXPIRED].flatMap((p) => [p.waId, p.name, ...p.texts, ...p.wamids]),
    PHOTO_MARK,
  ];

  it('when the traffic ran, then every message id was Meta-shaped and embedded the sender’s number', () => {
    for (const p of [ERASED, KEPT, EXPIRED])
      for (const id of p.wamids.filter((w) => !current().graph.sent.some((m) => m.wamid === w)))
        assert.ok(Buffer.from(id.slice('wamid.'.length), 'base64').toString('latin1').includes(p.waId));
    assert.ok(
      KEPT.wamids.some((w) => current().graph.sent.some((m) => m.wamid === w)),
      'our replies got ids from the Graph API',
    );
  });

  it('when every PostgreSQL table is scanned raw, then none of the erased or expired people’s data is there', async () => {
    const { found, rows } = await scanDatabase(db.owner, gone());
    assert.ok(rows > 10, 'the scan read the rows');
    assert.deepEqual(found, []);
  });

  it('when their sealed values from before are tried, then nothing opens them any more', async () => {
    for (const [client, p] of [
      [shop, ERASED],
      [brief, EXPIRED],
    ] as const)
      for (const sealed of p.sealed)
        await assert.rejects(
          current().vault.openText(subjectOf(client, p), 'message.body', sealed),
          // The key is gone, or (the erased person wrote again) a fresh key that never sealed these.
          (err: unknown) => err instanceof SubjectErasedError || err instanceof DecryptionError,
        );
    const { rows } = await db.pool.query(
      'SELECT 1 FROM subject_keys WHERE client_id = $1 AND subject_hash = $2',
      [brief.clientId, subjectOf(brief, EXPIRED).subjectHash],
    );
    assert.equal(rows.length, 0, 'the expired person’s data key is destroyed');
  });

  it('when every Temporal history and workflow id is read without the codec, then none of it is there', async () => {
    const { connection } = current().temporal;
    const namespace = current().config.temporal.namespace;
    const histories = [
      ...(await rawHistories(connection, namespace, `AuraClientId = "${shop.clientId}"`)),
      ...(await rawHistories(connection, namespace, `AuraClientId = "${brief.clientId}"`)),
    ];
    assert.ok(histories.length >= 2, 'the kept conversations were read');
    assert.deepEqual(
      findInBytes(
        histories.map((h) => h.bytes),
        gone(),
      ),
      [],
    );
    const ids = (await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1000 }))
      .executions;
    assert.deepEqual(
      ids.map((e) => e.execution!.workflowId!).filter((id) => gone().some((n) => id.includes(n))),
      [],
    );
  });

  it('when the logs of all three runs and the media folder are scanned, then none of it is there', () => {
    assert.ok(logs.length > 20, 'the logs were captured');
    const text = logs.join('');
    assert.deepEqual(
      gone().filter((n) => text.includes(n)),
      [],
    );
    assert.deepEqual(
      findInBytes(
        walk(mediaDir).map((f) => readFileSync(f)),
        gone(),
      ),
      [],
    );
  });

  it('when the kept person exports their data, then everything from before and after the rotation is there and readable', async () => {
    const res = await call(current(), shop.apiKey, 'GET', `/v1/privacy/subjects/${KEPT.waId}/export`);
    assert.equal(res.status, 200);
    const text = JSON.stringify(res.json);
    for (const t of KEPT.texts) assert.ok(text.includes(t), `export holds "${t}"`);
    assert.equal(res.json.tables.contacts?.[0]?.name, KEPT.name);
    assert.deepEqual(res.json.unreadable, []);
    await say(shop, KEPT, 'still here after all that');
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
