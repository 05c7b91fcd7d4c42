import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { provisionClient } from '../../api/provisioning';
import { blindIndexKey } from '../../crypto/keys';
import { createSecretBox } from '../../crypto/secret-box';
import { findOutboundByWamidHash, statusHistory } from '../../db/messages';
import { hashStoredWamids } from '../../db/wamid-backfill';
import { wamidHash } from '../../whatsapp/wamid';
import { createTestDatabase, type TestDatabase } from '../support/env';
import { scanDatabase } from '../support/privacy-scan';
import { wamid } from '../support/whatsapp';

const NUMBER = '5511987650099';
const SUBJECT = 's'.repeat(64);

/**
 * Before migration 170, wamids were stored in clear; SQL cannot hash them (it has no key), so the
 * API and the worker do at start. Rows are written here as the old code wrote them.
 */
describe('privacy: wamids stored before the upgrade are hashed at start', () => {
  let db: TestDatabase;
  let clientId: string;
  const key = Buffer.alloc(32, 7);
  const indexKey = blindIndexKey(key);
  const inbound = wamid(NUMBER);
  const outbound = wamid(NUMBER);
  const hash = (id: string) => wamidHash(indexKey, clientId, id);
  const replyKey = (id: string) => `conversation:${clientId}:100:${SUBJECT.slice(0, 40)}:reply:${id}`;

  before(async () => {
    db = await createTestDatabase();
    ({ clientId } = await provisionClient(
      { db: db.pool, secrets: createSecretBox(key) },
      { name: 'Old shop', phoneNumberIds: ['100'] },
    ));
    const q = (sql: string, values: unknown[]) => db.pool.query(sql, values);
    await q(
      `INSERT INTO messages(id, client_id, subject_hash, phone_number_id, direction, wamid_hash, type, status, occurred_at)
       VALUES ($2, $1, $4, '100', 'in', $2, 'text', 'received', now()),
              ($5, $1, $4, '100', 'out', $3, 'text', 'sent', now())`,
      [clientId, inbound, outbound, SUBJECT, replyKey(inbound)],
    );
    await q(
      `INSERT INTO message_status_events(client_id, wamid_hash, status, occurred_at) VALUES ($1, $2, 'sent', now())`,
      [clientId, outbound],
    );
    await q(
      `INSERT INTO media(client_id, message_id, subject_hash, media_id, kind, status) VALUES ($1, $2, $3, 'm1', 'image', 'failed')`,
      [clientId, inbound, SUBJECT],
    );
    await q(
      `INSERT INTO nlu_results(client_id, message_id, subject_hash, engine, result_enc) VALUES ($1, $2, $3, 'builtin', 'x')`,
      [clientId, inbound, SUBJECT],
    );
    await q(
      `INSERT INTO nlu_review(client_id, subject_hash, text_enc, message_id) VALUES ($1, $3, 'x', $2)`,
      [clientId, inbound, SUBJECT],
    );
    await q(
      `INSERT INTO orders(client_id, order_id, subject_hash, status, currency, subtotal, details_enc, content_hash,
                          source, version, created_at, updated_at)
       VALUES ($1, 'WA-1', $3, 'created', 'EUR', 100, 'x', 'message:' || $2, 'catalogue', 1, now(), now())`,
      [clientId, inbound, SUBJECT],
    );
    await q(
      `INSERT INTO order_notifications(client_id, order_id, event, status, wamid_hash) VALUES ($1, 'WA-1', 'confirmed', 'sent', $2)`,
      [clientId, outbound],
    );
    // The same message counted twice: once before the upgrade (clear key), once after (Meta redelivered).
    await q(
      `INSERT INTO insight_events(client_id, kind, event_key) VALUES
         ($1, 'message_in', $2), ($1, 'message_in', $3), ($1, 'notification_status', $4 || ':read'),
         ($1, 'handoff_requested', 'not-a-token:wamid.')`,
      [clientId, inbound, hash(inbound), outbound],
    );
  });
  after(async () => {
    await db?.drop();
  });

  it('when ids were stored in clear before the upgrade, then the start-up step hashes every one, lookups by hash find them, and a second run does nothing', async () => {
    assert.ok((await scanDatabase(db.pool, [inbound, outbound])).found.length > 0, 'in clear before');
    const counts = await hashStoredWamids(db.pool, indexKey);
    assert.ok((counts.messages ?? 0) >= 3, `messages hashed (${JSON.stringify(counts)})`);
    assert.deepEqual((await scanDatabase(db.pool, [inbound, outbound])).found, []);

    assert.equal(
      (await findOutboundByWamidHash(db.pool, clientId, hash(outbound)))?.id,
      replyKey(hash(inbound)),
    );
    assert.deepEqual(
      (await statusHistory(db.pool, clientId, hash(outbound))).map((s) => s.status),
      ['sent'],
    );
    const ids = await db.pool.query<{ id: string }>("SELECT id FROM messages WHERE direction = 'in'");
    assert.deepEqual(
      ids.rows.map((r) => r.id),
      [hash(inbound)],
      'the inbound id is the one the webhook now gives',
    );
    const counted = await db.pool.query("SELECT 1 FROM insight_events WHERE kind = 'message_in'");
    assert.equal(counted.rowCount, 1, 'the duplicate count went');
    const pending = await db.pool.query('SELECT 1 FROM wamid_rehash_pending');
    assert.equal(pending.rowCount, 0);
    const odd = await db.pool.query("SELECT 1 FROM insight_events WHERE event_key = 'not-a-token:wamid.'");
    assert.equal(odd.rowCount, 1, 'a key with no id in it is left as it is');
    assert.deepEqual(await hashStoredWamids(db.pool, indexKey), {});
  });
});
