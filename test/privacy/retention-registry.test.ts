import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { LocalKms } from '../../crypto/kms';
import { SubjectErasedError, SubjectVault } from '../../crypto/vault';
import {
  RETENTION_EXEMPT,
  RETENTION_RULES,
  sweepRetention,
  tablesWithoutRetention,
} from '../../db/retention';
import { subjectTables } from '../../db/subject-tables';
import { createTestDatabase, type TestDatabase } from '../support/env';

const DAY = 24 * 60 * 60 * 1000;

describe('retention covers every subject table (registry, controlled clock)', () => {
  let db: TestDatabase;

  /**
   * A fresh client keeping transcripts and media 30 days and order records 365, a clock 100 days
   * ahead (`now`, and `ago(days)` before it), and a vault over the test database.
   */
  async function retentionClient() {
    const clientId = `c_${randomBytes(6).toString('hex')}`;
    await db.pool.query(`INSERT INTO clients(id, name, settings) VALUES ($1, 'shop', $2)`, [
      clientId,
      { retention: { transcriptDays: 30, mediaDays: 30, orderRecordDays: 365 } },
    ]);
    const now = new Date(Date.now() + 100 * DAY);
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    return { clientId, now, ago, vault: new SubjectVault(db.pool, new LocalKms([randomBytes(32)])) };
  }
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  it('when the schema is migrated, then every subject table has a retention rule or a reasoned exemption', async () => {
    const exempt: Record<string, string> = RETENTION_EXEMPT ?? {};
    const covered = new Set([...RETENTION_RULES.map((r) => r.table), ...Object.keys(exempt)]);
    const tables = (await subjectTables(db.pool)).map((t) => t.name);
    for (const name of ['contacts', 'consent_events', 'conversations', 'handoff_queue', 'send_pacing'])
      assert.ok(tables.includes(name), `${name} is discovered as a subject table`);
    assert.deepEqual(
      tables.filter((name) => !covered.has(name)),
      [],
      'subject tables with neither a rule nor an exemption',
    );
    for (const [table, reason] of Object.entries(exempt))
      assert.ok(reason.length > 20, `${table}'s exemption gives its reason`);
  });

  it('when a feature adds a subject table without a rule, then the registry check names it', async () => {
    await db.owner.query('CREATE TABLE test_forgotten (client_id text, subject_hash text, note_enc text)');
    try {
      assert.deepEqual(await tablesWithoutRetention(db.pool), ['test_forgotten']);
    } finally {
      await db.owner.query('DROP TABLE test_forgotten');
    }
  });

  it('when a subject has been silent past the retention period, then contacts, consent, conversations, closed handoffs and pacing go, and with nothing left the data key is destroyed', async () => {
    const { clientId, now, ago, vault } = await retentionClient();
    const silent = { clientId, subjectHash: 'a'.repeat(64) };
    const ordering = { clientId, subjectHash: 'b'.repeat(64) };
    const waiting = { clientId, subjectHash: 'c'.repeat(64) };
    for (const s of [silent, ordering, waiting]) {
      const recipient = await vault.seal(s, 'contact.recipient', '5511955550001');
      await db.pool.query(
        `INSERT INTO contacts(client_id, subject_hash, recipient_enc, updated_at) VALUES ($1, $2, $3, $4)`,
        [s.clientId, s.subjectHash, recipient, ago(40)],
      );
    }
    const sealed = (
      await db.pool.query('SELECT recipient_enc FROM contacts WHERE subject_hash = $1', [silent.subjectHash])
    ).rows[0].recipient_enc as string;
    await db.pool.query(
      `INSERT INTO consent_events(client_id, subject_hash, event, source, at) VALUES ($1, $2, 'opt_out', 'keyword', $3)`,
      [clientId, silent.subjectHash, ago(40)],
    );
    await db.pool.query(
      `INSERT INTO conversations(client_id, ref, phone_number_id, subject_hash, mode, updated_at)
       VALUES ($1, 'cv_1_a', '1', $2, 'bot', $3)`,
      [clientId, silent.subjectHash, ago(40)],
    );
    await db.pool.query(
      `INSERT INTO handoff_queue(client_id, ref, subject_hash, reason, status, queued_at, closed_at)
       VALUES ($1, 'cv_1_a', $2, 'intent', 'resolved', $3, $3), ($1, 'cv_1_c', $4, 'intent', 'waiting', $3, NULL)`,
      [clientId, silent.subjectHash, ago(40), waiting.subjectHash],
    );
    await db.pool.query(
      `INSERT INTO send_pacing(key, tat, client_id, subject_hash, updated_at) VALUES ($1, 0, $2, $3, $4)`,
      [`pair:1:${silent.subjectHash}`, clientId, silent.subjectHash, ago(40)],
    );
    await db.pool.query(
      `INSERT INTO orders(client_id, order_id, subject_hash, status, currency, subtotal, details_enc,
         content_hash, source, version, created_at, updated_at)
       VALUES ($1, 'o-1', $2, 'created', 'EUR', 100, $3, 'h', 'api', 1, $4, $4)`,
      [clientId, ordering.subjectHash, await vault.seal(ordering, 'order.details', '{}'), ago(40)],
    );

    const result = await sweepRetention(
      db.pool,
      now,
      RETENTION_RULES,
      async () => {},
      (s) => vault.forget(s),
    );
    const left = async (table: string, s: { subjectHash: string }) =>
      (
        await db.pool.query(
          `SELECT count(*)::int AS n FROM ${table} WHERE client_id = $1 AND subject_hash = $2`,
          [clientId, s.subjectHash],
        )
      ).rows[0].n as number;
    for (const table of ['contacts', 'consent_events', 'conversations', 'handoff_queue', 'send_pacing'])
      assert.equal(await left(table, silent), 0, `${table} of the silent subject is gone`);
    assert.equal(await left('subject_keys', silent), 0, 'the silent subject lost its data key');
    await assert.rejects(vault.openText(silent, 'contact.recipient', sealed), SubjectErasedError);
    assert.equal(result.subject_keys, 1);

    assert.equal(await left('contacts', ordering), 1, 'a contact with a kept order keeps its address');
    assert.equal(await left('subject_keys', ordering), 1);
    assert.equal(await left('handoff_queue', waiting), 1, 'an open handoff is kept');
    assert.equal(await left('subject_keys', waiting), 1, 'a subject with a row left keeps its key');

    const again = await sweepRetention(db.pool, now, RETENTION_RULES, async () => {});
    assert.deepEqual([again.contacts, again.subject_keys], [0, 0], 'idempotent');
  });

  it("when a subject's transcript passes the retention period, then the agents' notes on them and their conversations' labels go with it, and kept while a message is left", async () => {
    const { clientId, now, ago, vault } = await retentionClient();
    const silent = { clientId, subjectHash: 'd'.repeat(64) };
    const talking = { clientId, subjectHash: 'e'.repeat(64) };
    for (const [s, lastMessage] of [
      [silent, ago(40)],
      [talking, ago(2)],
    ] as const) {
      await db.pool.query(
        `INSERT INTO messages(id, client_id, subject_hash, phone_number_id, direction, type, status, occurred_at)
         VALUES ($1, $2, $3, '1', 'in', 'text', 'received', $4)`,
        [`m_${s.subjectHash.slice(0, 4)}`, clientId, s.subjectHash, lastMessage],
      );
      await db.pool.query(
        `INSERT INTO contact_notes(id, client_id, subject_hash, author, body_enc, created_at)
         VALUES ($1, $2, $3, 'agent:k1', $4, $5)`,
        [
          `note_${s.subjectHash.slice(0, 4)}`,
          clientId,
          s.subjectHash,
          await vault.seal(s, 'contact_notes.body', 'calls after 6pm'),
          ago(40),
        ],
      );
      await db.pool.query(
        `INSERT INTO conversation_labels(id, client_id, ref, subject_hash, label_hash, label_enc, added_by, created_at)
         VALUES ($1, $2, $3, $4, 'h', $5, 'agent:k1', $6)`,
        [
          `lbl_${s.subjectHash.slice(0, 4)}`,
          clientId,
          `cv_${s.subjectHash.slice(0, 4)}`,
          s.subjectHash,
          await vault.seal(s, 'conversation_labels.label', 'vip'),
          ago(40),
        ],
      );
    }
    const result = await sweepRetention(db.pool, now, RETENTION_RULES, async () => {});
    const left = async (table: string, s: { subjectHash: string }) =>
      (
        await db.pool.query(
          `SELECT count(*)::int AS n FROM ${table} WHERE client_id = $1 AND subject_hash = $2`,
          [clientId, s.subjectHash],
        )
      ).rows[0].n as number;
    for (const table of ['messages', 'contact_notes', 'conversation_labels'])
      assert.equal(await left(table, silent), 0, `${table} of the silent subject is gone`);
    assert.deepEqual([result.contact_notes, result.conversation_labels], [1, 1]);
    for (const table of ['messages', 'contact_notes', 'conversation_labels'])
      assert.equal(await left(table, talking), 1, `${table} of a subject with a recent message is kept`);
  });
});
