import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { agentPresence } from '../db/agents';
import { setContactLanguage, setOptOut } from '../db/contacts';
import {
  assignHandoff,
  closeHandoff,
  notifyConversationEvent,
  openHandoff,
  openTurnRow,
  recordCallbackRequest,
  releaseAssignedHandoff,
  setHandoffPriority,
  upsertConversation,
} from '../db/conversations';
import { recordInsight } from '../db/insights';
import { inTransaction, type Db } from '../db/pool';
import type { Metrics } from '../metrics';
import type { Language } from '../i18n';
import { addBusinessMinutes, isOpen, nextOpening } from '../settings/business-hours';
import { loadClientSettings, settingsFrom } from '../settings/client-settings';
import type { ConversationMode } from '../workflows/conversation/contract';
import type { ConversationSettings } from '../workflows/conversation/state';
import type { BotTexts } from '../db/bot-content';
import type { EventType } from '../events/catalogue';
import { activityEventId, buildEvent, createEventEmitter, eventId, type EventDeps } from './events';

export interface ConversationDeps extends Pick<EventDeps, 'temporal' | 'webhooks'> {
  db: Db;
  metrics: Metrics;
}

/** The outbound event each conversation change emits, when it emits one. */
const OUTBOUND: Partial<Record<ConversationEvent, EventType>> = {
  queued: 'conversation.queued',
  assigned: 'conversation.assigned',
  resolved: 'conversation.resolved',
  opted_out: 'contact.opted_out',
  opted_in: 'contact.opted_in',
};

/** What changed in a conversation; the queue record and the agents' event follow from it. */
export type ConversationEvent =
  | 'queued'
  | 'escalated'
  | 'assigned'
  | 'resolved'
  | 'expired'
  | 'opted_out'
  | 'opted_in'
  | 'message'
  | 'callback_requested';

export interface SyncConversationInput {
  clientId: string;
  phoneNumberId: string;
  subjectHash: string;
  ref: string;
  mode: ConversationMode;
  assignedAgent: string | null;
  event: ConversationEvent;
  reason?: string;
  priority?: number;
}

/** A handoff's clocks in the client's business hours. Times are ISO strings. */
export interface HandoffClock {
  /** Whether the team is open now. */
  open: boolean;
  /** When it opens next, when it is closed (null when open, or when the schedule never opens). */
  opensAt: string | null;
  /** The timezone the schedule is read in (the away reply names the opening time in it). */
  timeZone: string;
  slaDeadline: string;
  maxWaitDeadline: string;
}

/** The settings snapshot of a turn, and the contact's language when the conversation does not know it. */
export type TurnSettings = ConversationSettings & {
  contactLanguage?: Language;
  /** The greeting and menu texts the client set over the catalogue's, by language (absent: none). */
  texts?: Partial<Record<Language, BotTexts>>;
  /** Whether the satisfaction question follows a resolved handoff (absent: off). */
  csat?: boolean;
  /** The client's bot content version when the turn began (see `NluRequest.contentVersion`). */
  contentVersion?: number;
};

const iso = (ms: number) => new Date(ms).toISOString();

/** The outbound event of a conversation change: refs, the subject hash and the handoff's reason only. */
function conversationEvent(input: SyncConversationInput, type: EventType) {
  const base = { conversation: input.ref, subject: input.subjectHash };
  const id = activityEventId(type);
  if (type === 'conversation.queued')
    return buildEvent(input.clientId, type, id, {
      ...base,
      reason: input.reason ?? 'intent',
      priority: input.priority ?? 0,
    });
  return buildEvent(input.clientId, type, id, base);
}

