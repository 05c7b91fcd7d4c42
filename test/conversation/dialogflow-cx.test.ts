import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createNluActivities } from '../../activities/nlu';
import { LocalKms } from '../../crypto/kms';
import { SubjectVault } from '../../crypto/vault';
import { createMetrics } from '../../metrics';
import { createDialogflowCxEngine, regionalEndpoint, sessionIdFor } from '../../nlu/dialogflow-cx';
import type { NluEngine } from '../../nlu/port';
import { fromStruct, toStruct } from '../../nlu/struct';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';
import { startFakeDialogflowCx, type DetectIntentCall, type FakeDialogflowCx } from '../fakes/dialogflow-cx';
import { bodyOf, endUser, type TestClient } from './helpers';

/** The parameters the fake's `order.status` match carries, every JSON kind once. */
const TRACK_PARAMETERS = {
  orderNumber: 'A-123',
  qty: 2,
  gift: true,
  tags: ['x', 'y'],
  address: { city: 'Porto' },
  note: null,
};

const VOICE_NOTE = Buffer.from('OggS\u0000fake-opus-16k-voice-note-bytes');

/** The fake agent: answers by what it was sent, as a CX agent with these routes would. */
function agentReply(call: DetectIntentCall): Record<string, unknown> {
  const text = call.queryInput.text?.text ?? '';
  const lang = call.queryInput.languageCode;
  if (call.queryInput.audio) {
    return {
      transcript: 'where is my order 555',
      languageCode: lang,
      match: { matchType: 'INTENT', confidence: 0.8, intent: { displayName: 'order.status' } },
      parameters: toStruct({ orderNumber: '555' }),
      responseMessages: [{ text: { text: ['Order 555 is on its way.'] } }],
    };
  }
  if (/agent/.test(text)) {
    return {
      languageCode: lang,
      match: { matchType: 'INTENT', confidence: 0.95, intent: { displayName: 'talk.to.human' } },
      responseMessages: [
        { text: { text: ['Let me get someone for you.'] } },
        { liveAgentHandoff: { metadata: toStruct({}) } },
      ],
    };
  }
  if (/track/.test(text)) {
    return {
      languageCode: lang,
      match: { matchType: 'INTENT', confidence: 0.9, intent: { displayName: 'order.status' } },
      parameters: toStruct(TRACK_PARAMETERS),
      responseMessages: [
        { text: { text: ['Which one?'] } },
        {
          payload: toStruct({
            type: 'buttons',
            body: 'Pick an order',
            buttons: [
              { id: 'menu:order_status', title: 'A-123' },
              { id: 'menu:human_agent', title: 'Someone else' },
            ],
          }),
        },
      ],
    };
  }
  if (/bye/.test(text)) {
    return {
      languageCode: lang,
      match: { matchType: 'INTENT', confidence: 1, intent: { displayName: 'goodbye' } },
      responseMessages: [{ endInteraction: {} }],
    };
  }
  return {
    languageCode: lang,
    match: { matchType: 'NO_MATCH', confidence: 0 },
    responseMessages: [{ text: { text: ["Sorry, I didn't get that."] } }],
  };
}

