import type { InboundMessage } from './contract';

/** The bot's answer to a message. The conversation-engine work replaces this with NLU-driven replies. */
export function replyFor(message: InboundMessage): string {
  if (message.type !== 'text' || !message.text) return 'Thanks! We received your message.';
  return 'Thanks for your message! How can we help you today?';
}
