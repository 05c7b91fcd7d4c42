import type { Language } from '../../i18n';

/**
 * The dialogue state: the conversation's language, the question the bot is waiting an answer to,
 * how many unusable answers it got, and the topic of its last answer (so "and to Spain?" after a
 * quote, or "what about A-10024?" after a status, continue it). Pure and JSON-plain: the workflow
 * carries it across continue-as-new, and the rules here are unit-tested without a server.
 */

/** What the bot asked for. */
export type Question = 'order_number' | 'destination' | 'callback';
export type Topic = 'order_status' | 'shipping_quote';

export interface DialogueState {
  /** The conversation's language once the customer's writing showed it (the client's default until then). */
  language?: Language;
  asked?: { question: Question; misses: number };
  topic?: Topic;
  /** The satisfaction question sent after a resolved handoff, until answered: who handled it, and which handoff. */
  survey?: { agent: string; handoff: string };
}

/** After this many unusable answers the bot stops asking and offers the menu or a person. */
export const UNUSABLE_ANSWERS = 2;

export class Dialogue {
  constructor(readonly state: DialogueState = {}) {}

  get asked(): Question | undefined {
    return this.state.asked?.question;
  }

  /** The bot asked `question`; a repeated question keeps its count of unusable answers. */
  ask(question: Question): void {
    if (this.state.asked?.question !== question) this.state.asked = { question, misses: 0 };
  }

  /** The customer's message answered the question (or moved on): forget it; `topic` is what was answered. */
  settle(topic?: Topic): void {
    this.state.asked = undefined;
    if (topic) this.state.topic = topic;
  }

  /** One more unusable answer: `again` to ask once more, `give_up` to offer the menu or a person. */
  miss(): 'again' | 'give_up' {
    const asked = this.state.asked;
    if (!asked) return 'give_up';
    asked.misses += 1;
    if (asked.misses < UNUSABLE_ANSWERS) return 'again';
    this.state.asked = undefined;
    return 'give_up';
  }

  carry(): DialogueState {
    return { ...this.state, asked: this.state.asked && { ...this.state.asked } };
  }
}

const ORDER_NUMBER = /(?:^|[\s#:(])#?\s*([A-Za-z]{0,4}-?\d{3,12})(?=$|[\s.,;:!?)])/;

/** An order number in a message: `#1234`, `A-10023`, `WA-1F2E…`, or a bare run of 3+ digits. */
export function orderNumberIn(text: string): string | undefined {
  const hex = /\bWA-[0-9A-F]{12}\b/i.exec(text)?.[0];
  return (hex ?? ORDER_NUMBER.exec(text)?.[1])?.toUpperCase();
}

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

// Whole-message yes/no in the three languages: the answer to a yes/no question may be in any of them.
const YES = new Set([
  'yes',
  'y',
  'yeah',
  'yep',
  'sure',
  'ok',
  'okay',
  'please',
  'yes please',
  'si',
  'claro',
  'vale',
  'si por favor',
  'sim',
  'claro que sim',
  'pode ser',
  'sim por favor',
  'por favor',
  '👍',
]);
const NO = new Set([
  'no',
  'n',
  'nope',
  'no thanks',
  'no thank you',
  'no gracias',
  'nao',
  'nao obrigado',
  'nao obrigada',
  'agora nao',
  'not now',
  'ahora no',
]);

/** Yes (true), no (false) or neither (undefined), for the whole message. */
export function yesOrNo(text: string): boolean | undefined {
  const t = fold(text) || text.trim();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return undefined;
}

// "and to Spain?", "e para Espanha?", "¿y a Sevilla?", "what about order A-10024?", "e o pedido A-10024?"
const FOLLOW_UP = /^(?:and|what about|how about|y|e|y que tal|e quanto a|e o|e a|y el|y la)\b\s*(.*)$/;
/**
 * Right after a quote, a message the NLU could not place that is short enough to be only a place
 * ("Lisboa", "1100-053": at most three words, no question) is tried as the next destination.
 */
export function barePlace(text: string | undefined, topic: Topic | undefined): boolean {
  return topic === 'shipping_quote' && text !== undefined && BARE_PLACE.test(text.trim());
}
/** At most three words, no question. */
const BARE_PLACE = /^[^\s?¿]+(?:\s+[^\s?¿]+){0,2}$/u;
const PREPOSITION = /^(?:to|for|para|pra|a|al|hacia|em|en|o|el|la|order|pedido|encomenda)\s+/;

/**
 * What a short follow-up continues, given the topic of the bot's last answer: a destination for a
 * quote, an order number for a status. Undefined when the message is not a follow-up.
 */
export function followUp(
  text: string,
  topic: Topic | undefined,
):
  | { topic: 'shipping_quote'; destination: string }
  | { topic: 'order_status'; orderNumber: string }
  | undefined {
  if (!topic) return undefined;
  const rest = FOLLOW_UP.exec(fold(text))?.[1];
  if (rest === undefined) return undefined;
  if (topic === 'order_status') {
    const orderNumber = orderNumberIn(text);
    return orderNumber ? { topic, orderNumber } : undefined;
  }
  let destination = rest;
  while (PREPOSITION.test(destination)) destination = destination.replace(PREPOSITION, '');
  return destination.length >= 2 ? { topic, destination: text } : undefined;
}
