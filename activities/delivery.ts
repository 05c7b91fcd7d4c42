import { ApplicationFailure, Context } from '@temporalio/activity';
import { findContactLanguage, markUndeliverable } from '../db/contacts';
import { findOutboundByWamidHash } from '../db/messages';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import { loadClientSettings, pickTemplate } from '../settings/client-settings';
import type { DeliveryFailureInput } from '../workflows/delivery-failure/contract';
import type { SendMessageInput } from './whatsapp';

export interface DeliveryDeps {
  db: Db;
  log: Logger;
}

/**
 * What to do about a failed delivery; `send` lacks only the idempotency key the workflow derives.
 * `subjectHash` is the failed message's subject, once it is found.
 */
export type DeliveryFailurePlan = { subjectHash?: string } & (
  | {
      kind: 'none';
      reason: 'unknown_message' | 'marked_undeliverable' | 'already_template' | 'no_template' | 'other_code';
    }
  | { kind: 'template_fallback'; send: Omit<SendMessageInput, 'idempotencyKey'> }
);

/** Attempts to wait for the failed message to be recorded before calling it someone else's. */
const LOOKUP_ATTEMPTS = 5;

export function createDeliveryActivities({ db, log }: DeliveryDeps) {
  return {
    /**
     * Decides the follow-up of a failed delivery and does the database part of it (marking the
     * contact undeliverable). Throws a retryable failure while the message is not recorded yet.
     */
    async resolveDeliveryFailure(input: DeliveryFailureInput): Promise<DeliveryFailurePlan> {
      const row = await findOutboundByWamidHash(db, input.clientId, input.wamidHash);
      if (!row) {
        if (Context.current().info.attempt < LOOKUP_ATTEMPTS) {
          throw ApplicationFailure.retryable('failed message not recorded yet', 'OutboundNotYetRecorded');
        }
        log.warn('delivery failure for a message we never recorded', { clientId: input.clientId });
        return { kind: 'none', reason: 'unknown_message' };
      }
      const { subjectHash } = row;
      if (input.errorCode === 131026) {
        await markUndeliverable(db, input.clientId, subjectHash);
        return { kind: 'none', reason: 'marked_undeliverable', subjectHash };
      }
      if (input.errorCode !== 131047) return { kind: 'none', reason: 'other_code', subjectHash };
      if (row.type === 'template') return { kind: 'none', reason: 'already_template', subjectHash };
      const settings = await loadClientSettings(db, input.clientId);
      const language = await findContactLanguage(db, input.clientId, row.subjectHash);
      const template =
        settings && pickTemplate(settings.templates.window_reopen, language, settings.language);
      if (!template) return { kind: 'none', reason: 'no_template', subjectHash };
      return {
        kind: 'template_fallback',
        subjectHash,
        send: {
          clientId: input.clientId,
          phoneNumberId: row.phoneNumberId,
          subjectHash: row.subjectHash,
          content: { type: 'template', ...template },
          sentBy: 'system',
        },
      };
    },
  };
}
