import type { CarriedState, ConversationView, InboundMessage } from './contract';

/** How many message ids are remembered for deduplication (Meta redelivers for up to 7 days). */
export const SEEN_IDS_LIMIT = 2_000;
const WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The conversation's plain state, kept apart from the workflow so it can be unit-tested without a
 * server: deduplication by message id (bounded), ordering by Meta's timestamp, and the 24-hour window.
 */
export class ConversationState {
  private readonly seen: Set<string>;
  private readonly seenOrder: string[];
  private pending: InboundMessage[];
  private lastInboundAt: string | undefined;
  handled: number;

  constructor(carried?: CarriedState) {
    this.seenOrder = [...(carried?.seenMessageIds ?? [])];
    this.seen = new Set(this.seenOrder);
    this.pending = [...(carried?.pending ?? [])];
    this.lastInboundAt = carried?.lastInboundAt;
    this.handled = carried?.handled ?? 0;
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
    return this.lastInboundAt ? new Date(Date.parse(this.lastInboundAt) + WINDOW_MS).toISOString() : null;
  }

  isWindowOpen(nowMs: number): boolean {
    const until = this.windowOpenUntil();
    return until !== null && nowMs < Date.parse(until);
  }

  view(): ConversationView {
    return {
      mode: 'bot',
      windowOpenUntil: this.windowOpenUntil(),
      recentMessageIds: this.seenOrder.slice(-20),
      handled: this.handled,
    };
  }

  carry(): CarriedState {
    return {
      seenMessageIds: [...this.seenOrder],
      pending: [...this.pending],
      lastInboundAt: this.lastInboundAt,
      handled: this.handled,
    };
  }
}
