import type {
  AssignAgentRequest,
  CarriedState,
  ConversationMode,
  ConversationView,
  HandoffReason,
  HandoffState,
  InboundMessage,
} from './contract';
import { Dialogue } from './dialogue';
import type { Language } from '../../i18n';
import { windowClosesAt, windowOpen } from '../../whatsapp/window';

/** How many message ids are remembered for deduplication (Meta redelivers for up to 7 days). */
export const SEEN_IDS_LIMIT = 2_000;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The client settings the conversation's timers and rules depend on (a JSON-plain snapshot). */
export interface ConversationSettings {
  language: string;
  timezone: string;
  /** The client's country (regional formatting, postal codes). */
  country?: string;
  slaMinutes: number;
  maxWaitMinutes: number;
  agentIdleMinutes: number;
  keywords: string[];
  transcriptDays: number;
}

/** What a timer firing means, in the order the workflow acts on them. */
export type DueAction = 'sla_expired' | 'max_wait' | 'agent_idle' | 'retention';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Why an agent's update is refused: a type the API maps to its answer, a message for people, and the
 * owning agent when another one has the conversation (the API adds that key's label).
 */
/** Why an agent's action is refused; the console words each (`refused.<type>`, the owner by label). */
export const REFUSAL_TYPES = ['OptedOut', 'NotRequested', 'NoAgent', 'OwnedByAnother'] as const;

export interface Refusal {
  type: (typeof REFUSAL_TYPES)[number];
  message: string;
  owner?: string;
}

const ownedBy = (owner: string, message: string): Refusal => ({ type: 'OwnedByAnother', message, owner });

/**
 * The conversation's plain state, kept apart from the workflow so it can be unit-tested without a
 * server: deduplication by message id (bounded), ordering by Meta's timestamp, the 24-hour window,
 * the mode machine (bot → queued → agent → bot; opted_out until START) and its deadlines.
 */
export class ConversationState {
  private readonly seen: Set<string>;
  private readonly seenOrder: string[];
  private pending: InboundMessage[];
  private lastInboundAt: string | undefined;
  handled: number;
  mode: ConversationMode;
  noMatchStreak: number;
  handoff: HandoffState | undefined;
  agent: CarriedState['agent'];
  lastActivityAt: string | undefined;
  readonly dialogue: Dialogue;

  constructor(carried?: CarriedState) {
    this.seenOrder = [...(carried?.seenMessageIds ?? [])];
    this.seen = new Set(this.seenOrder);
    this.pending = [...(carried?.pending ?? [])];
    this.lastInboundAt = carried?.lastInboundAt;
    this.handled = carried?.handled ?? 0;
    this.mode = carried?.mode ?? 'bot';
    this.noMatchStreak = carried?.noMatchStreak ?? 0;
    this.handoff = carried?.handoff;
    this.agent = carried?.agent;
    this.lastActivityAt = carried?.lastActivityAt;
    this.dialogue = new Dialogue(carried?.dialogue ? { ...carried.dialogue } : {});
  }

  /** The conversation's language once known; undefined while it is the client's default. */
  get language(): Language | undefined {
    return this.dialogue.state.language;
  }

  /** Queues a message unless its id was seen before; returns whether it was new. */
  accept(message: InboundMessage): boolean {
    if (this.seen.has(message.messageId)) return false;
    this.seen.add(message.messageId);
    this.seenOrder.push(message.messageId);
    while (this.seenOrder.length > SEEN_IDS_LIMIT) this.seen.delete(this.seenOrder.shift()!);
    this.pending.push(message);
    if (!this.lastInboundAt || message.timestamp > this.lastInboundAt) this.lastInboundAt = message.timestamp;
    return true;
  }

  hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** The oldest pending message by Meta's timestamp (ties keep arrival order). */
  next(): InboundMessage | undefined {
    if (this.pending.length === 0) return undefined;
    let index = 0;
    this.pending.forEach((m, i) => {
      if (m.timestamp < this.pending[index]!.timestamp) index = i;
    });
    return this.pending.splice(index, 1)[0];
  }

  /** End of the customer-service window: 24 h after the last inbound message, by Meta's clock. */
  windowOpenUntil(): string | null {
    return this.lastInboundAt ? iso(windowClosesAt(Date.parse(this.lastInboundAt))) : null;
  }

  isWindowOpen(nowMs: number): boolean {
    return windowOpen(this.lastInboundAt ? Date.parse(this.lastInboundAt) : undefined, nowMs);
  }

  touch(nowMs: number): void {
    this.lastActivityAt = iso(nowMs);
  }

  /** Counts a no-match (or resets on a match); returns the current streak. */
  countNoMatch(noMatch: boolean): number {
    this.noMatchStreak = noMatch ? this.noMatchStreak + 1 : 0;
    return this.noMatchStreak;
  }

  /**
   * Enters `queued` with the SLA and maximum-wait deadlines (the client's minutes, counted in its
   * business hours by the caller). Any question the bot asked is dropped: a person takes over.
   */
  queue(
    reason: HandoffReason,
    nowMs: number,
    deadlines: { slaDeadline: string; maxWaitDeadline: string },
    priority = 0,
  ): HandoffState {
    this.mode = 'queued';
    this.agent = undefined;
    this.noMatchStreak = 0;
    this.dialogue.settle();
    this.handoff = {
      reason,
      queuedAt: iso(nowMs),
      slaDeadline: deadlines.slaDeadline,
      maxWaitDeadline: deadlines.maxWaitDeadline,
      priority,
      escalated: false,
      position: 0,
    };
    return this.handoff;
  }

  escalate(): number {
    if (!this.handoff) return 0;
    this.handoff.escalated = true;
    this.handoff.priority += 1;
    return this.handoff.priority;
  }

  /** Why `req` must be refused, or undefined when the caller may have the conversation. */
  assignRefusal(req: AssignAgentRequest): Refusal | undefined {
    if (this.mode === 'opted_out') return { type: 'OptedOut', message: 'the user has opted out' };
    if (this.mode === 'agent' && this.agent && this.agent.agentId !== req.agentId)
      return ownedBy(this.agent.agentId, `already assigned to ${this.agent.agentId}`);
    if (this.mode === 'bot' && !req.takeover)
      return { type: 'NotRequested', message: 'no agent was requested; use takeover' };
    return undefined;
  }

  /** Why `agentId` may not act on the conversation (send, resolve), or undefined. */
  ownerRefusal(agentId: string): Refusal | undefined {
    if (this.mode !== 'agent' || !this.agent)
      return { type: 'NoAgent', message: `no agent owns this conversation (mode ${this.mode})` };
    if (this.agent.agentId !== agentId)
      return ownedBy(this.agent.agentId, `assigned to ${this.agent.agentId}`);
    return undefined;
  }

  assign(agentId: string, nowMs: number): void {
    const since = this.agent?.agentId === agentId ? this.agent.since : iso(nowMs);
    this.mode = 'agent';
    this.agent = { agentId, since, lastActivityAt: iso(nowMs) };
  }

  agentActed(nowMs: number): void {
    if (this.agent) this.agent.lastActivityAt = iso(nowMs);
  }

  /** Back to the bot: handoff closed, agent released. */
  backToBot(): void {
    this.mode = 'bot';
    this.handoff = undefined;
    this.agent = undefined;
    this.noMatchStreak = 0;
  }

  optOut(): void {
    this.backToBot();
    this.dialogue.settle();
    this.mode = 'opted_out';
  }

  /** The next instant a timer matters, as epoch ms (the workflow sleeps until then). */
  nextDeadline(s: ConversationSettings): number | undefined {
    const times: number[] = [];
    if (this.mode === 'queued' && this.handoff) {
      times.push(
        Date.parse(this.handoff.escalated ? this.handoff.maxWaitDeadline : this.handoff.slaDeadline),
      );
    }
    if (this.mode === 'agent' && this.agent) {
      times.push(Date.parse(this.agent.lastActivityAt) + s.agentIdleMinutes * MINUTE);
    }
    if (this.lastActivityAt) times.push(Date.parse(this.lastActivityAt) + s.transcriptDays * DAY);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Which deadline has passed at `nowMs`, if any. */
  due(nowMs: number, s: ConversationSettings): DueAction | undefined {
    if (this.mode === 'queued' && this.handoff) {
      if (nowMs >= Date.parse(this.handoff.maxWaitDeadline)) return 'max_wait';
      if (!this.handoff.escalated && nowMs >= Date.parse(this.handoff.slaDeadline)) return 'sla_expired';
    }
    if (this.mode === 'agent' && this.agent) {
      if (nowMs >= Date.parse(this.agent.lastActivityAt) + s.agentIdleMinutes * MINUTE) return 'agent_idle';
    }
    if (this.lastActivityAt && nowMs >= Date.parse(this.lastActivityAt) + s.transcriptDays * DAY) {
      return 'retention';
    }
    return undefined;
  }

  view(ref: string): ConversationView {
    const h = this.handoff;
    return {
      ref,
      mode: this.mode,
      windowOpenUntil: this.windowOpenUntil(),
      recentMessageIds: this.seenOrder.slice(-20),
      handled: this.handled,
      assignedAgent: this.mode === 'agent' ? (this.agent?.agentId ?? null) : null,
      queue:
        this.mode === 'queued' && h
          ? {
              position: h.position,
              priority: h.priority,
              queuedAt: h.queuedAt,
              slaDeadline: h.slaDeadline,
              escalated: h.escalated,
            }
          : null,
      lastActivityAt: this.lastActivityAt ?? null,
      language: this.language ?? null,
    };
  }

  carry(): CarriedState {
    return {
      seenMessageIds: [...this.seenOrder],
      pending: [...this.pending],
      lastInboundAt: this.lastInboundAt,
      handled: this.handled,
      mode: this.mode,
      noMatchStreak: this.noMatchStreak,
      handoff: this.handoff && { ...this.handoff },
      agent: this.agent && { ...this.agent },
      lastActivityAt: this.lastActivityAt,
      dialogue: this.dialogue.carry(),
    };
  }
}