describe('Dialogflow CX engine against a local gRPC fake', () => {
  let fake: FakeDialogflowCx;
  let engine: NluEngine;
  let stack: Stack;
  let client: TestClient;
  before(async () => {
    fake = await startFakeDialogflowCx(agentReply);
    engine = createDialogflowCxEngine({
      project: 'p1',
      location: 'europe-west1',
      agent: 'agent-1',
      client: fake.client(),
    });
    stack = await startStack({ deps: { nlu: engine, fetchMedia: () => Promise.resolve(VOICE_NOTE) } });
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, { settings: { language: 'es' } });
  });
  after(async () => {
    await stack?.close();
    await fake?.close();
  });

  it('when values are converted to a Struct and back, then they survive, nested and listed', () => {
    const value = { s: 'x', n: 1.5, b: false, nil: null, list: [1, 'a', { deep: true }], obj: { k: ['v'] } };
    const struct = toStruct(value);
    assert.deepEqual(struct.fields?.s, { stringValue: 'x' });
    assert.deepEqual(struct.fields?.nil, { nullValue: 'NULL_VALUE' });
    assert.deepEqual(fromStruct(struct), value);
  });

  it('when a session id is derived, then it is stable, at most 36 characters and differs per end-user', () => {
    assert.equal(sessionIdFor('cl_1', 'a'.repeat(64)), sessionIdFor('cl_1', 'a'.repeat(64)));
    assert.ok(sessionIdFor('cl_1', 'a').length <= 36);
    assert.notEqual(sessionIdFor('cl_1', 'a'), sessionIdFor('cl_1', 'b'));
    assert.notEqual(sessionIdFor('cl_1', 'a'), sessionIdFor('cl_2', 'a'));
    assert.equal(regionalEndpoint('europe-west1'), 'europe-west1-dialogflow.googleapis.com');
    assert.equal(regionalEndpoint('global'), 'dialogflow.googleapis.com');
  });

  it('when the agent returns parameters and a custom payload, then they come back as plain JSON and buttons; ours go out as a Struct', async () => {
    const r = await engine.detect({
      clientId: 'cl_1',
      subjectHash: 'h1',
      text: 'track my stuff',
      languageHint: 'pt',
      timeZone: 'Europe/Lisbon',
    });
    assert.equal(r.intent, 'order_status');
    assert.equal(r.confidence, 0.9);
    assert.deepEqual(r.parameters, TRACK_PARAMETERS);
    assert.deepEqual(r.replies[0], { type: 'text', body: 'Which one?' });
    assert.equal(r.replies[1]?.type, 'buttons');
    const call = fake.calls.at(-1)!;
    assert.equal(
      call.session,
      `projects/p1/locations/europe-west1/agents/agent-1/sessions/${sessionIdFor('cl_1', 'h1')}`,
    );
    assert.equal(call.queryInput.languageCode, 'pt');
    assert.equal(call.queryParams?.timeZone, 'Europe/Lisbon');
    assert.deepEqual(fromStruct(call.queryParams?.parameters as never), {
      channel: 'whatsapp',
      client_language: 'pt',
    });
  });

  it('when the agent signals liveAgentHandoff or no-match, then the result says so', async () => {
    const detectEnglish = (text: string) =>
      engine.detect({ clientId: 'c', subjectHash: 'h', text, languageHint: 'en' });
    const h = await detectEnglish('agent please');
    assert.deepEqual([h.handoff, h.intent, h.noMatch], [true, 'human_agent', false]);
    const n = await detectEnglish('qwerty');
    assert.deepEqual([n.noMatch, n.intent, n.handoff], [true, 'fallback', false]);
    const e = await detectEnglish('bye');
    assert.equal(e.endInteraction, true);
  });

  it('when a voice note is understood, then OGG/Opus 16 kHz audio is sent and the transcript kept', async () => {
    const r = await engine.detect({ clientId: 'c', subjectHash: 'h', audio: VOICE_NOTE, languageHint: 'es' });
    const call = fake.calls.at(-1)!;
    assert.deepEqual(call.queryInput.audio?.config, {
      audioEncoding: 'AUDIO_ENCODING_OGG_OPUS',
      sampleRateHertz: 16000,
    });
    assert.deepEqual(Buffer.from(call.queryInput.audio!.audio), VOICE_NOTE);
    assert.equal(r.transcript, 'where is my order 555');
    assert.deepEqual(r.parameters, { orderNumber: '555' });
  });

  it('when the NLU activity runs twice for one message, then detectIntent is called once and the sealed result is returned', async () => {
    const activities = createNluActivities({
      db: stack.db.pool,
      vault: new SubjectVault(stack.db.pool, new LocalKms([stack.config.masterKey])),
      nlu: engine,
      metrics: createMetrics('worker'),
    });
    const before = fake.calls.length;
    const input = {
      clientId: client.clientId,
      subjectHash: 'f'.repeat(64),
      messageId: 'wamid.once',
      text: 'track it',
      languageHint: 'en' as const,
    };
    const first = await activities.understand(input);
    const second = await activities.understand(input);
    assert.equal(fake.calls.length - before, 1);
    assert.deepEqual(second, first);
    const { rows } = await stack.db.pool.query('SELECT result_enc FROM nlu_results WHERE message_id = $1', [
      'wamid.once',
    ]);
    assert.ok(!rows[0].result_enc.includes('A-123'), 'the recorded result is sealed');
  });

  it('when CX hands off in a conversation, then its reply is sent and the conversation is queued', async () => {
    const u = endUser(stack, client, '5511944400001');
    await u.says('agent please');
    await u.waitForMode('queued');
    const sent = await u.waitForReplies(2);
    assert.equal(bodyOf(sent[0]!), 'Let me get someone for you.');
    // The customer wrote English: the queue notice is English though the client's default is Spanish.
    assert.match(bodyOf(sent[1]!), /connecting you/);
  });

  it('when CX finds no match twice, then the conversation is queued', async () => {
    const u = endUser(stack, client, '5511944400002');
    await u.says('qwerty');
    await u.says('asdfgh');
    await u.waitForMode('queued');
  });

  it('when a voice note arrives, then its bytes from the media store reach CX and the reply comes from the transcript', async () => {
    const u = endUser(stack, client, '5511944400003');
    await u.sends({
      type: 'audio',
      payload: { id: 'media-voice-1', mime_type: 'audio/ogg; codecs=opus', voice: true },
    });
    const [reply] = await u.waitForReplies(1);
    assert.equal(bodyOf(reply!), 'Order 555 is on its way.');
    assert.deepEqual(Buffer.from(fake.calls.at(-1)!.queryInput.audio!.audio), VOICE_NOTE);
  });

  it('when CX sends a custom payload, then the user gets interactive buttons', async () => {
    const u = endUser(stack, client, '5511944400004');
    await u.says('track my parcel');
    const sent = await u.waitForReplies(2);
    assert.equal((sent[1]!.body.interactive as { type: string }).type, 'button');
  });
});
