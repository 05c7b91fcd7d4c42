import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMediaReader, eraseSubjectMedia, openStoredMedia } from '../../activities/media';
import { LocalKms } from '../../crypto/kms';
import { SubjectVault } from '../../crypto/vault';
import { findMedia } from '../../db/media';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { notification } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { postWebhook, provisionTestClient, storedWamid, waitUntil, wamid } from '../support/whatsapp';

describe('inbound media and sandbox status webhooks', () => {
  let stack: Stack;
  let vault: SubjectVault;
  before(async () => {
    stack = await startStack({ statusWebhooks: true });
    vault = new SubjectVault(stack.db.pool, new LocalKms([stack.config.masterKey]));
  });
  after(async () => {
    await stack?.close();
  });

  async function sendMedia(user: string, type: string, object: Record<string, unknown>) {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const wamidIn = wamid(user);
    const res = await postWebhook(
      stack.apiUrl,
      notification(client.phoneNumberId, {
        contacts: [{ wa_id: user, profile: { name: 'M' } }],
        messages: [
          { from: user, id: wamidIn, timestamp: String(Math.floor(Date.now() / 1000)), type, [type]: object },
        ],
      }),
    );
    assert.equal(res.status, 200);
    // Rows name the message by the hash of its wamid.
    const id = storedWamid(stack.config.masterKey, client.clientId, wamidIn);
    const row = await waitUntil(() => findMedia(stack.db.pool, client.clientId, id), 30_000, 'media row');
    return { client, id, row };
  }

  it('when a voice note arrives, then it is downloaded, checked, stored sealed, linked to the message, the bot replies, and erasure removes it', async () => {
    const voice = Buffer.from('OggS\u0000fake-opus-voice-note-bytes-0123456789');
    const mediaId = stack.graph.addMedia(voice, 'audio/ogg; codecs=opus');
    const user = '5511900000501';
    const { client, id, row } = await sendMedia(user, 'audio', {
      id: mediaId,
      mime_type: 'audio/ogg; codecs=opus',
      voice: true,
    });
    assert.equal(row.status, 'stored');
    assert.equal(row.sizeBytes, voice.length);
    const opened = await openStoredMedia(
      { db: stack.db.pool, vault, media: stack.media },
      client.clientId,
      id,
    );
    assert.deepEqual(opened?.bytes, voice);
    assert.equal(opened?.mimeType, 'audio/ogg; codecs=opus');
    const onDisk = (await stack.media.get(row.storageKey!))!;
    assert.ok(!onDisk.includes(Buffer.from('fake-opus')), 'the stored file is sealed');
    await stack.graph.waitFor((s) => s.some((m) => m.body.to === user));

    const subject = { clientId: client.clientId, subjectHash: row.subjectHash };
    const read = createMediaReader({ db: stack.db.pool, vault, media: stack.media });
    assert.deepEqual(
      await read({ ...subject, mediaId }),
      voice,
      'readable by the media id for voice understanding',
    );
    assert.equal(await eraseSubjectMedia({ db: stack.db.pool, media: stack.media }, subject), 1);
    assert.equal(await stack.media.get(row.storageKey!), undefined, 'the file is gone');
    assert.equal(await findMedia(stack.db.pool, client.clientId, id), undefined);
    await assert.rejects(read({ ...subject, mediaId }), /media is not stored/);
  });

  it('when a download is corrupt once, then the retry stores the good file', async () => {
    const image = Buffer.from('\u0089PNG-fake-image');
    const mediaId = stack.graph.addMedia(image, 'image/png');
    stack.graph.corruptMedia(mediaId, 1);
    const { client, id, row } = await sendMedia('5511900000502', 'image', {
      id: mediaId,
      mime_type: 'image/png',
    });
    assert.equal(row.status, 'stored');
    assert.deepEqual(
      (await openStoredMedia({ db: stack.db.pool, vault, media: stack.media }, client.clientId, id))?.bytes,
      image,
    );
  });

  it('when a file never matches its sha256 or does not exist, then it is recorded as failed media and the conversation goes on', async () => {
    const mediaId = stack.graph.addMedia(Buffer.from('doc'), 'application/pdf');
    stack.graph.corruptMedia(mediaId);
    const bad = await sendMedia('5511900000503', 'document', { id: mediaId, filename: 'x.pdf' });
    assert.deepEqual([bad.row.status, bad.row.failure], ['failed', 'sha256_mismatch']);
    const gone = await sendMedia('5511900000504', 'sticker', { id: 'no-such-media-id' });
    assert.deepEqual([gone.row.status, gone.row.failure], ['failed', 'graph:100']);
    // The document is acknowledged; a sticker is not answered (and never as "did not understand").
    const sent = await stack.graph.waitFor((s) => s.some((m) => m.body.to === '5511900000503'), 30_000);
    assert.match(JSON.stringify(sent.find((m) => m.body.to === '5511900000503')!.body), /we got your file/);
    assert.equal(stack.graph.sent.filter((m) => m.body.to === '5511900000504').length, 0);
  });

  it('when the fake Graph reports statuses to the webhook, then the reply reaches read through the signed path', async () => {
    const user = '5511900000505';
    const { client } = await sendMedia(user, 'image', {
      id: stack.graph.addMedia(Buffer.from('img'), 'image/jpeg'),
    });
    const reply = (await stack.graph.waitFor((s) => s.some((m) => m.body.to === user))).find(
      (m) => m.body.to === user,
    )!;
    const replyId = storedWamid(stack.config.masterKey, client.clientId, reply.wamid);
    await waitUntil(
      async () =>
        (
          await stack.db.pool.query(`SELECT 1 FROM messages WHERE wamid_hash = $1 AND status = 'read'`, [
            replyId,
          ])
        ).rowCount,
      20_000,
      'reply read',
    );
    const { rows } = await stack.db.pool.query(
      'SELECT status FROM message_status_events WHERE wamid_hash = $1',
      [replyId],
    );
    assert.equal(rows.length, 3);
  });
});
