import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InboundMessage } from '../../workflows/conversation/contract';
import {
  ConversationState,
  SEEN_IDS_LIMIT,
  type ConversationSettings,
} from '../../workflows/conversation/state';

const settings: ConversationSettings = {
  language: 'en',
  timezone: 'UTC',
  slaMinutes: 15,
  maxWaitMinutes: 60,
  agentIdleMinutes: 30,
  keywords: [],
  transcriptDays: 90,
};
const msg = (id: string, timestamp: string): InboundMessage => ({
  messageId: id,
  wamid: `wamid.${id}`,
  timestamp,
  type: 'text',
  text: id,
  sender: { recipient: '1' },
});
const T0 = Date.parse('2026-01-01T10:00:00Z');
const MIN = 60_000;

/** The handoff deadlines the business-hours clock gives when the team is always open. */
const deadlines = (t: number) => ({
  slaDeadline: new Date(t + 15 * 60_000).toISOString(),
  maxWaitDeadline: new Date(t + 60 * 60_000).toISOString(),
});

describe('conversation state', () => {
  it('when a message id repeats, then it is accepted once; the seen set stays bounded', () => {
    const s = new ConversationState();
    assert.equal(s.accept(msg('a', '2026-01-01T10:00:00Z')), true);
    assert.equal(s.accept(msg('a', '2026-01-01T10:00:00Z')), false);
    for (let i = 0; i < SEEN_IDS_LIMIT + 10; i++) s.accept(msg(`m${i}`, '2026-01-01T10:00:01Z'));
    assert.equal(s.carry().seenMessageIds.length, SEEN_IDS_LIMIT);
  });

  it('when messages arrive out of order, then next() yields them by Meta timestamp', () => {
    const s = new ConversationState();
    s.accept(msg('late', '2026-01-01T10:00:05Z'));
    s.accept(msg('early', '2026-01-01T10:00:01Z'));
    assert.equal(s.next()?.messageId, 'early');
    assert.equal(s.next()?.messageId, 'late');
    assert.equal(s.next(), undefined);
  });

  it('when queued, then the SLA deadline comes first, then the maximum wait after escalation', () => {
    const s = new ConversationState();
    s.touch(T0);
    s.queue('intent', T0, deadlines(T0));
    assert.equal(s.mode, 'queued');
    assert.equal(s.nextDeadline(settings), T0 + 15 * MIN);
    assert.equal(s.due(T0 + 14 * MIN, settings), undefined);
    assert.equal(s.due(T0 + 15 * MIN, settings), 'sla_expired');
    assert.equal(s.escalate(), 1);
    assert.equal(s.nextDeadline(settings), T0 + 60 * MIN);
    assert.equal(s.due(T0 + 60 * MIN, settings), 'max_wait');
  });

  it('when an agent owns the conversation, then a second agent is refused with the owner named', () => {
    const s = new ConversationState();
    assert.match(s.assignRefusal({ agentId: 'agent:a' })?.message ?? '', /takeover/);
    assert.equal(s.assignRefusal({ agentId: 'agent:a', takeover: true }), undefined);
    s.queue('intent', T0, deadlines(T0));
    s.assign('agent:a', T0);
    assert.equal(s.assignRefusal({ agentId: 'agent:a' }), undefined);
    assert.deepEqual(s.assignRefusal({ agentId: 'agent:b' }), {
      type: 'OwnedByAnother',
      message: 'already assigned to agent:a',
      owner: 'agent:a',
    });
    assert.deepEqual(s.ownerRefusal('agent:b'), {
      type: 'OwnedByAnother',
      message: 'assigned to agent:a',
      owner: 'agent:a',
    });
    assert.equal(s.view('cv').assignedAgent, 'agent:a');
  });

  it('when the agent is idle for agentIdleMinutes, then agent_idle is due; acting resets it', () => {
    const s = new ConversationState();
    s.assign('agent:a', T0);
    s.agentActed(T0 + 20 * MIN);
    assert.equal(s.due(T0 + 45 * MIN, settings), undefined);
    assert.equal(s.due(T0 + 50 * MIN, settings), 'agent_idle');
  });

  it('when opted out, then assignment is refused and only retention remains as a deadline', () => {
    const s = new ConversationState();
    s.touch(T0);
    s.optOut();
    assert.deepEqual(s.assignRefusal({ agentId: 'agent:a', takeover: true }), {
      type: 'OptedOut',
      message: 'the user has opted out',
    });
    assert.equal(s.nextDeadline(settings), T0 + 90 * 24 * 60 * MIN);
    assert.equal(s.due(T0 + 90 * 24 * 60 * MIN, settings), 'retention');
  });

  it('when carried across continue-as-new, then mode, handoff, pending and seen ids survive as plain JSON', () => {
    const s = new ConversationState();
    s.accept(msg('a', '2026-01-01T10:00:00Z'));
    s.touch(T0);
    s.queue('no_match', T0, deadlines(T0));
    const carried = JSON.parse(JSON.stringify(s.carry()));
    const t = new ConversationState(carried);
    assert.deepEqual(t.view('cv'), s.view('cv'));
    assert.equal(t.accept(msg('a', '2026-01-01T10:00:00Z')), false);
    assert.equal(t.next()?.messageId, 'a');
  });
});
