import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiOf } from '../support/api';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, waitUntil } from '../support/whatsapp';
import { bodyOf, endUser, type TestClient } from './helpers';

describe('conversation engine: agents', () => {
  let stack: Stack;
  let client: TestClient;
  let agentA: { apiKey: string; keyId: string };
  let agentB: { apiKey: string; keyId: string };
  let reader: { apiKey: string; keyId: string };

  const { call: api, mintKey } = apiOf(() => stack.apiUrl);

  before(async () => {
    stack = await startStack();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    agentA = await mintKey(client.clientId, ['agent']);
    agentB = await mintKey(client.clientId, ['agent']);
    reader = await mintKey(client.clientId, ['conversations:read']);
  });
  after(async () => {
    await stack?.close();
  });

  it('when a user asks for a human, then agents are notified, one accepts, a second is refused, and resolve hands back to the bot', async () => {
    const events = await openEventStream(stack.apiUrl, agentA.apiKey);
    const u = endUser(stack, client, '5511966600001');
    await u.says('I want to talk to a human');
    await u.waitForMode('queued');
    assert.ok(await events.waitFor((e) => e.includes('event: queued') && e.includes(u.ref)));

    const listed = await api(reader.apiKey, 'GET', '/v1/conversations?mode=queued');
    assert.equal(listed.status, 200);
    const entry = listed.json.conversations.find((c: { id: string }) => c.id === u.ref);
    assert.equal(entry.queue.position, 1);

    const accepted = await api(agentA.apiKey, 'POST', `/v1/conversations/${u.ref}/assign`);
    assert.equal(accepted.status, 200);
    assert.equal(accepted.json.assignedAgent, `agent:${agentA.keyId}`);
    const second = await api(agentB.apiKey, 'POST', `/v1/conversations/${u.ref}/assign`);
    assert.equal(second.status, 409);
    assert.match(second.json.error.message, new RegExp(`agent:${agentA.keyId}`));
    // Typed and structured: the workflow refuses with an ApplicationFailure, the API reads its details.
    assert.equal(second.json.error.details.reason, 'OwnedByAnother');
    assert.equal(second.json.error.details.owner, `agent:${agentA.keyId}`);

    await u.says('my parcel arrived broken');
    const reply = await api(agentA.apiKey, 'POST', `/v1/conversations/${u.ref}/messages`, {
      text: 'So sorry! Sending a new one.',
    });
    assert.equal(reply.status, 201);
    assert.equal(
      (await api(agentB.apiKey, 'POST', `/v1/conversations/${u.ref}/messages`, { text: 'hi' })).status,
      409,
    );
    const sent = await u.waitForReplies(3);
    assert.deepEqual(sent.map(bodyOf).slice(1), [
      "You're now chatting with a member of our team.",
      'So sorry! Sending a new one.',
    ]);

    const read = await api(agentA.apiKey, 'GET', `/v1/conversations/${u.ref}`);
    assert.equal(read.status, 200);
    assert.equal(read.json.mode, 'agent');
    const inbound = read.json.messages.filter((m: { direction: string }) => m.direction === 'in');
    assert.deepEqual(
      inbound.map((m: { content: { text: string } }) => m.content.text),
      ['I want to talk to a human', 'my parcel arrived broken'],
    );
    const agentMsg = read.json.messages.find((m: { sentBy: string }) => m.sentBy === `agent:${agentA.keyId}`);
    assert.equal(agentMsg.content.body, 'So sorry! Sending a new one.');

    const resolved = await api(agentA.apiKey, 'POST', `/v1/conversations/${u.ref}/resolve`);
    assert.equal(resolved.json.mode, 'bot');
    await u.says('hello');
    const all = await u.waitForReplies(5);
    assert.equal((all[4]!.body.interactive as { type: string }).type, 'button', 'the bot answers again');
    const { rows } = await stack.db.pool.query(
      'SELECT actor, action FROM audit_log WHERE client_id = $1 AND resource = $2 ORDER BY id',
      [client.clientId, u.ref],
    );
    assert.deepEqual(rows, [
      { actor: agentA.keyId, action: 'conversation.assign' },
      { actor: agentA.keyId, action: 'transcript.read' },
    ]);
    const queue = await stack.db.pool.query(
      'SELECT status, assigned_agent FROM handoff_queue WHERE ref = $1',
      [u.ref],
    );
    assert.deepEqual(queue.rows, [{ status: 'resolved', assigned_agent: `agent:${agentA.keyId}` }]);
    events.close();
  });

  it('when an agent takes over a bot conversation, then the bot is muted until resolve; plain assign is refused', async () => {
    const u = endUser(stack, client, '5511966600002');
    await u.says('hi');
    await u.waitForReplies(1);
    const plain = await api(agentA.apiKey, 'POST', `/v1/conversations/${u.ref}/assign`);
    assert.equal(plain.status, 409);
    assert.match(plain.json.error.message, /takeover/);
    assert.equal((await api(agentB.apiKey, 'POST', `/v1/conversations/${u.ref}/takeover`)).status, 200);
    await u.says('hello again');
    await u.waitForReplies(2);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(u.received().length, 2, 'only the greeting and the agent-joined notice');
  });

  it('when another client or a read-only key calls, then 404 / 403; bad input is a 400 naming the field', async () => {
    const u = endUser(stack, client, '5511966600003');
    await u.says('hi');
    await u.waitForReplies(1);
    const other = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const otherAgent = await mintKey(other.clientId, ['agent']);
    assert.equal((await api(otherAgent.apiKey, 'GET', `/v1/conversations/${u.ref}`)).status, 404);
    assert.equal((await api(otherAgent.apiKey, 'POST', `/v1/conversations/${u.ref}/takeover`)).status, 404);
    assert.equal((await api(reader.apiKey, 'POST', `/v1/conversations/${u.ref}/takeover`)).status, 403);
    assert.equal((await api(agentA.apiKey, 'GET', '/v1/conversations/cv_garbage')).status, 404);
    const bad = await api(agentA.apiKey, 'POST', `/v1/conversations/${u.ref}/messages`, { txt: 'x' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /text/);
    assert.equal((await api(agentA.apiKey, 'GET', '/v1/conversations?mode=sleeping')).status, 400);
  });

  it('when an agent replies outside the 24-hour window, then free text is refused, or replaced by the configured template', async () => {
    const stale = Math.floor(Date.now() / 1000) - 25 * 3600;
    const u = endUser(stack, client, '5511966600004');
    await u.says('hi', { timestamp: stale });
    await u.waitForHandled(1);
    assert.equal((await api(agentA.apiKey, 'POST', `/v1/conversations/${u.ref}/takeover`)).status, 200);
    const refused = await api(agentA.apiKey, 'POST', `/v1/conversations/${u.ref}/messages`, {
      text: 'Still there?',
    });
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error.details.reason, 'window_closed');

    const withTemplate = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { templates: { handoff_update: { name: 'agent_follow_up', language: 'en' } } },
    });
    const agent = await mintKey(withTemplate.clientId, ['agent']);
    const v = endUser(stack, withTemplate, '5511966600005');
    await v.says('hi', { timestamp: stale });
    await v.waitForHandled(1);
    assert.equal((await api(agent.apiKey, 'POST', `/v1/conversations/${v.ref}/takeover`)).status, 200);
    const sent = await api(agent.apiKey, 'POST', `/v1/conversations/${v.ref}/messages`, {
      text: 'Still there?',
    });
    assert.equal(sent.status, 201);
    assert.equal(sent.json.viaTemplate, true);
    const [template] = (await v.waitForReplies(1)).filter((m) => m.body.type === 'template');
    assert.equal((template!.body.template as { name: string }).name, 'agent_follow_up');
  });

  it('when the assigned agent stays silent for agentIdleMinutes, then they are released and the user is re-queued ahead', async () => {
    const idle = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { handoff: { slaMinutes: 30, maxWaitMinutes: 120, agentIdleMinutes: 1, keywords: [] } },
    });
    const agent = await mintKey(idle.clientId, ['agent']);
    const u = endUser(stack, idle, '5511966600006');
    await u.says('talk to a human');
    await u.waitForMode('queued');
    assert.equal((await api(agent.apiKey, 'POST', `/v1/conversations/${u.ref}/assign`)).status, 200);
    // The shortest configurable idle time is one minute of real time on the dev server.
    const requeued = await u.waitForMode('queued', 90_000);
    assert.equal(requeued.assignedAgent, null);
    assert.equal(requeued.queue?.priority, 1);
    const texts = (await u.waitForReplies(4)).map(bodyOf);
    assert.match(texts[2]!, /step away/);
    assert.match(texts[3]!, /connecting you/);
    const { rows } = await stack.db.pool.query(
      'SELECT status, priority, reason FROM handoff_queue WHERE ref = $1 ORDER BY id',
      [u.ref],
    );
    assert.deepEqual(rows, [
      { status: 'expired', priority: 0, reason: 'intent' },
      { status: 'waiting', priority: 1, reason: 'agent_idle' },
    ]);
  });

  it('when more consoles stream events than the pool has connections, then the API still answers and every stream gets each event over one LISTEN connection', async () => {
    const listening = async () =>
      (
        await stack.db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
      ).rows[0]!.n;
    const streams = await Promise.all(
      Array.from({ length: 8 }, () => openEventStream(stack.apiUrl, agentA.apiKey)), // the test pool has 5
    );
    assert.equal((await api(reader.apiKey, 'GET', '/v1/conversations')).status, 200);
    assert.equal(await listening(), 1);
    const first = endUser(stack, client, '5511966600101');
    await first.says('I want to talk to a human');
    for (const s of streams)
      assert.ok(await s.waitFor((e) => e.includes('event: queued') && e.includes(first.ref)));

    // The last stream leaving closes the connection; one opened at that moment listens on a new one.
    for (const s of streams) s.close();
    const next = await openEventStream(stack.apiUrl, agentA.apiKey);
    const second = endUser(stack, client, '5511966600102');
    await second.says('I want to talk to a human');
    assert.ok(await next.waitFor((e) => e.includes('event: queued') && e.includes(second.ref)));
    next.close();
    await waitUntil(async () => (await listening()) === 0, 10_000, 'LISTEN connection closed');
  });

  it('when the LISTEN connection is lost, then open streams end (so consoles reconnect) and a new stream gets events', async () => {
    const stream = await openEventStream(stack.apiUrl, agentA.apiKey);
    await stack.db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    await waitUntil(async () => stream.ended(), 10_000, 'stream ended');
    const again = await openEventStream(stack.apiUrl, agentA.apiKey);
    const u = endUser(stack, client, '5511966600103');
    await u.says('I want to talk to a human');
    assert.ok(await again.waitFor((e) => e.includes('event: queued') && e.includes(u.ref)));
    again.close();
  });
});

/** Reads an SSE stream in the background; `waitFor` resolves when the text so far satisfies it. */
async function openEventStream(apiUrl: string, key: string) {
  const controller = new AbortController();
  const res = await fetch(`${apiUrl}/v1/conversations/events`, {
    headers: { authorization: `Bearer ${key}` },
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  let text = '';
  let ended = false;
  const reader = res.body!.getReader();
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    } catch {
      // aborted
    } finally {
      ended = true;
    }
  })();
  return {
    async waitFor(pred: (text: string) => boolean, timeoutMs = 10_000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!pred(text)) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
      return true;
    },
    /** The server ended the stream (or it was aborted). */
    ended: () => ended,
    close: () => controller.abort(),
  };
}
