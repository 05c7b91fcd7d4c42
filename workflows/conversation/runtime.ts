import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ConversationEvent, TurnSettings } from '../../activities/conversation';
import { supportedLanguage, type Language } from '../../i18n';
import { formatWhen, type FormatContext } from '../../i18n/format';
import type { NluResult } from '../../nlu/port';
import type { InboundMediaRequest } from '../../activities/media';
import type { RecordInboundResult } from '../../activities/whatsapp';
import type { TemplatePurpose } from '../../settings/client-settings';
import { modeAttribute } from '../../temporal/search-attributes';
import { MEDIA_ACTIVITY_OPTIONS, QUICK_ACTIVITY_OPTIONS, SEND_ACTIVITY_OPTIONS } from '../activity-options';
import type { OutboundContent } from '../../whatsapp/outbound';
import { replyId, tapAction, tapResult, voiceNoteMediaId } from './actions';
import type { ConversationInput, HandoffReason, InboundMessage } from './contract';
import { barePlace, followUp, yesOrNo } from './dialogue';
import { consentKeyword, matchesHandoffKeyword } from './keywords';
import { acknowledgement, callbackOffer, greetingWithButtons, menuList, say } from './replies';
import type { ConversationState } from './state';
import { answerSatisfaction, askSatisfaction } from './survey';
import { BotTopics, type BotContext } from './topics';

const acts = proxyActivities<Activities>(QUICK_ACTIVITY_OPTIONS);
const sends = proxyActivities<Activities>(SEND_ACTIVITY_OPTIONS);
const media = proxyActivities<Activities>(MEDIA_ACTIVITY_OPTIONS);

