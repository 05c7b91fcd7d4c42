import type { Intent, Language, NluResult } from '../../nlu/port';
import type { InboundMessage } from './contract';

/**
 * What a tap on one of our buttons or list rows means. Their ids are the actions (see replies.ts),
 * so a tap never goes through NLU.
 */
export type TapAction =
  | { kind: 'intent'; intent: Intent }
  | { kind: 'callback'; accepted: boolean }
  | { kind: 'csat'; score: number };

/** The satisfaction survey's row ids, `csat:1` to `csat:5` (see `csatQuestion`). */
const CSAT_ID = /^csat:([1-5])$/;

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
  const score = CSAT_ID.exec(id)?.[1];
  if (score) return { kind: 'csat', score: Number(score) };
  const intent = id.startsWith('menu:') ? (id.slice(5) as Intent) : undefined;
  return intent && INTENTS.includes(intent) ? { kind: 'intent', intent } : undefined;
}

/** What a tap means, as the NLU would have said it (no engine ran). */
export function tapResult(intent: Intent, language: Language): NluResult {
  return {
    intent,
    confidence: 1,
    noMatch: false,
    language,
    parameters: {},
    handoff: false,
    endInteraction: false,
    replies: [],
    engine: 'builtin',
  };
}

/** The media id of a voice note, when the message is one. */
export function voiceNoteMediaId(message: InboundMessage): string | undefined {
  if (message.type !== 'audio') return undefined;
  const id = message.payload?.id;
  return typeof id === 'string' ? id : undefined;
}

/** The items of a WhatsApp catalogue `order` message, as Meta sent them (prices in major units). */
export function catalogueItems(
  message: InboundMessage,
): { productRetailerId: string; quantity: number; itemPrice: number | string; currency: string }[] {
  const items = (message.payload as { product_items?: unknown } | undefined)?.product_items;
  if (!Array.isArray(items)) return [];
  return items.flatMap((raw) => {
    const i = raw as {
      product_retailer_id?: unknown;
      quantity?: unknown;
      item_price?: unknown;
      currency?: unknown;
    };
    if (typeof i.product_retailer_id !== 'string' || typeof i.currency !== 'string') return [];
    const price = typeof i.item_price === 'number' || typeof i.item_price === 'string' ? i.item_price : NaN;
    return [
      {
        productRetailerId: i.product_retailer_id,
        quantity: Number(i.quantity),
        itemPrice: price,
        currency: i.currency,
      },
    ];
  });
}
