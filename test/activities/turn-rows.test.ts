import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { provisionClient } from '../../api/provisioning';
import { createSecretBox } from '../../crypto/secret-box';
import { saveBotTexts } from '../../db/bot-content';
import { setContactLanguage } from '../../db/contacts';
import { openTurnRow } from '../../db/conversations';
import { recordInboundMessage } from '../../db/messages';
import { countRows } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/env';

describe('a turn in one statement each: the conversation row and the inbound message', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  async function newClient() {
    const phoneNumberId = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const { clientId } = await provisionClient(
      { db: db.pool, secrets: createSecretBox(randomBytes(32)) },
      {
        name: 'Shop',
        phoneNumberIds: [phoneNumberId],
        graphAccessToken: 'EAAG-test-token',
        settings: { language: 'pt' } as never,
      },
    );
    return { clientId, phoneNumberId, subjectHash: randomBytes(16).toString('hex') };
  }
  const count = (from: string, params: unknown[]) =>
    countRows(db.pool, `SELECT count(*) AS n FROM ${from}`, params);

  it('when a turn opens, then the row is created once, counted once, kept current, and the settings, texts and contact language come with it', async () => {
    const c = await newClient();
    const row = { ...c, ref: `${c.phoneNumberId}:${c.subjectHash}`, assignedAgent: null };
    await saveBotTexts(db.pool, c.clientId, 'pt', { greeting: 'Olá!' });
    const first = await openTurnRow(db.pool, { ...row, mode: 'bot' });
    assert.equal((first!.settings as { language: string }).language, 'pt');
    assert.deepEqual(first!.texts, { pt: { greeting: 'Olá!' } });
    assert.equal(first!.contactLanguage, undefined, 'no contact yet');

    await recordInboundMessage(db.pool, inbound(c, 'h-1', new Date()));
    await setContactLanguage(db.pool, { ...c, language: 'es' });
    const second = await openTurnRow(db.pool, { ...row, mode: 'queued' });
    assert.equal(second!.contactLanguage, 'es');
    const known = await openTurnRow(db.pool, { ...row, mode: 'queued', languageKnown: true });
    assert.equal(known!.contactLanguage, undefined, 'not read when the conversation knows it');

    const started = "insight_events WHERE client_id = $1 AND kind = 'conversation_started'";
    assert.equal(await count(started, [c.clientId]), 1);
    const modes = await db.pool.query('SELECT mode FROM conversations WHERE client_id = $1', [c.clientId]);
    assert.deepEqual(modes.rows, [{ mode: 'queued' }]);
  });

  it('when the client no longer exists, then nothing is read and nothing is written', async () => {
    const c = await newClient();
    await db.pool.query('DELETE FROM clients WHERE id = $1', [c.clientId]);
    const row = { ...c, ref: 'r', mode: 'bot' as const, assignedAgent: null };
    assert.equal(await openTurnRow(db.pool, row), undefined);
    assert.equal(await count('conversations WHERE client_id = $1', [c.clientId]), 0);
    assert.equal(await count('insight_events WHERE client_id = $1', [c.clientId]), 0);
  });

  it('when Meta redelivers a message, then it is recorded and counted once, and the window and name never go back', async () => {
    const c = await newClient();
    const now = new Date();
    assert.equal(await recordInboundMessage(db.pool, inbound(c, 'h-2', now, 'name-1')), true);
    assert.equal(await recordInboundMessage(db.pool, inbound(c, 'h-2', now, 'name-1')), false);
    assert.equal(
      await recordInboundMessage(db.pool, inbound(c, 'h-3', new Date(now.getTime() - 60_000))),
      true,
    );
    assert.equal(await count('messages WHERE client_id = $1', [c.clientId]), 2);
    const counted = "insight_events WHERE client_id = $1 AND kind = 'message_in' AND dims->>'type' = 'text'";
    assert.equal(await count(counted, [c.clientId]), 2);
    const contact = await db.pool.query<{ last_inbound_at: Date; name_enc: string }>(
      'SELECT last_inbound_at, name_enc FROM contacts WHERE client_id = $1',
      [c.clientId],
    );
    assert.equal(contact.rows[0]!.last_inbound_at.getTime(), now.getTime());
    assert.equal(contact.rows[0]!.name_enc, 'name-1');
  });
});

/** An inbound text; the sealed columns hold markers (sealing is the vault's, tested on its own). */
function inbound(
  c: { clientId: string; phoneNumberId: string; subjectHash: string },
  wamidHash: string,
  occurredAt: Date,
  nameEnc: string | null = null,
) {
  return { ...c, wamidHash, type: 'text', recipientEnc: 'recipient', nameEnc, bodyEnc: 'body', occurredAt };
}
