import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * The conversation workflow's contract: its id, input, messages and view. The API and tests import
 * these; nothing else spells the names or ids by hand. Everything here is JSON-plain.
 */

export const CONVERSATION_WORKFLOW_TYPE = 'conversationWorkflow';

/**
 * One workflow per business number × end-user. The end-user appears only as a keyed hash
 * (`subjectHash`), never as a phone number or Meta user id.
 */
export function conversationWorkflowId(clientId: string, phoneNumberId: string, subjectHash: string): string {
  return `conversation:${clientId}:${phoneNumberId}:${subjectHash.slice(0, 40)}`;
}

/** An inbound WhatsApp message as the webhook hands it to the workflow. */
export interface InboundMessage {
  /** Meta's message id (`wamid.…`): the deduplication key. */
  messageId: string;
  /** Meta's timestamp as ISO-8601: ordering and the 24-hour window are computed from it. */
  timestamp: string;
  type: string;
  /** The text the user wrote (text body, caption, button title …), when there is one. */
  text?: string;
  /** The type-specific object of Meta's message (media ids, location, reply ids …), JSON-plain. */
  payload?: Record<string, unknown>;
  /** The business message the user replied to (`{from, id}`), or `{forwarded: true}`. */
  context?: Record<string, unknown>;
  /** The click-to-WhatsApp ad the conversation started from, when there is one. */
  referral?: Record<string, unknown>;
  /** Who wrote: the reply address (`wa_id`, or the business-scoped user id) and profile name. */
  sender: { recipient: string; name?: string };
}

export interface ConversationInput {
  clientId: string;
  phoneNumberId: string;
  subjectHash: string;
  /** Carried across continue-as-new. */
  carried?: CarriedState;
}

export interface CarriedState {
  seenMessageIds: string[];
  pending: InboundMessage[];
  lastInboundAt?: string;
  handled: number;
}

export type ConversationMode = 'bot' | 'queued' | 'agent' | 'opted_out';

export interface ConversationView {
  mode: ConversationMode;
  windowOpenUntil: string | null;
  recentMessageIds: string[];
  handled: number;
}

export const inboundMessageSignal = defineSignal<[InboundMessage]>('inboundMessage');
export const getConversationQuery = defineQuery<ConversationView>('getConversation');
