import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ConversationEvent } from '../../activities/conversation';
import type { InboundMediaRequest } from '../../activities/media';
import { supportedLanguage, type Language, type NluResult } from '../../nlu/port';
import type { TemplatePurpose } from '../../settings/client-settings';
import { modeAttribute } from '../../temporal/search-attributes';
import { MEDIA_ACTIVITY_OPTIONS, SEND_ACTIVITY_OPTIONS } from '../send-options';
import type { OutboundContent } from '../../whatsapp/outbound';
import { catalogueItems, replyId, tapAction, voiceNoteMediaId } from './actions';
import type { ConversationInput, HandoffReason, InboundMessage } from './contract';
import { consentKeyword, matchesHandoffKeyword } from './keywords';
import { callbackOffer, greetingWithButtons, menuList, say } from './replies';
import type { ConversationSettings, ConversationState } from './state';

// Database and Graph calls are quick; 30 s covers a slow response, and retries back off up to a
// minute so an outage is ridden out rather than failing the conversation.
const retryForever = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' };
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: retryForever });
const sends = proxyActivities<Activities>(SEND_ACTIVITY_OPTIONS);
const media = proxyActivities<Activities>(MEDIA_ACTIVITY_OPTIONS);

// Read receipts are best effort: a few quick attempts, then the conversation goes on without the tick.
const receiptOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
};

// Dialogflow CX voice requests can take several seconds; the activity records its result, so a
// retry after a timeout never calls detectIntent twice for one message.
const nluOptions = {
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * The steps before the reply (record the message, read receipt, NLU) run as local activities: in
 * the worker, inside the workflow task, with no server round trip each — every one is idempotent
 * per message id, so a local retry after a crash is harmless. The send stays a remote activity:
 * pacing may hold it for seconds, and it is the step whose retries matter most.
 */
const turn = {
  record: proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: retryForever }),
  receipts: proxyLocalActivities<Activities>(receiptOptions),
  nlu: proxyLocalActivities<Activities>(nluOptions),
};

// Settings and the agents' row: two quick queries, run locally to save a server round trip per message.
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/**
 * An activity that failed for good (non-retryable, or out of attempts): a remote activity's failure
 * arrives as an `ActivityFailure` wrapping the cause, a local activity's as the cause itself.
 */
export function activityFailedForGood(err: unknown): err is ActivityFailure | ApplicationFailure {
  return err instanceof ActivityFailure || err instanceof ApplicationFailure;
}

/** Two no-matches in a row hand the conversation to a person. */
export const NO_MATCH_HANDOFF = 2;

/**
 * The steps of one conversation: handling a message, acting on timers, and the mode transitions
 * they cause. The workflow entry point owns the loop and the handlers; this owns what they do.
 */
export class ConversationRuntime {
  settings!: ConversationSettings;
  private lang: Language = 'en';

  constructor(
    readonly input: ConversationInput,
    readonly state: ConversationState,
    readonly ref: string,
  ) {}

  get subject() {
    return {
      clientId: this.input.clientId,
      phoneNumberId: this.input.phoneNumberId,
      subjectHash: this.input.subjectHash,
    };
  }

  /** Refreshes the settings (a client may change them any time) and the agents' row of this conversation. */
  async beginTurn(): Promise<void> {
    this.settings = await local.beginTurn({
      ...this.subject,
      ref: this.ref,
      mode: this.state.mode,
      assignedAgent: this.state.agent?.agentId ?? null,
    });
    this.lang = supportedLanguage(this.settings.language);
  }

  /** Sends through the one send path; `key` makes the send idempotent across retries and replays. */
  async send(
    key: string,
    content: OutboundContent,
    opts: { sentBy?: string; fallback?: TemplatePurpose } = {},
  ) {
    return sends.sendMessage({
      ...this.subject,
      idempotencyKey: `${workflowInfo().workflowId}:${key}`,
      content,
      sentBy: opts.sentBy ?? 'bot',
      fallbackPurpose: opts.fallback,
    });
  }

  /** The bot speaks only while it owns the conversation: a takeover mid-turn mutes it at once. */
  private async botSay(key: string, content: OutboundContent): Promise<void> {
    if (this.state.mode === 'bot') await this.send(key, content);
  }

  /** Mirrors the mode into the search attribute, the agents' view and the event stream. */
  async sync(event: ConversationEvent, extra: { reason?: string; priority?: number } = {}) {
    upsertSearchAttributes([{ key: modeAttribute, value: this.state.mode }]);
    return acts.syncConversation({
      ...this.subject,
      ref: this.ref,
      mode: this.state.mode,
      assignedAgent: this.state.agent?.agentId ?? null,
      event,
      ...extra,
    });
  }

