import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { createWhatsAppActivities } from '../../activities/whatsapp';

type Activities = ReturnType<typeof createWhatsAppActivities>;
import { provisionClient } from '../../api/provisioning';
import { blindIndexKey } from '../../crypto/keys';
import { LocalKms } from '../../crypto/kms';
import { createSecretBox } from '../../crypto/secret-box';
import { SubjectVault } from '../../crypto/vault';
import { upsertContact } from '../../db/contacts';
import { applyStatuses } from '../../api/delivery-status';
import { wamidHash } from '../../whatsapp/wamid';
import { statusSchema } from '../../whatsapp/webhook-schema';
import { statusItem } from '../support/fixtures';
import { startFakeGraph, type FakeGraph } from '../../sandbox/fake-graph';
import { createTestDatabase, type TestDatabase } from '../support/env';
import { testActivityDeps } from '../support/activity-deps';

const HOUR = 60 * 60 * 1000;
const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const TEMPLATE = { name: 'window_reopen_v1', language: 'en' };

describe('send activities: 24-hour window edge, pacing, mark as read', () => {
  let db: TestDatabase;
  let graph: FakeGraph;
  let vault: SubjectVault;
  let activities: Activities;
  const master = randomBytes(32);
  const secrets = createSecretBox(master);

  before(async () => {
    db = await createTestDatabase();
    graph = await startFakeGraph();
    vault = new SubjectVault(db.pool, new LocalKms([master]));
    activities = createWhatsAppActivities(
      testActivityDeps(
        { db: db.pool, temporal: {} as Client, graphUrl: graph.url, masterKey: master },
        { secrets, vault, pacing: { pairIntervalMs: 1_000, pairBurst: 2 } },
      ),
    );
  });
  after(async () => {
    await graph?.close();
    await db?.drop();
  });

  const number = () => String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
  async function clientWith(settings: Record<string, unknown> = {}) {
    const phoneNumberId = number();
    const { clientId } = await provisionClient(
      { db: db.pool, secrets },
      {
        name: 'Shop',
        phoneNumberIds: [phoneNumberId],
        graphAccessToken: 'EAAG-test-token',
        settings: settings as never,
      },
    );
    return { clientId, phoneNumberId };
  }
  async function contact(clientId: string, recipient: string, lastInboundAgoMs: number) {
    const subject = { clientId, subjectHash: randomBytes(16).toString('hex') };
    await upsertContact(db.pool, {
      ...subject,
      recipientEnc: await vault.seal(subject, 'contact.recipient', recipient),
      nameEnc: null,
      inboundAt: new Date(Date.now() - lastInboundAgoMs),
    });
    return subject;
  }
  const run = <K extends keyof Activities>(name: K, ...args: Parameters<Activities[K]>) =>
    new MockActivityEnvironment(undefined, { logger: quiet }).run(
      activities[name] as never,
      ...(args as unknown as never[]),
    ) as ReturnType<Activities[K]>;
  const send = (c: { clientId: string; phoneNumberId: string }, subjectHash: string, body = 'hello') =>
    run('sendMessage', {
      ...c,
      subjectHash,
      idempotencyKey: `k-${randomBytes(6).toString('hex')}`,
      content: { type: 'text', body },
      sentBy: 'bot',
    });

  /** The send activities over the test pool, with every `query` of theirs going through `query`. */
  function activitiesOver(query: (text: string, values?: unknown[]) => Promise<unknown>): Activities {
    const pool = new Proxy(db.pool, {
      get(target, prop) {
        if (prop === 'query') return (text: unknown, values?: unknown[]) => query(String(text), values);
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return createWhatsAppActivities(
      testActivityDeps(
        { db: pool, temporal: {} as Client, graphUrl: graph.url, masterKey: master },
        { secrets, vault },
      ),
    );
  }

  it('when the last inbound message was 23h59m ago, then free text goes out as text', async () => {
    const c = await clientWith({ templates: { window_reopen: TEMPLATE } });
    const s = await contact(c.clientId, '5511900000601', 24 * HOUR - 60_000);
    assert.deepEqual(await send(c, s.subjectHash), {
      status: 'sent',
      wamidHash: wamidHash(blindIndexKey(master), c.clientId, graph.sent.at(-1)!.wamid),
      viaTemplate: false,
    });
    assert.equal(graph.sent.at(-1)!.body.type, 'text');
  });

  it('when it was 24h01m ago, then the window template replaces free text, or the send is refused without one', async () => {
    const c = await clientWith({ templates: { window_reopen: TEMPLATE } });
    const s = await contact(c.clientId, '5511900000602', 24 * HOUR + 60_000);
    const result = await send(c, s.subjectHash);
    assert.equal(result.status === 'sent' && result.viaTemplate, true);
    assert.equal(graph.sent.at(-1)!.body.type, 'template');
    const bare = await clientWith();
    const t = await contact(bare.clientId, '5511900000603', 24 * HOUR + 60_000);
    const before = graph.sent.length;
    assert.deepEqual(await send(bare, t.subjectHash), { status: 'refused', reason: 'window_closed' });
    assert.equal(graph.sent.length, before);
  });

  it('when a bot reply goes out inside the window, then the send costs four statements: client and contact, claim, both pacing buckets, record with its insight', async () => {
    const c = await clientWith();
    const s = await contact(c.clientId, '5511900000707', HOUR);
    const statements: string[] = [];
    const counted = activitiesOver((text, values) => {
      statements.push(String(text).replace(/\s+/g, ' ').slice(0, 60));
      return db.pool.query(text, values);
    });
    const env = new MockActivityEnvironment(undefined, { logger: quiet });
    const send = (body: string) =>
      env.run(counted.sendMessage, {
        ...c,
        subjectHash: s.subjectHash,
        idempotencyKey: `k-${randomBytes(6).toString('hex')}`,
        content: { type: 'text' as const, body },
        sentBy: 'bot',
      }) as ReturnType<Activities['sendMessage']>;
    assert.equal((await send('first')).status, 'sent');
    statements.length = 0;
    assert.equal((await send('second')).status, 'sent');
    assert.equal(statements.length, 4, statements.join('\n'));
    const counts = await db.pool.query(
      "SELECT count(*)::int AS n FROM insight_events WHERE client_id = $1 AND kind = 'message_out'",
      [c.clientId],
    );
    assert.equal(counts.rows[0]?.n, 2, 'each send counted once');
  });

  it('when PostgreSQL fails to record the wamid after Meta accepted the send, then the activity retries the record (heartbeating) and the message goes out once', async () => {
    const c = await clientWith();
    const s = await contact(c.clientId, '5511900000606', HOUR);
    // The same pool, except that the first two writes of a wamid fail as a dropped connection would.
    let failures = 2;
    const flakyActivities = activitiesOver((text, values) =>
      text.includes('UPDATE messages SET wamid_hash') && failures-- > 0
        ? Promise.reject(Object.assign(new Error('Connection terminated'), { code: '57P01' }))
        : db.pool.query(text, values),
    );
    const env = new MockActivityEnvironment(undefined, { logger: quiet });
    let heartbeats = 0;
    env.on('heartbeat', () => (heartbeats += 1));
    const idempotencyKey = `k-${randomBytes(6).toString('hex')}`;
    const input = {
      ...c,
      subjectHash: s.subjectHash,
      idempotencyKey,
      content: { type: 'text' as const, body: 'once' },
      sentBy: 'bot',
    };
    // As Temporal would: run again after a failed attempt (at most three attempts).
    let result: Awaited<ReturnType<Activities['sendMessage']>> | undefined;
    for (let attempt = 0; attempt < 3 && !result; attempt += 1)
      result = (await env.run(flakyActivities.sendMessage, input).catch(() => undefined)) as typeof result;
    assert.equal(result?.status, 'sent');
    assert.equal(graph.sent.filter((m) => m.body.to === '5511900000606').length, 1, 'sent once');
    assert.equal(failures, -1, 'both failed writes were retried');
    assert.ok(heartbeats >= 3, `heartbeats after pacing and per failed write (${heartbeats})`);
    const { rows } = await db.pool.query('SELECT wamid_hash FROM messages WHERE id = $1', [idempotencyKey]);
    assert.equal(rows[0]?.wamid_hash, result?.status === 'sent' ? result.wamidHash : undefined);
  });

  /**
   * A worker that dies after Meta accepted a send and before the wamid was recorded: the first
   * attempt's record never succeeds, and the attempt ends (cancelled, as a lost worker's attempt is
   * timed out) once Meta has the message. The next attempt runs as Temporal's retry would.
   */
  async function crashAfterAccept(input: Parameters<Activities['sendMessage']>[0], to: string) {
    const dying = activitiesOver((text, values) =>
      text.includes('UPDATE messages SET wamid_hash')
        ? Promise.reject(Object.assign(new Error('Connection terminated'), { code: '57P01' }))
        : db.pool.query(text, values),
    );
    const env = new MockActivityEnvironment(undefined, { logger: quiet });
    const attempt = env.run(dying.sendMessage, input).catch(() => 'ended');
    await graph.waitFor((sent) => sent.some((m) => m.body.to === to));
    env.cancel();
    assert.equal(await attempt, 'ended');
    return graph.sent.find((m) => m.body.to === to)!;
  }
  const retrying = (acceptedWaitMs: number) =>
    createWhatsAppActivities(
      testActivityDeps(
        { db: db.pool, temporal: {} as Client, graphUrl: graph.url, masterKey: master },
        { secrets, vault, acceptedWaitMs },
      ),
    );
  const sendInput = (c: { clientId: string; phoneNumberId: string }, subjectHash: string) => ({
    ...c,
    subjectHash,
    idempotencyKey: `k-${randomBytes(6).toString('hex')}`,
    content: { type: 'text' as const, body: 'exactly once' },
    sentBy: 'bot',
  });

  it("when the worker dies between Meta's answer and the record, then the retry finds the send by the callback data its statuses echo and does not send again", async () => {
    const c = await clientWith();
    const s = await contact(c.clientId, '5511900000607', HOUR);
    const input = sendInput(c, s.subjectHash);
    const sent = await crashAfterAccept(input, '5511900000607');
    const callback = sent.body.biz_opaque_callback_data;
    assert.match(String(callback), /^[0-9a-f]{64}$/, 'a keyed hash, not personal data');
    // Meta's `sent` status arrives while the retry waits for it.
    const env = new MockActivityEnvironment(undefined, { logger: quiet });
    const retry = env.run(retrying(20_000).sendMessage, input);
    await new Promise((r) => setTimeout(r, 300));
    await applyStatuses({ db: db.pool, indexKey: blindIndexKey(master) }, c.clientId, [
      statusSchema.parse({ ...statusItem(sent.wamid, 'sent'), biz_opaque_callback_data: callback }),
    ]);
    const hash = wamidHash(blindIndexKey(master), c.clientId, sent.wamid);
    assert.deepEqual(await retry, { status: 'sent', wamidHash: hash, viaTemplate: false });
    assert.equal(graph.sent.filter((m) => m.body.to === '5511900000607').length, 1, 'sent once');
    const { rows } = await db.pool.query('SELECT wamid_hash, status FROM messages WHERE id = $1', [
      input.idempotencyKey,
    ]);
    assert.deepEqual(rows[0], { wamid_hash: hash, status: 'sent' });
  });

  it('when no status of the lost attempt comes within the wait, then the retry sends again; a first attempt pays no wait', async () => {
    const c = await clientWith();
    const s = await contact(c.clientId, '5511900000608', HOUR);
    const input = sendInput(c, s.subjectHash);
    await crashAfterAccept(input, '5511900000608');
    const env = new MockActivityEnvironment(undefined, { logger: quiet });
    let heartbeats = 0;
    env.on('heartbeat', () => (heartbeats += 1));
    const result = (await env.run(retrying(1_500).sendMessage, input)) as { status: string };
    assert.equal(result.status, 'sent');
    assert.equal(
      graph.sent.filter((m) => m.body.to === '5511900000608').length,
      2,
      'Meta never said: sent again',
    );
    assert.ok(heartbeats >= 2, `the wait heartbeats (${heartbeats})`);
    const first = sendInput(c, s.subjectHash);
    const started = Date.now();
    await new MockActivityEnvironment(undefined, { logger: quiet }).run(retrying(60_000).sendMessage, first);
    assert.ok(Date.now() - started < 30_000, 'a first attempt does not wait for statuses');
  });

  // Bounds are measured from before the first reservation: a slot is never released early, however
  // slow the machine, so these lower bounds cannot flake; no upper bound on time is asserted.
  it('when several bubbles go to one user past the pair burst, then they wait for pair slots; other users are not held up', async () => {
    const c = await clientWith();
    const s = await contact(c.clientId, '5511900000604', HOUR);
    const other = await contact(c.clientId, '5511900000605', HOUR);
    const started = Date.now();
    const bubbles = Promise.all([1, 2, 3, 4].map((n) => send(c, s.subjectHash, `bubble ${n}`)));
    await new Promise((r) => setTimeout(r, 100));
    await send(c, other.subjectHash);
    await bubbles;
    const times = graph.sent
      .filter((m) => m.body.to === '5511900000604')
      .map((m) => m.at - started)
      .sort((a, b) => a - b);
    assert.equal(times.length, 4);
    assert.ok(times[2]! >= 950, `3rd bubble waited for its pair slot (${times[2]} ms)`);
    assert.ok(times[3]! >= 1950, `4th bubble waited for its pair slot (${times[3]} ms)`);
    const otherAt = graph.sent.find((m) => m.body.to === '5511900000605')!.at - started;
    assert.ok(otherAt < times[3]!, 'another recipient went out before the paced pair finished');
  });

  it('when a number is paced at 2 messages per second, then a burst of 4 to different users spans at least a second', async () => {
    const c = await clientWith({ pacing: { messagesPerSecond: 2 } });
    const users = await Promise.all([0, 1, 2, 3].map((i) => contact(c.clientId, `551190000070${i}`, HOUR)));
    const started = Date.now();
    await Promise.all(users.map((u) => send(c, u.subjectHash)));
    const times = graph.sent
      .filter((m) => m.phoneNumberId === c.phoneNumberId)
      .map((m) => m.at - started)
      .sort((a, b) => a - b);
    assert.ok(times[2]! >= 450, `3rd send waited for a number slot (${times[2]} ms)`);
    assert.ok(times[3]! >= 950, `4th send waited for a number slot (${times[3]} ms)`);
  });

  it('when the pair limit is answered anyway (131056), then the send is retried after a 4^n s back-off', async () => {
    const c = await clientWith();
    const s = await contact(c.clientId, '5511900000606', HOUR);
    graph.failNext(131056);
    await assert.rejects(send(c, s.subjectHash), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'PairRateLimited');
      assert.equal(err.nonRetryable, false);
      assert.equal(err.nextRetryDelay, 4_000);
      return true;
    });
  });

  it('when a message is marked read with typing, then Graph gets the read receipt with a typing indicator; a refusal is swallowed', async () => {
    const c = await clientWith();
    await run('markRead', { ...c, wamid: 'wamid.IN1', typing: true });
    assert.deepEqual(
      graph.reads.map((r) => [r.messageId, r.typing]),
      [['wamid.IN1', true]],
    );
    graph.failNext(100);
    await run('markRead', { ...c, wamid: 'wamid.IN2' });
    graph.failNext(131000);
    await assert.rejects(run('markRead', { ...c, wamid: 'wamid.IN3' }), /fake error 131000/);
  });
});
