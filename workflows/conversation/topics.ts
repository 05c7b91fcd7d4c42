import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { QUICK_ACTIVITY_OPTIONS } from '../activity-options';
import { clientText, type Language } from '../../i18n';
import type { FormatContext } from '../../i18n/format';
import type { OutboundContent } from '../../whatsapp/outbound';
import { catalogueRefusalText, confirmationText, orderStatusText } from '../order/messages';
import { catalogueItems } from './actions';
import type { InboundMessage } from './contract';
import { orderNumberIn, type Dialogue, type Question } from './dialogue';
import { quoteReply, say, stuckOffer } from './replies';

// Database reads of a few milliseconds; retries back off to a minute so an outage is ridden out.
const acts = proxyActivities<Activities>(QUICK_ACTIVITY_OPTIONS);

/** What the topics need of the conversation: who, in which language, its dialogue, and a way to speak. */
export interface BotContext {
  readonly subject: { clientId: string; phoneNumberId: string; subjectHash: string };
  readonly lang: Language;
  readonly clientLanguage: Language;
  readonly fmt: FormatContext;
  readonly dialogue: Dialogue;
  speak(key: string, content: OutboundContent): Promise<void>;
}

const ASK_AGAIN = {
  order_number: 'askOrderAgain',
  destination: 'askDestinationAgain',
  callback: 'askCallbackAgain',
} as const;

/**
 * The bot's order topics — order status, shipping quotes, catalogue orders — and the answers to the
 * questions it asks about them. The activities return facts; this words them in the conversation's
 * language and keeps the dialogue state (what is asked, what was answered).
 */
export class BotTopics {
  constructor(private readonly bot: BotContext) {}

  /** "Where is my order N?": the order's live status, only for this customer's own orders. */
  async orderStatus(key: string, orderNumber: string | undefined): Promise<void> {
    const { bot } = this;
    if (!orderNumber) return this.ask(key, 'order_number', 'askOrder');
    const answer = await acts.lookupOrderStatus({ ...bot.subject, orderId: orderNumber });
    if (answer.found) {
      bot.dialogue.settle('order_status');
      return bot.speak(key, { type: 'text', body: orderStatusText(answer.order, bot.fmt) });
    }
    if (bot.dialogue.asked === 'order_number' && bot.dialogue.miss() === 'give_up')
      return bot.speak(key, stuckOffer(bot.lang));
    bot.dialogue.ask('order_number');
    return bot.speak(key, say(bot.lang, 'orderNotFound', { order: orderNumber }));
  }

  /**
   * A shipping quote for what the customer named, from the client's rate table. Answers whether the
   * text named a place at all (`false` leaves an unreadable answer to the caller).
   */
  async shippingQuote(key: string, destination: string | undefined): Promise<boolean> {
    const { bot } = this;
    if (!destination) return (await this.ask(key, 'destination', 'askDestination'), true);
    const quote = await acts.quoteShipping({ clientId: bot.subject.clientId, destination });
    const reply = quoteReply(quote, bot.fmt);
    if (!reply) return false;
    if (quote.status === 'needs_postal_code') bot.dialogue.ask('destination');
    else bot.dialogue.settle('shipping_quote');
    await bot.speak(key, reply);
    return true;
  }

  /**
   * The message read as the answer to the question the bot asked: a bare order number, a place. True
   * when it was one and has been answered; false leaves it to the NLU (a new request, or unusable).
   */
  async answer(key: string, message: InboundMessage): Promise<boolean> {
    const text = message.text ?? '';
    if (this.bot.dialogue.asked === 'order_number') {
      const orderNumber = orderNumberIn(text);
      return orderNumber ? (await this.orderStatus(key, orderNumber), true) : false;
    }
    if (this.bot.dialogue.asked === 'destination') return this.shippingQuote(key, text);
    return false;
  }

  /** The destination named could not be read: ask for it once more. */
  async askDestinationAgain(key: string): Promise<void> {
    this.bot.dialogue.ask('destination');
    await this.bot.speak(key, say(this.bot.lang, 'askDestinationAgain'));
  }

  /** An answer neither the question nor the NLU could use: ask once more, then offer the menu or a person. */
  async unusable(key: string): Promise<void> {
    const { bot } = this;
    const question = bot.dialogue.asked;
    if (!question || bot.dialogue.miss() === 'give_up') return bot.speak(key, stuckOffer(bot.lang));
    return bot.speak(key, say(bot.lang, ASK_AGAIN[question]));
  }

  /** A WhatsApp catalogue order: priced and created once per message; the reply gives cost and how to pay. */
  async catalogueOrder(message: InboundMessage): Promise<void> {
    const { bot } = this;
    const result = await acts.createOrderFromCatalogue({
      ...bot.subject,
      messageId: message.messageId,
      items: catalogueItems(message),
    });
    const body =
      result.status === 'created'
        ? confirmationText(result.orderId, result, {
            ...bot.fmt,
            paymentInstructions: clientText(result.paymentInstructions, bot.lang, bot.clientLanguage),
          })
        : catalogueRefusalText(result.status, bot.fmt);
    return bot.speak(`reply:${message.messageId}`, { type: 'text', body });
  }

  private async ask(key: string, question: Question, text: 'askOrder' | 'askDestination'): Promise<void> {
    this.bot.dialogue.ask(question);
    await this.bot.speak(key, say(this.bot.lang, text));
  }
}
