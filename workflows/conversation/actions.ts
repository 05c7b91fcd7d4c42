import type { Intent } from '../../nlu/port';
import type { InboundMessage } from './contract';

/**
 * What a tap on one of our buttons or list rows means. Their ids are the actions (see replies.ts),
 * so a tap never goes through NLU.
 */
export type TapAction = { kind: 'intent'; intent: Intent } | { kind: 'callback'; accepted: boolean };

const INTENTS: readonly Intent[] = [
  'greeting',
  'help',
  'order_status',
  'shipping_quote',
  'human_agent',
  'thanks',
  'fallback',
];

/** The id of the button or list row the user tapped (interactive reply or template quick reply). */
export function replyId(message: InboundMessage): string | undefined {
  const p = message.payload;
  if (!p) return undefined;
  const pick = (v: unknown): string | undefined =>
    v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string'
      ? (v as { id: string }).id
      : undefined;
  const id = pick(p.button_reply) ?? pick(p.list_reply);
  if (id) return id;
  return message.type === 'button' && typeof p.payload === 'string' ? p.payload : undefined;
}

/** The action a tapped id stands for, or undefined for ids we did not issue. */
export function tapAction(id: string | undefined): TapAction | undefined {
  if (!id) return undefined;
  if (id === 'callback:yes' || id === 'callback:no')
    return { kind: 'callback', accepted: id === 'callback:yes' };
  const intent = id.startsWith('menu:') ? (id.slice(5) as Intent) : undefined;
  return intent && INTENTS.includes(intent) ? { kind: 'intent', intent } : undefined;
}

/** The media id of a voice note, when the message is one. */
export function voiceNoteMediaId(message: InboundMessage): string | undefined {
  if (message.type !== 'audio') return undefined;
  const id = message.payload?.id;
  return typeof id === 'string' ? id : undefined;
}
