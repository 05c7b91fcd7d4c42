/**
 * Meta's customer-service window: free-form messages may go to a customer only within 24 hours of
 * their last message; outside it, only an approved template. The one place the rule is written.
 */
const WINDOW_MS = 24 * 60 * 60 * 1000;

/** When the window opened by a customer's message at `lastInboundMs` closes (epoch ms). */
export const windowClosesAt = (lastInboundMs: number): number => lastInboundMs + WINDOW_MS;

/** Whether free-form messages may go out at `nowMs` after the customer's last message (none: closed). */
export const windowOpen = (lastInboundMs: number | undefined, nowMs: number): boolean =>
  lastInboundMs !== undefined && nowMs < windowClosesAt(lastInboundMs);