  /** One inbound message: persist, consent keywords, then (by mode) NLU and the action, then the reply. */
  async handleMessage(message: InboundMessage): Promise<void> {
    const recorded = await turn.record.recordInbound({ ...this.subject, message });
    if (recorded.media) await this.storeMedia(message, recorded.media);
    if (this.state.mode === 'bot') {
      // Blue ticks and "typing…" while the bot prepares its answer; agents mark read by answering.
      await turn.receipts
        .markRead({ ...this.subject, messageId: message.messageId, typing: true })
        .catch(() => undefined);
    }
    this.state.touch(Date.now());
    const consent = consentKeyword(message.text);
    if (consent === 'opt_out') return this.optOut(message);
    if (consent === 'opt_in') return this.optIn(message);
    if (this.state.mode === 'opted_out') return;
    if (this.state.mode !== 'bot') {
      await this.sync('message');
      return;
    }
    if (message.type === 'order') return this.catalogueOrder(message);
    const tap = tapAction(replyId(message));
    if (tap?.kind === 'callback') return this.callbackAnswer(message, tap.accepted);
    if (tap) return this.act(message, { ...emptyResult(this.lang), intent: tap.intent });
    if (matchesHandoffKeyword(message.text, this.settings.keywords))
      return this.requestAgent(message, 'keyword');
    const mediaId = voiceNoteMediaId(message);
    if (!message.text && !mediaId)
      return this.botSay(`reply:${message.messageId}`, say(this.lang, 'fallback'));
    const result = await turn.nlu
      .understand({
        clientId: this.input.clientId,
        subjectHash: this.input.subjectHash,
        messageId: message.messageId,
        text: message.text,
        audio: mediaId ? { mediaId } : undefined,
        languageHint: this.lang,
        timeZone: this.settings.timezone,
      })
      // Nothing to understand (a voice note the media store cannot give us): say so, carry on.
      .catch((err: unknown) => {
        if (activityFailedForGood(err)) return undefined;
        throw err;
      });
    if (!result) return this.botSay(`reply:${message.messageId}`, say(this.lang, 'fallback'));
    return this.act(message, result);
  }

  /** Fetches the message's file before anything reads it (a voice note's NLU, the agent's view). */
  private async storeMedia(message: InboundMessage, file: InboundMediaRequest): Promise<void> {
    const { clientId, subjectHash } = this.input;
    await media
      .storeInboundMedia({ clientId, subjectHash, messageId: message.messageId, media: file })
      .catch((err: unknown) => {
        if (!activityFailedForGood(err)) throw err; // e.g. the client was deleted: nothing to store
      });
  }

  private async act(message: InboundMessage, result: NluResult): Promise<void> {
    this.lang = result.language;
    const key = `reply:${message.messageId}`;
    if (result.handoff) return this.requestAgent(message, 'cx_handoff', result);
    if (this.state.countNoMatch(result.noMatch) >= NO_MATCH_HANDOFF)
      return this.requestAgent(message, 'no_match');
    if (result.intent === 'human_agent' && result.replies.length === 0)
      return this.requestAgent(message, 'intent');
    if (result.replies.length > 0) return this.sendEngineReplies(key, result);
    if (result.endInteraction) return this.botSay(key, say(this.lang, 'goodbye'));
    switch (result.intent) {
      case 'greeting':
        return this.botSay(key, greetingWithButtons(this.lang));
      case 'help':
        return this.botSay(key, menuList(this.lang));
      case 'thanks':
        return this.botSay(key, say(this.lang, 'thanks'));
      case 'order_status':
        return this.orderStatus(key, result.parameters.orderNumber);
      case 'shipping_quote':
        return this.shippingQuote(key, result.parameters.destination);
      default:
        return this.botSay(key, say(this.lang, 'fallback'));
    }
  }

  private async sendEngineReplies(key: string, result: NluResult): Promise<void> {
    for (const [i, r] of result.replies.entries()) {
      const content: OutboundContent =
        r.type === 'list'
          ? { type: 'list', body: r.body, button: r.button, sections: [{ rows: r.rows }] }
          : r;
      await this.botSay(`${key}:${i}`, content);
    }
  }

  /** "Where is my order N?": the order's live status, only for this customer's own orders. */
  private async orderStatus(key: string, orderNumber: unknown): Promise<void> {
    if (typeof orderNumber !== 'string' || !orderNumber) return this.botSay(key, say(this.lang, 'askOrder'));
    const answer = await acts.lookupOrderStatus({ ...this.subject, orderId: orderNumber });
    return this.botSay(key, answer.found ? text(answer.reply) : say(this.lang, 'orderNotFound', orderNumber));
  }

