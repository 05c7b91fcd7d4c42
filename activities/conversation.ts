import { ApplicationFailure } from '@temporalio/activity';
import { setOptOut } from '../db/contacts';
import {
  assignHandoff,
  closeHandoff,
  notifyConversationEvent,
  openHandoff,
  recordCallbackRequest,
  releaseAssignedHandoff,
  setHandoffPriority,
  upsertConversation,
} from '../db/conversations';
import { inTransaction, type Db } from '../db/pool';
import { loadClientSettings } from '../settings/client-settings';
import type { ConversationMode } from '../workflows/conversation/contract';
import type { ConversationSettings } from '../workflows/conversation/state';

export interface ConversationDeps {
  db: Db;
}

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

export function createConversationActivities({ db }: ConversationDeps) {
  return {
    /**
     * Starts a turn: keeps the agents' row of the conversation current (mode, last activity) and
     * returns the client settings its rules and timers use, as a JSON-plain snapshot. One database
     * round trip pair, run as a local activity on every message. Throws non-retryable
     * `ClientNotFound` when the client was deleted.
     */
    async beginTurn(input: Omit<SyncConversationInput, 'event'>): Promise<ConversationSettings> {
      const s = await loadClientSettings(db, input.clientId);
      if (!s)
        throw ApplicationFailure.nonRetryable(`client ${input.clientId} no longer exists`, 'ClientNotFound');
      await upsertConversation(db, input);
      return {
        language: s.language,
        timezone: s.timezone,
        slaMinutes: s.handoff.slaMinutes,
        maxWaitMinutes: s.handoff.maxWaitMinutes,
        agentIdleMinutes: s.handoff.agentIdleMinutes,
        keywords: s.handoff.keywords,
        transcriptDays: s.retention.transcriptDays,
      };
    },

    /**
     * Mirrors a conversation change into the agents' view (conversations, handoff queue) and notifies
     * listening consoles, in one transaction. Idempotent: every write is absolute or conflict-guarded.
     * Returns the queue position when the conversation is waiting (0 otherwise).
     */
    async syncConversation(input: SyncConversationInput): Promise<{ position: number }> {
      return inTransaction(db, async (tx) => {
        const { clientId, ref } = input;
        await upsertConversation(tx, { ...input, mode: input.mode });
        let position = 0;
        if (input.event === 'queued') {
          await releaseAssignedHandoff(tx, clientId, ref);
          position = await openHandoff(tx, {
            clientId,
            ref,
            subjectHash: input.subjectHash,
            reason: input.reason ?? 'intent',
            priority: input.priority ?? 0,
          });
        } else if (input.event === 'escalated') {
          await setHandoffPriority(tx, clientId, ref, input.priority ?? 1);
        } else if (input.event === 'assigned' && input.assignedAgent) {
          await assignHandoff(tx, clientId, ref, input.assignedAgent);
        } else if (input.event === 'resolved' || input.event === 'expired' || input.event === 'opted_out') {
          await closeHandoff(tx, clientId, ref, input.event === 'opted_out' ? 'cancelled' : input.event);
        } else if (input.event === 'callback_requested') {
          await recordCallbackRequest(tx, { clientId, ref, subjectHash: input.subjectHash });
        }
        await notifyConversationEvent(tx, { clientId, ref, type: input.event, mode: input.mode });
        return { position };
      });
    },

    /** Records an opt-out or opt-in from a keyword on the contact and in the consent history. */
    async setConsent(input: { clientId: string; subjectHash: string; optedOut: boolean }): Promise<void> {
      await setOptOut(db, { ...input, source: 'whatsapp_keyword' });
    },
  };
}
