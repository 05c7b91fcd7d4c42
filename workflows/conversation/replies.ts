import { translate, type Language } from '../../i18n';
import { conversation, type ConversationText } from '../../i18n/conversation';
import { countryName, formatMoney, type FormatContext } from '../../i18n/format';
import type { QuotePlace, ShippingQuote } from '../../activities/orders';
import type { BotTextKey, BotTexts } from '../../settings/bot-content';
import type { OutboundContent } from '../../whatsapp/outbound';

/**
 * What the bot sends, built from the catalogue (`i18n/conversation.ts`) in the conversation's
 * language. Button and list row ids are the actions they trigger (`menu:<intent>`, `callback:yes|no`),
 * so a tap maps to an action without NLU.
 */

/** A catalogue text as a text message, placeholders filled. */
export function say(lang: Language, key: ConversationText, vars?: Record<string, string>): OutboundContent {
  return { type: 'text', body: translate(conversation, lang, key, vars) };
}

const button = (lang: Language, id: string, key: ConversationText) => ({
  id,
  title: translate(conversation, lang, key),
});

/** A text the client may set over the catalogue's (see `BOT_TEXT_KEYS`): theirs when set, else the catalogue's. */
const own = (lang: Language, key: BotTextKey, texts?: BotTexts) =>
  texts?.[key] ?? translate(conversation, lang, key);

const menuRows = (lang: Language, texts?: BotTexts) =>
  (['order_status', 'shipping_quote', 'human_agent'] as const).map((intent) => ({
    id: `menu:${intent}`,
    title: own(lang, `menu.${intent}`, texts),
  }));

/** The greeting with the main actions as buttons; `texts` are the client's own for this language. */
export function greetingWithButtons(lang: Language, texts?: BotTexts): OutboundContent {
  return { type: 'buttons', body: own(lang, 'greeting', texts), buttons: menuRows(lang, texts) };
}

/** The menu as an interactive list; `texts` are the client's own for this language. */
export function menuList(lang: Language, texts?: BotTexts): OutboundContent {
  return {
    type: 'list',
    body: own(lang, 'menu', texts),
    button: own(lang, 'menuButton', texts),
    sections: [{ rows: menuRows(lang, texts) }],
  };
}

/** The callback offer after the maximum wait, with yes/no buttons. */
export function callbackOffer(lang: Language): OutboundContent {
  return {
    type: 'buttons',
    body: translate(conversation, lang, 'callbackOffer'),
    buttons: [button(lang, 'callback:yes', 'callback.yes'), button(lang, 'callback:no', 'callback.no')],
  };
}

/**
 * The satisfaction question after a resolved handoff: an interactive list of five rows (WhatsApp
 * allows three reply buttons, and a list keeps every score one tap away), ids `csat:1`…`csat:5`.
 */
export function csatQuestion(lang: Language): OutboundContent {
  const scores = ['1', '2', '3', '4', '5'] as const;
  return {
    type: 'list',
    body: translate(conversation, lang, 'csatQuestion'),
    button: translate(conversation, lang, 'csatButton'),
    sections: [{ rows: scores.map((n) => button(lang, `csat:${n}`, `csat.${n}`)) }],
  };
}

/** After two unusable answers: the menu or a person, as buttons. */
export function stuckOffer(lang: Language): OutboundContent {
  return {
    type: 'buttons',
    body: translate(conversation, lang, 'stuck'),
    buttons: [button(lang, 'menu:help', 'stuck.menu'), button(lang, 'menu:human_agent', 'stuck.person')],
  };
}

/** A place as the customer will recognise it: "Sevilla (Espanha)", "1100-053 (Portugal)", "Espanha". */
export function placeName(place: QuotePlace, fmt: FormatContext): string {
  const country = countryName(place.country, fmt);
  const detail = place.city ?? place.postalCode ?? place.region;
  return detail ? `${detail} (${country})` : country;
}

/** The chat's answer to a shipping quote's facts; undefined for the outcomes that ask again. */
export function quoteReply(q: ShippingQuote, fmt: FormatContext): OutboundContent | undefined {
  if (q.status === 'no_rates') return say(fmt.lang, 'quoteUnavailable');
  if (q.status === 'unknown_destination') return undefined;
  const place = placeName(q.place, fmt);
  if (q.status === 'needs_postal_code') return say(fmt.lang, 'askPostalCode', { place });
  if (q.status === 'not_shipped')
    return say(fmt.lang, q.reason === 'no_zone' ? 'notShipped' : 'tooHeavy', { place });
  if (q.freeShipping) return say(fmt.lang, 'quoteFree', { place });
  const cost = formatMoney(q.cost, q.currency, fmt);
  return say(fmt.lang, q.from ? 'quoteFrom' : 'quote', { place, cost });
}

const RECEIVED: Partial<Record<string, ConversationText>> = {
  image: 'received.image',
  video: 'received.video',
  document: 'received.document',
  audio: 'received.audio',
  location: 'received.location',
};

/**
 * The acknowledgement of a message that is not text (never a "did not understand"): a photo, a
 * file, a location; nothing for a sticker or a reaction, where a reply would only be noise.
 */
export function acknowledgement(type: string, lang: Language): OutboundContent | undefined {
  const key = RECEIVED[type];
  return key && say(lang, key);
}
