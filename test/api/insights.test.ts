import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordInsight } from '../../db/insights';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';

describe('insights: per-client service metrics from non-PII events', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  const get = (key: string, query = '') =>
    fetch(`${stack.apiUrl}/v1/insights${query}`, { headers: { authorization: `Bearer ${key}` } });

  it('when events were recorded, then the period aggregates them for that client only', async () => {
    const a = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const b = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const db = stack.db.pool;
    const at = new Date('2026-11-10T12:00:00Z');
    const rec = (
      clientId: string,
      kind: Parameters<typeof recordInsight>[1]['kind'],
      dims = {},
      valueMs?: number,
    ) => recordInsight(db, { clientId, kind, dims, valueMs, at });
    await rec(a.clientId, 'conversation_started');
    await rec(a.clientId, 'conversation_started');
    await rec(a.clientId, 'message_in', { type: 'text' });
    await rec(a.clientId, 'message_in', { type: 'audio' });
    await rec(a.clientId, 'message_out', { type: 'text' });
    await rec(a.clientId, 'nlu_result', { intent: 'greeting', engine: 'builtin', matched: true });
    await rec(a.clientId, 'nlu_result', { intent: 'fallback', engine: 'builtin', matched: false });
    await rec(a.clientId, 'handoff_requested', { reason: 'intent' });
    await rec(a.clientId, 'agent_first_response', {}, 60_000);
    await rec(a.clientId, 'opt_out');
    await rec(a.clientId, 'notification_sent', { purpose: 'order_shipped' });
    await rec(a.clientId, 'notification_sent', { purpose: 'order_delivered' });
    await rec(a.clientId, 'notification_status', { status: 'delivered' });
    await rec(b.clientId, 'message_in', { type: 'text' });

    const res = await get(a.apiKey, '?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z');
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown> & {
      messages: { in: number; byType: Record<string, unknown> };
      handoff: { rate: number; reasons: Record<string, number> };
      notifications: { deliveryRate: number };
    };
    assert.equal(body.conversations, 2);
    assert.equal(body.messages.in, 2, "client B's events are not counted");
    assert.deepEqual(body.messages.byType, { text: { in: 1, out: 1 }, audio: { in: 1, out: 0 } });
    assert.deepEqual(body.intents, { greeting: 1, fallback: 1 });
    assert.equal(body.noMatchRate, 0.5);
    assert.equal(body.handoff.rate, 0.5);
    assert.deepEqual(body.handoff.reasons, { intent: 1 });
    assert.deepEqual(body.timeToFirstAgentResponseMs, { p50: 60_000, avg: 60_000 });
    assert.equal(body.optOuts, 1);
    assert.equal(body.notifications.deliveryRate, 0.5);

    const outside = (await (
      await get(a.apiKey, '?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z')
    ).json()) as {
      conversations: number;
    };
    assert.equal(outside.conversations, 0);
  });

  it('when the key lacks the settings scope or the period is invalid, then 403 or 400', async () => {
    const { clientId } = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const minted = await fetch(`${stack.apiUrl}/admin/v1/clients/${clientId}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['orders:read'] }),
    });
    const { apiKey: narrow } = (await minted.json()) as { apiKey: string };
    assert.equal((await get(narrow)).status, 403);
    const { apiKey } = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    assert.equal((await get(apiKey, '?from=yesterday')).status, 400);
    assert.equal((await get(apiKey, '?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z')).status, 400);
  });
});