export function createConversationActivities(deps: ConversationDeps) {
  const { db, metrics } = deps;
  const events = createEventEmitter(deps);
  const observeWait = (ms: number, outcome: string) => metrics.handoffWait.observe({ outcome }, ms / 1000);
  return {
    /**
     * Starts a turn: keeps the agents' row of the conversation current (mode, last activity) and
     * returns the client settings its rules and timers use, as a JSON-plain snapshot, with the
     * client's greeting and menu texts. One database statement (`openTurnRow`), run locally on every
     * message. A conversation that does not know its language yet (a new workflow) also gets the one
     * its contact kept. Throws non-retryable `ClientNotFound` when the client was deleted.
     */
    async beginTurn(
      input: Omit<SyncConversationInput, 'event'> & { languageKnown?: boolean },
    ): Promise<TurnSettings> {
      const turn = await openTurnRow(db, input);
      if (!turn)
        throw ApplicationFailure.nonRetryable(`client ${input.clientId} no longer exists`, 'ClientNotFound');
      const s = settingsFrom(turn.settings);
      const { contactLanguage, texts, contentVersion } = turn;
      return {
        ...(contactLanguage ? { contactLanguage } : {}),
        ...(Object.keys(texts).length ? { texts } : {}),
        ...(contentVersion ? { contentVersion } : {}),
        language: s.language,
        timezone: s.timezone,
        ...(s.country ? { country: s.country } : {}),
        slaMinutes: s.handoff.slaMinutes,
        maxWaitMinutes: s.handoff.maxWaitMinutes,
        agentIdleMinutes: s.handoff.agentIdleMinutes,
        keywords: s.handoff.keywords,
        transcriptDays: s.retention.transcriptDays,
        ...(s.csat.enabled ? { csat: true } : {}),
      };
    },

    /**
     * Mirrors a conversation change into the agents' view (conversations, handoff queue) and notifies
     * listening consoles, in one transaction with the outbound event it emits (queued, assigned,
     * resolved, opted out or in), whose endpoints it wakes after the commit. Idempotent: every write
     * is absolute or conflict-guarded. Returns the queue position when the conversation is waiting
     * (0 otherwise).
     */
    async syncConversation(input: SyncConversationInput): Promise<{ position: number }> {
      let woken: string[] = [];
      const synced = await inTransaction(db, async (tx) => {
        const { clientId, ref } = input;
        await upsertConversation(tx, { ...input, mode: input.mode });
        let position = 0;
        if (input.event === 'queued') {
          await releaseAssignedHandoff(tx, clientId, ref);
          const reason = input.reason ?? 'intent';
          const opened = await openHandoff(tx, {
            clientId,
            ref,
            subjectHash: input.subjectHash,
            reason,
            priority: input.priority ?? 0,
          });
          position = opened.position;
          if (opened.openedId)
            await recordInsight(tx, {
              clientId,
              kind: 'handoff_requested',
              dims: { reason },
              key: opened.openedId,
            });
        } else if (input.event === 'escalated') {
          await setHandoffPriority(tx, clientId, ref, input.priority ?? 1);
        } else if (input.event === 'assigned' && input.assignedAgent) {
          const waited = await assignHandoff(tx, clientId, ref, input.assignedAgent);
          if (waited) observeWait(waited.ms, 'accepted');
        } else if (input.event === 'resolved' || input.event === 'expired' || input.event === 'opted_out') {
          const outcome = input.event === 'opted_out' ? 'cancelled' : input.event;
          const closed = await closeHandoff(tx, clientId, ref, outcome);
          if (closed.waited) observeWait(closed.waited.ms, outcome);
          if (closed.handled && outcome === 'resolved')
            await recordInsight(tx, {
              clientId,
              kind: 'handoff_resolved',
              valueMs: closed.handled.ms,
              key: closed.handled.id,
            });
        } else if (input.event === 'callback_requested') {
          await recordCallbackRequest(tx, { clientId, ref, subjectHash: input.subjectHash });
        }
        await notifyConversationEvent(tx, {
          clientId,
          ref,
          type: input.event,
          mode: input.mode,
          agent: input.assignedAgent,
        });
        const type = OUTBOUND[input.event];
        if (type) woken = await events.record(tx, conversationEvent(input, type), input.subjectHash);
        return { position };
      });
      await events.wake(input.clientId, woken);
      return synced;
    },

    /**
     * The clocks of a handoff queued at `at`: whether the team is open (the client's
     * `businessHours`; always without them), when it opens next, and the SLA and maximum-wait
     * deadlines counted in open time only. Run as a local activity when a handoff is queued.
     */
    async handoffClock(input: { clientId: string; at: string }): Promise<HandoffClock> {
      const s = await loadClientSettings(db, input.clientId);
      if (!s)
        throw ApplicationFailure.nonRetryable(`client ${input.clientId} no longer exists`, 'ClientNotFound');
      const hours = s.businessHours;
      const zone = hours?.timezone ?? s.timezone;
      const at = Date.parse(input.at);
      const open = isOpen(hours, zone, at);
      const opensAt = open ? at : nextOpening(hours, zone, at);
      return {
        open,
        opensAt: open || opensAt === undefined ? null : iso(opensAt),
        timeZone: zone,
        slaDeadline: iso(addBusinessMinutes(hours, zone, at, s.handoff.slaMinutes)),
        maxWaitDeadline: iso(addBusinessMinutes(hours, zone, at, s.handoff.maxWaitMinutes)),
      };
    },

    /**
     * How many of the client's agents (live keys with the `agent` scope) there are and how many are
     * not away. Read when a handoff passes its SLA: with agents and every one of them away, the
     * customer is offered a callback instead of being told to keep waiting.
     */
    async agentPresence(input: { clientId: string }): Promise<{ agents: number; available: number }> {
      return agentPresence(db, input.clientId);
    },

    /** Keeps the conversation's language on the contact (for the order workflow and the next conversation). */
    async rememberLanguage(input: {
      clientId: string;
      subjectHash: string;
      language: Language;
    }): Promise<void> {
      await setContactLanguage(db, input);
    },

    /**
     * Records a satisfaction score as a non-personal insight: the score and the agent key, keyed by
     * a hash of the handoff (conversation reference and assignment time), so it counts once per handoff.
     */
    async recordSatisfaction(input: {
      clientId: string;
      agent: string;
      handoff: string;
      score: number;
      /** The conversation's ref and subject, for the `csat.received` event (absent: no event). */
      ref?: string;
      subjectHash?: string;
    }): Promise<void> {
      const key = createHash('sha256').update(input.handoff).digest('hex').slice(0, 32);
      await recordInsight(db, {
        clientId: input.clientId,
        kind: 'csat_rating',
        dims: { score: String(input.score), agent: input.agent },
        key,
      });
      if (!input.ref || !input.subjectHash) return;
      const data = { conversation: input.ref, subject: input.subjectHash, score: input.score };
      const event = buildEvent(input.clientId, 'csat.received', eventId('csat', input.clientId, key), data);
      await events.emit(db, event, input.subjectHash);
    },

    /**
     * Records an opt-out or opt-in from a keyword on the contact and in the consent history; counted
     * only when the consent changed, so a retry or a repeated STOP counts once.
     */
    async setConsent(input: { clientId: string; subjectHash: string; optedOut: boolean }): Promise<void> {
      if (!(await setOptOut(db, { ...input, source: 'whatsapp_keyword' }))) return;
      const event = input.optedOut ? 'opt_out' : 'opt_in';
      metrics.optOuts.inc({ event });
      await recordInsight(db, { clientId: input.clientId, kind: event });
    },
  };
}
