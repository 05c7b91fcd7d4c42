import { setTimeout as delay } from 'node:timers/promises';
import type { createConversationActivities, SyncConversationInput, TurnSettings } from './conversation';
import type { createWhatsAppActivities, RecordInboundResult } from './whatsapp';
import type { InboundMessage } from '../workflows/conversation/contract';

/** How long the turn waits for the read receipt: the reply matters more than the blue ticks. */
const READ_RECEIPT_WAIT_MS = 3_000;

export interface OpenTurnInput {
  turn: Omit<SyncConversationInput, 'event'> & { languageKnown?: boolean };
  message: InboundMessage;
  /** Mark the message read with "typing…" (the bot is about to answer). */
  markRead: boolean;
}

export interface OpenTurnResult {
  settings: TurnSettings;
  recorded: RecordInboundResult;
}

type Steps = Pick<ReturnType<typeof createConversationActivities>, 'beginTurn'> &
  Pick<ReturnType<typeof createWhatsAppActivities>, 'recordInbound' | 'markRead'>;

/** The activities made of others' steps: one call where a turn used to need several. */
export function createTurnActivities(steps: Steps) {
  return {
    /**
     * Opens the handling of one inbound message in one local activity — one marker in the history
     * where there were three: the turn's settings and the agents' row (`beginTurn`), the message
     * persisted (`recordInbound`), and, when the bot answers, the read receipt with "typing…". All
     * three are idempotent, so a retry of the whole is harmless. The receipt is best effort: waited
     * for up to 3 s, its failure ignored (a missing tick is not worth a retry of the turn). Throws
     * what `beginTurn` and `recordInbound` throw.
     */
    async openTurn(input: OpenTurnInput): Promise<OpenTurnResult> {
      const settings = await steps.beginTurn(input.turn);
      const { clientId, phoneNumberId, subjectHash } = input.turn;
      const recorded = await steps.recordInbound({
        clientId,
        phoneNumberId,
        subjectHash,
        message: input.message,
      });
      if (input.markRead) {
        const receipt = steps
          .markRead({ clientId, phoneNumberId, wamid: input.message.wamid, typing: true })
          .catch(() => undefined);
        await Promise.race([receipt, delay(READ_RECEIPT_WAIT_MS)]);
      }
      return { settings, recorded };
    },
  };
}