  /** A shipping quote for a destination the user named, from the client's rate table. */
  private async shippingQuote(key: string, destination: unknown): Promise<void> {
    if (typeof destination !== 'string' || !destination)
      return this.botSay(key, say(this.lang, 'askDestination'));
    const answer = await acts.quoteShipping({ clientId: this.input.clientId, destination });
    if (answer.status === 'quoted' || answer.status === 'not_shipped')
      return this.botSay(key, text(answer.reply));
    if (answer.status === 'unknown_destination') return this.botSay(key, say(this.lang, 'askDestination'));
    return this.botSay(key, say(this.lang, 'quoteUnavailable', destination));
  }

  /** A WhatsApp catalogue order: priced and created once per message; the reply gives cost and how to pay. */
  private async catalogueOrder(message: InboundMessage): Promise<void> {
    const items = catalogueItems(message);
    const result = await acts.createOrderFromCatalogue({
      clientId: this.input.clientId,
      subjectHash: this.input.subjectHash,
      phoneNumberId: this.input.phoneNumberId,
      messageId: message.messageId,
      items,
    });
    return this.botSay(`reply:${message.messageId}`, text(result.reply));
  }

  /** Enters the queue: durable record, agents notified, the user told. */
  async requestAgent(message: InboundMessage, reason: HandoffReason, result?: NluResult): Promise<void> {
    if (result?.replies.length) await this.sendEngineReplies(`reply:${message.messageId}`, result);
    await this.enqueue(reason, `reply:${message.messageId}:queued`);
  }

  async enqueue(reason: HandoffReason, key: string, priority = 0): Promise<void> {
    const handoff = this.state.queue(reason, Date.now(), this.settings, priority);
    const { position } = await this.sync('queued', { reason, priority });
    handoff.position = position;
    await this.send(key, say(this.lang, 'queued'), { fallback: 'handoff_update' });
  }

  private async optOut(message: InboundMessage): Promise<void> {
    if (this.state.mode === 'opted_out') return;
    this.state.optOut();
    await acts.setConsent({ ...this.subject, optedOut: true });
    await this.sync('opted_out');
    await sends.sendMessage({
      ...this.subject,
      idempotencyKey: `${workflowInfo().workflowId}:reply:${message.messageId}`,
      content: say(this.lang, 'optedOut'),
      sentBy: 'system',
      purpose: 'opt_out_confirmation',
    });
  }

  private async optIn(message: InboundMessage): Promise<void> {
    if (this.state.mode !== 'opted_out')
      return this.botSay(`reply:${message.messageId}`, greetingWithButtons(this.lang));
    await acts.setConsent({ ...this.subject, optedOut: false });
    this.state.backToBot();
    await this.sync('opted_in');
    await this.send(`reply:${message.messageId}`, say(this.lang, 'optedIn'), { sentBy: 'system' });
  }

  private async callbackAnswer(message: InboundMessage, accepted: boolean): Promise<void> {
    if (accepted) await this.sync('callback_requested');
    await this.botSay(
      `reply:${message.messageId}`,
      say(this.lang, accepted ? 'callbackNoted' : 'callbackDeclined'),
    );
  }

  /** SLA passed: tell the user, raise the priority; the request stays in the queue. */
  async slaExpired(): Promise<void> {
    const queuedAt = this.state.handoff?.queuedAt;
    const priority = this.state.escalate();
    await this.sync('escalated', { priority });
    await this.send(`sla:${queuedAt}`, say(this.lang, 'slaExpired'), {
      sentBy: 'system',
      fallback: 'handoff_update',
    });
  }

  /** Maximum wait passed: offer a callback and give the conversation back to the bot. */
  async maxWait(): Promise<void> {
    const queuedAt = this.state.handoff?.queuedAt;
    this.state.backToBot();
    await this.sync('expired');
    await this.send(`maxwait:${queuedAt}`, callbackOffer(this.lang), {
      sentBy: 'system',
      fallback: 'handoff_update',
    });
  }

  /** The agent went quiet: release them and put the user back in the queue, ahead of new requests. */
  async agentIdle(): Promise<void> {
    const since = this.state.agent?.since;
    await this.send(`idle:${since}`, say(this.lang, 'agentIdle'), {
      sentBy: 'system',
      fallback: 'handoff_update',
    });
    await this.enqueue('agent_idle', `idle:${since}:queued`, 1);
  }

  async agentJoined(): Promise<void> {
    await this.sync('assigned');
    await this.send(`joined:${this.state.agent?.since}`, say(this.lang, 'agentJoined'), { sentBy: 'system' });
  }

  async resolved(since: string | undefined): Promise<void> {
    this.state.backToBot();
    await this.sync('resolved');
    await this.send(`resolved:${since}`, say(this.lang, 'resolved'), { sentBy: 'system' });
  }
}

function emptyResult(language: Language): NluResult {
  return {
    intent: 'fallback',
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

const text = (body: string): OutboundContent => ({ type: 'text', body });
