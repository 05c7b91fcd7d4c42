import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mediaOf, messageContent, messageSchema, statusSchema } from '../../whatsapp/message-types';
import { endUserKey, replyAddress } from '../../whatsapp/webhook-schema';
import { messageFixtures, statusItem } from '../support/fixtures';

describe('webhook message schemas', () => {
  const fixtures = messageFixtures('5511999990000');

  for (const [name, fixture] of Object.entries(fixtures)) {
    it(`when a ${name} message arrives, then it parses and yields its text and type object`, () => {
      const parsed = messageSchema.safeParse(fixture.message);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      const content = messageContent(parsed.data);
      assert.equal(content.text, fixture.text);
      const type = String(fixture.message.type);
      const object = fixture.message[type];
      if (Array.isArray(object)) assert.deepEqual(content.payload, { [type]: object });
      else if (object !== undefined) assert.deepEqual(content.payload, object);
      if (type === 'unsupported') assert.deepEqual(content.payload, { errors: fixture.message.errors });
      if (fixture.message.context) assert.deepEqual(content.context, fixture.message.context);
    });
  }

  it('when Meta adds fields we do not know, then they are kept, not rejected', () => {
    const message: Record<string, unknown> = { ...fixtures.image!.message, brand_new: { x: 1 } };
    (message.image as Record<string, unknown>).blur_hash = 'LKO2';
    const parsed = messageSchema.parse(message);
    assert.deepEqual(parsed.brand_new, { x: 1 });
    assert.equal((parsed.image as Record<string, unknown>).blur_hash, 'LKO2');
  });

  it('when a known type lacks its object, then the error names the field', () => {
    const parsed = messageSchema.safeParse({ ...fixtures.image!.message, image: undefined });
    assert.equal(parsed.success, false);
    assert.equal(parsed.error?.issues[0]?.path[0], 'image');
    const order = messageSchema.safeParse({ ...fixtures.order!.message, order: { catalog_id: 'c' } });
    assert.deepEqual(order.error?.issues[0]?.path, ['order', 'product_items']);
  });

  it('when a message type is new to us, then it is accepted with its object as payload', () => {
    const parsed = messageSchema.parse({
      from: '1',
      id: 'wamid.x',
      timestamp: '1',
      type: 'hologram',
      hologram: { a: 1 },
    });
    assert.deepEqual(messageContent(parsed).payload, { a: 1 });
  });

  it('when a reaction has no emoji, then it parses as a removal', () => {
    const parsed = messageSchema.parse(fixtures.reaction_removed!.message);
    assert.deepEqual(parsed.reaction, { message_id: 'wamid.ours' });
  });

  it('when a media message is read, then its media id, type and sha256 are found', () => {
    const parsed = messageSchema.parse(fixtures.audio!.message);
    assert.deepEqual(mediaOf('audio', messageContent(parsed).payload), {
      kind: 'audio',
      id: 'media-audio-1',
      mimeType: 'audio/ogg; codecs=opus',
      sha256: 'a'.repeat(64),
    });
    assert.equal(
      mediaOf('text', messageContent(messageSchema.parse(fixtures.text!.message)).payload),
      undefined,
    );
  });

  it('when statuses arrive, then known ones parse with their errors and unknown ones are rejected', () => {
    for (const s of ['sent', 'delivered', 'read', 'played'])
      assert.ok(statusSchema.safeParse(statusItem('w', s)).success);
    const failed = statusSchema.parse(statusItem('w', 'failed', { code: 131047 }));
    assert.equal(failed.errors?.[0]?.code, 131047);
    assert.equal(statusSchema.safeParse(statusItem('w', 'exploded')).success, false);
  });

  it('when a user has only a business-scoped user id, then it keys and addresses the user', () => {
    const message = messageSchema.parse({
      from_user_id: 'US.13491208655302741918',
      id: 'wamid.b',
      timestamp: '1',
      type: 'text',
      text: { body: 'hi' },
    });
    const contacts = [{ profile: { name: 'A', username: '@ana' }, user_id: 'US.13491208655302741918' }];
    assert.equal(endUserKey(message, contacts), 'US.13491208655302741918');
    assert.equal(replyAddress(message, contacts), 'US.13491208655302741918');
    const withParent = [{ ...contacts[0], parent_user_id: 'US.PARENT.1' }];
    assert.equal(endUserKey(message, withParent), 'US.PARENT.1');
  });
});