// Dialogflow CX voice requests can take several seconds; the activity records its result, so a
// retry after a timeout never calls detectIntent twice for one message.
const nluOptions = {
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * The steps before the reply (opening the turn, language identification, NLU) run as local
 * activities: in the worker, inside the workflow task, with no server round trip each — every one
 * is idempotent per message id, so a local retry after a crash is harmless. The send stays a remote
 * activity: pacing may hold it for seconds, and it is the step whose retries matter most.
 */
const nlu = proxyLocalActivities<Activities>(nluOptions);

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
 * they cause. The workflow entry point owns the loop and the handlers; this owns what they do. The
 * dialogue rules live in `dialogue.ts`, the order topics in `topics.ts`, the wording in `replies.ts`.
 */
export class ConversationRuntime implements BotContext {
  settings!: TurnSettings;
  readonly topics = new BotTopics(this);

  /** The mode the search attribute holds (the workflow sets it when the run starts). */
  private indexedMode: string;

  constructor(
    readonly input: ConversationInput,
    readonly state: ConversationState,
    readonly ref: string,
  ) {
    this.indexedMode = state.mode;
  }

  get subject() {
    return {
      clientId: this.input.clientId,
      phoneNumberId: this.input.phoneNumberId,
      subjectHash: this.input.subjectHash,
    };
  }

  get dialogue() {
    return this.state.dialogue;
  }

  get clientLanguage(): Language {
    return supportedLanguage(this.settings.language);
  }

  /** The conversation's language: the customer's once shown, else the client's default. */
  get lang(): Language {
    return this.state.language ?? this.clientLanguage;
  }

  get fmt(): FormatContext {
    return { lang: this.lang, timeZone: this.settings.timezone, country: this.settings.country };
  }

  /** Whether a turn has read the settings yet (a run that starts with a message reads them with it). */
  get ready(): boolean {
    return this.settings !== undefined;
  }

  /** Refreshes the settings (a client may change them any time) and the agents' row of this conversation. */
  async beginTurn(): Promise<void> {
    this.useSettings(await local.beginTurn(this.turnRow()));
  }

  /**
   * Opens a message's turn: `beginTurn`, `recordInbound` and (while the bot answers) the read
   * receipt in one local activity, one history event. Returns what `recordInbound` returns.
   */
  async openTurn(message: InboundMessage): Promise<RecordInboundResult> {
    const opened = await local.openTurn({
      turn: this.turnRow(),
      message,
      markRead: this.state.mode === 'bot',
    });
    this.useSettings(opened.settings);
    return opened.recorded;
  }

  private turnRow() {
    return {
      ...this.subject,
      ref: this.ref,
      mode: this.state.mode,
      assignedAgent: this.state.agent?.agentId ?? null,
      languageKnown: this.state.language !== undefined,
    };
  }

  private useSettings(settings: TurnSettings): void {
    this.settings = settings;
    if (!this.state.language && settings.contactLanguage)
      this.dialogue.state.language = settings.contactLanguage;
  }

  /** The customer's writing showed their language: the conversation and the contact keep it. */
  private async learnLanguage(language: Language | undefined): Promise<void> {
    if (!language || language === this.state.language) return;
    this.dialogue.state.language = language;
    await local.rememberLanguage({ ...this.subject, language });
  }

  /** For a message read without NLU: a sentence clearly in another language switches the conversation. */
  private async identifyLanguage(text: string): Promise<void> {
    if (text.trim().split(/\s+/).length < 2) return;
    await this.learnLanguage((await local.identifyLanguage({ text })) ?? undefined);
  }

  /** Sends through the one send path; `key` makes the send idempotent across retries and replays. */
  async send(
    key: string,
    content: OutboundContent,
    opts: { sentBy?: string; fallback?: TemplatePurpose; purpose?: 'opt_out_confirmation' } = {},
  ) {
    return sends.sendMessage({
      ...this.subject,
      idempotencyKey: `${workflowInfo().workflowId}:${key}`,
      content,
      sentBy: opts.sentBy ?? 'bot',
      fallbackPurpose: opts.fallback,
      purpose: opts.purpose,
      language: this.lang,
    });
  }

  /** The bot speaks only while it owns the conversation: a takeover mid-turn mutes it at once. */
  async speak(key: string, content: OutboundContent): Promise<void> {
    if (this.state.mode === 'bot') await this.send(key, content);
  }

  /** Mirrors the mode into the search attribute (when it changed), the agents' view and the event stream. */
  async sync(event: ConversationEvent, extra: { reason?: string; priority?: number } = {}) {
    if (this.state.mode !== this.indexedMode) {
      upsertSearchAttributes([{ key: modeAttribute, value: this.state.mode }]);
      this.indexedMode = this.state.mode;
    }
    return acts.syncConversation({
      ...this.subject,
      ref: this.ref,
      mode: this.state.mode,
      assignedAgent: this.state.agent?.agentId ?? null,
      event,
      ...extra,
    });
  }

  /**
   * One inbound message, already recorded by `openTurn`: its media, consent keywords, then (by
   * mode) the dialogue, NLU and the action.
   */
  async handleMessage(message: InboundMessage, recorded: RecordInboundResult): Promise<void> {
    if (recorded.media) await this.storeMedia(message, recorded.media);
    this.state.touch(Date.now());
    const consent = consentKeyword(message.text);
    if (consent) await this.learnLanguage(consent.language);
    if (consent?.kind === 'opt_out') return this.optOut(message);
    if (consent?.kind === 'opt_in') return this.optIn(message);
    if (this.state.mode === 'opted_out') return;
    if (this.state.mode !== 'bot') {
      await this.sync('message');
      return;
    }
    return this.botTurn(message);
  }

  /** What the bot makes of a message: a tap, a keyword, an answer to its question, a follow-up, NLU. */
  private async botTurn(message: InboundMessage): Promise<void> {
    const key = `reply:${message.messageId}`;
    if (message.type === 'order') return this.topics.catalogueOrder(message);
    const tap = tapAction(replyId(message));
    if (tap) this.dialogue.settle();
    if (tap?.kind === 'callback') return this.callbackAnswer(message, tap.accepted);
    if (tap?.kind === 'csat') return answerSatisfaction(this, message, tap.score);
    if (tap) return this.act(message, tapResult(tap.intent, this.lang));
    if (matchesHandoffKeyword(message.text, this.settings.keywords))
      return this.requestAgent(message, 'keyword');
    if (!message.text) return this.notText(message);
    if (this.dialogue.asked || this.dialogue.state.topic) await this.identifyLanguage(message.text);
    if (this.dialogue.asked === 'callback') {
      const yes = yesOrNo(message.text);
      if (yes !== undefined) return this.callbackAnswer(message, yes);
    } else if (this.dialogue.asked && (await this.topics.answer(key, message))) return;
    const next = followUp(message.text, this.dialogue.state.topic);
    if (next?.topic === 'order_status') return this.topics.orderStatus(key, next.orderNumber);
    if (next && (await this.topics.shippingQuote(key, next.destination))) return;
    return this.understand(message);
  }

  /**
   * A message without text is never a no-match: a voice note goes to the engine (Dialogflow CX can
   * hear it); a photo, file or location is acknowledged; a sticker or reaction gets no reply.
   */
  private async notText(message: InboundMessage): Promise<void> {
    if (voiceNoteMediaId(message)) return this.understand(message);
    const ack = acknowledgement(message.type, this.lang);
    if (ack) await this.speak(`reply:${message.messageId}`, ack);
  }

  /** NLU, then the action. A message answering the bot's question that the NLU cannot use either is unusable. */
  private async understand(message: InboundMessage): Promise<void> {
    const key = `reply:${message.messageId}`;
    const mediaId = voiceNoteMediaId(message);
    const answering = this.dialogue.asked !== undefined;
    const result = await nlu
      .understand({
        ...this.subject,
        messageId: message.messageId,
        text: message.text,
        audio: mediaId ? { mediaId } : undefined,
        languageHint: this.lang,
        timeZone: this.settings.timezone,
        answering,
        knownLanguage: this.state.language,
        contentVersion: this.settings.contentVersion ?? 0,
      })
      // Nothing to understand (a voice note the media store cannot give us): say so, carry on.
      .catch((err: unknown) => {
        if (activityFailedForGood(err)) return undefined;
        throw err;
      });
    // `understand` has already kept a newly shown language on the contact.
    if (result?.languageSure) this.dialogue.state.language = result.language;
    const unheard = mediaId && (!result || (result.noMatch && !result.transcript));
    if (unheard) return this.speak(key, say(this.lang, 'voiceUnreadable'));
    if (!result) return this.speak(key, say(this.lang, 'fallback'));
    const usable = !result.noMatch || result.handoff || result.replies.length > 0;
    if (answering && !usable) return this.topics.unusable(key);
    if (!usable && barePlace(message.text, this.dialogue.state.topic))
      if (await this.topics.shippingQuote(key, message.text)) return;
    if (answering) this.dialogue.settle();
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
    const key = `reply:${message.messageId}`;
    if (result.handoff) return this.requestAgent(message, 'cx_handoff', result);
    if (this.state.countNoMatch(result.noMatch) >= NO_MATCH_HANDOFF)
      return this.requestAgent(message, 'no_match');
    if (result.intent === 'human_agent' && result.replies.length === 0)
      return this.requestAgent(message, 'intent');
    if (result.replies.length > 0) return this.sendEngineReplies(key, result);
    if (result.endInteraction) return this.speak(key, say(this.lang, 'goodbye'));
    const param = (name: string) => {
      const value = result.parameters[name];
      return typeof value === 'string' && value ? value : undefined;
    };
    switch (result.intent) {
      case 'greeting':
        return this.speak(key, greetingWithButtons(this.lang, this.settings.texts?.[this.lang]));
      case 'help':
        return this.speak(key, menuList(this.lang, this.settings.texts?.[this.lang]));
      case 'thanks':
        return this.speak(key, say(this.lang, 'thanks'));
      case 'order_status':
        return this.topics.orderStatus(key, param('orderNumber'));
      case 'shipping_quote':
        if (!(await this.topics.shippingQuote(key, param('destination'))))
          await this.topics.askDestinationAgain(key);
        return;
      default:
        return this.speak(key, say(this.lang, 'fallback'));
    }
  }

  private async sendEngineReplies(key: string, result: NluResult): Promise<void> {
    for (const [i, r] of result.replies.entries()) {
      const content: OutboundContent =
        r.type === 'list'
          ? { type: 'list', body: r.body, button: r.button, sections: [{ rows: r.rows }] }
          : r;
      await this.speak(`${key}:${i}`, content);
    }
  }

  /** Enters the queue: durable record, agents notified, the user told. */
  async requestAgent(message: InboundMessage, reason: HandoffReason, result?: NluResult): Promise<void> {
    if (result?.replies.length) await this.sendEngineReplies(`reply:${message.messageId}`, result);
    await this.enqueue(reason, `reply:${message.messageId}:queued`);
  }

  /**
   * Queues with the SLA and maximum wait counted in the client's business hours; outside them the
   * customer is told when the team is back, and the request keeps its place in the queue.
   */
  async enqueue(reason: HandoffReason, key: string, priority = 0): Promise<void> {
    const now = Date.now();
    const clock = await local.handoffClock({
      clientId: this.input.clientId,
      at: new Date(now).toISOString(),
    });
    const handoff = this.state.queue(reason, now, clock, priority);
    const { position } = await this.sync('queued', { reason, priority });
    handoff.position = position;
    const notice = clock.opensAt
      ? say(this.lang, 'queuedAway', {
          when: formatWhen(clock.opensAt, { ...this.fmt, timeZone: clock.timeZone }),
        })
      : say(this.lang, 'queued');
    await this.send(key, notice, { fallback: 'handoff_update' });
  }

  private async optOut(message: InboundMessage): Promise<void> {
    if (this.state.mode === 'opted_out') return;
    this.state.optOut();
    await acts.setConsent({ ...this.subject, optedOut: true });
    await this.sync('opted_out');
    await this.send(`reply:${message.messageId}`, say(this.lang, 'optedOut'), {
      sentBy: 'system',
      purpose: 'opt_out_confirmation',
    });
  }

  private async optIn(message: InboundMessage): Promise<void> {
    if (this.state.mode !== 'opted_out')
      return this.speak(
        `reply:${message.messageId}`,
        greetingWithButtons(this.lang, this.settings.texts?.[this.lang]),
      );
    await acts.setConsent({ ...this.subject, optedOut: false });
    this.state.backToBot();
    await this.sync('opted_in');
    await this.send(`reply:${message.messageId}`, say(this.lang, 'optedIn'), { sentBy: 'system' });
  }

  private async callbackAnswer(message: InboundMessage, accepted: boolean): Promise<void> {
    this.dialogue.settle();
    if (accepted) await this.sync('callback_requested');
    await this.speak(
      `reply:${message.messageId}`,
      say(this.lang, accepted ? 'callbackNoted' : 'callbackDeclined'),
    );
  }

  /**
   * SLA passed: tell the user, raise the priority; the request stays in the queue. When the client
   * has agents and every one of them is away, nobody is coming soon: the callback offer goes out now
   * (as at the maximum wait) instead of a promise to keep waiting.
   */
  async slaExpired(): Promise<void> {
    const presence = await local.agentPresence({ clientId: this.input.clientId });
    if (presence.agents > 0 && presence.available === 0) return this.maxWait();
    const queuedAt = this.state.handoff?.queuedAt;
    const priority = this.state.escalate();
    await this.sync('escalated', { priority });
    await this.send(`sla:${queuedAt}`, say(this.lang, 'slaExpired'), {
      sentBy: 'system',
      fallback: 'handoff_update',
    });
  }

  /** Maximum wait passed: offer a callback (a yes/no question) and give the conversation back to the bot. */
  async maxWait(): Promise<void> {
    const queuedAt = this.state.handoff?.queuedAt;
    this.state.backToBot();
    this.dialogue.ask('callback');
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

  /** The agent resolved the handoff: back to the bot, the customer told, and (when on) the satisfaction question. */
  async resolved(since: string | undefined): Promise<void> {
    const agent = this.state.agent?.agentId;
    this.state.backToBot();
    await this.sync('resolved');
    await this.send(`resolved:${since}`, say(this.lang, 'resolved'), { sentBy: 'system' });
    await askSatisfaction(this, agent, since);
  }
}
