import type { Language } from '../i18n';

/**
 * What a business teaches its bot, as the API, the NLU and the conversation workflow see it (plain
 * types, workflow-safe); stored by `db/bot-content.ts`, edited over `/v1/bot`.
 */

/** An FAQ entry's answer: a text, optionally with up to three reply buttons or one link. */
export interface FaqAnswer {
  text: string;
  buttons?: string[];
  link?: { url: string; label?: string };
}

/** One FAQ entry: example questions in one language and the answer the bot gives in it. */
export interface FaqEntry {
  id: string;
  language: Language;
  examples: string[];
  answer: FaqAnswer;
  createdAt: string;
  updatedAt: string;
}

/** The catalogue texts a client may override per language. */
export const BOT_TEXT_KEYS = [
  'greeting',
  'menu',
  'menuButton',
  'menu.order_status',
  'menu.shipping_quote',
  'menu.human_agent',
] as const;
export type BotTextKey = (typeof BOT_TEXT_KEYS)[number];
export type BotTexts = Partial<Record<BotTextKey, string>>;
