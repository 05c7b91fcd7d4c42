import type { SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { clientIdAttribute, modeAttribute, subjectAttribute } from '../../temporal/search-attributes';
import type { Language } from '../../i18n';
import type { DialogueState } from './dialogue';
import type { conversationWorkflow } from './workflow';

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

/**
 * The opaque id agents and the API use for a conversation (`cv_<number id>_<hash prefix>`). It holds
 * no PII and no client id: the API rebuilds the workflow id with the caller's own client id, so a
 * reference from another tenant simply names nothing.
 */
export function conversationRef(phoneNumberId: string, subjectHash: string): string {
  return `cv_${phoneNumberId}_${subjectHash.slice(0, 40)}`;
}

/** The workflow id a reference names for `clientId`, or undefined when the reference is malformed. */
export function workflowIdFromRef(clientId: string, ref: string): string | undefined {
  const match = /^cv_(\d{1,20})_([0-9a-f]{40})$/.exec(ref);
  return match ? `conversation:${clientId}:${match[1]}:${match[2]}` : undefined;
}

/** An inbound WhatsApp message as the webhook hands it to the workflow. */
export interface InboundMessage {
  /**
   * The keyed hash of Meta's message id (`whatsapp/wamid.ts`): the deduplication key, the stored id
   * and the root of reply keys. A wamid holds the user's number, so only the hash names anything.
   */
  messageId: string;
  /** Meta's message id (`wamid.…`) itself, in the encrypted payload only: marking it read needs it. */
  wamid: string;
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

/** What a conversation workflow is, for the Temporal UI's memo: ids only, never PII. */
// A type alias, not an interface: start options want a Record, which interfaces are not.
export type ConversationMemo = {
  kind: 'conversation';
  clientId: string;
  phoneNumberId: string;
  /** The erasure request a held run waits for (see `ConversationInput.heldFor`). */
  heldFor?: string;
};

/** The memo every starter of a conversation attaches. */
export function conversationMemo(input: {
  clientId: string;
  phoneNumberId: string;
  heldFor?: string;
}): ConversationMemo {
  return {
    kind: 'conversation',
    clientId: input.clientId,
    phoneNumberId: input.phoneNumberId,
    ...(input.heldFor ? { heldFor: input.heldFor } : {}),
  };
}

/**
 * Start options every starter of a conversation uses (signal-with-start from the webhook, the held
 * run of an erasure): the search attributes are given at start, so erasure finds the execution from
 * its first event, before the workflow ever ran a task.
 */
export function conversationStartOptions(input: ConversationInput, taskQueue: string) {
  return {
    workflowId: conversationWorkflowId(input.clientId, input.phoneNumberId, input.subjectHash),
    taskQueue,
    args: [input] satisfies Parameters<typeof conversationWorkflow>,
    memo: conversationMemo({ ...input, heldFor: input.heldFor }),
    // A new run starts in the bot's mode; the workflow upserts the mode only when it changes.
    typedSearchAttributes: [
      { key: clientIdAttribute, value: input.clientId },
      { key: subjectAttribute, value: input.subjectHash },
      { key: modeAttribute, value: 'bot' },
    ] satisfies SearchAttributePair[],
  };
}

export interface ConversationInput {
  clientId: string;
  phoneNumberId: string;
  subjectHash: string;
  /** Carried across continue-as-new. */
  carried?: CarriedState;
  /**
   * Set on the run an erasure starts in place of the subject's conversation (the request id): it
   * only collects inbound messages, runs nothing, and starts as a fresh conversation once the
   * erasure releases it (`releaseHeldSignal`), so nothing is written under a new key before then.
   */
  heldFor?: string;
}

export type ConversationMode = 'bot' | 'queued' | 'agent' | 'opted_out';

/** A pending request for a human agent. Times are ISO strings (workflow clock). */
export interface HandoffState {
  reason: HandoffReason;
  queuedAt: string;
  slaDeadline: string;
  maxWaitDeadline: string;
  priority: number;
  escalated: boolean;
  /** Position in the client's queue when it was queued (the API lists live positions). */
  position: number;
}

export type HandoffReason = 'intent' | 'cx_handoff' | 'no_match' | 'keyword' | 'agent_idle';

export interface AgentState {
  agentId: string;
  since: string;
  lastActivityAt: string;
}

export interface CarriedState {
  seenMessageIds: string[];
  pending: InboundMessage[];
  lastInboundAt?: string;
  handled: number;
  mode?: ConversationMode;
  noMatchStreak?: number;
  handoff?: HandoffState;
  agent?: AgentState;
  lastActivityAt?: string;
  /** The conversation's language and what the bot is waiting for. */
  dialogue?: DialogueState;
}

export interface ConversationView {
  ref: string;
  mode: ConversationMode;
  windowOpenUntil: string | null;
  recentMessageIds: string[];
  handled: number;
  assignedAgent: string | null;
  queue: {
    position: number;
    priority: number;
    queuedAt: string;
    slaDeadline: string;
    escalated: boolean;
  } | null;
  lastActivityAt: string | null;
  /** The conversation's language once the customer's writing showed it. */
  language: Language | null;
}

/**
 * What an agent may send: text, buttons (same limits as the bot's), a file the API already stored
 * sealed (`stored` is its media id), uploaded to Meta by the send, or one of the client's approved
 * templates (the API resolves it from the settings; the only kind allowed outside the 24-hour window).
 */
export type AgentContent =
  | { type: 'text'; body: string }
  | { type: 'template'; name: string; language: string; parameters?: string[] }
  | { type: 'buttons'; body: string; buttons: { id: string; title: string }[] }
  | { type: 'media'; kind: 'image' | 'document'; stored: string; caption?: string; filename?: string };

/** The send key of an agent's message: the workflow prefixes its id to make the idempotency key. */
export const agentSendKey = (clientMessageId: string) => `agent:${clientMessageId}`;

/** The id of an agent's outbound message row (the send's idempotency key), as the API needs it. */
export const agentMessageId = (workflowId: string, clientMessageId: string) =>
  `${workflowId}:${agentSendKey(clientMessageId)}`;

export interface AssignAgentRequest {
  /** `agent:<keyId>` of the caller. */
  agentId: string;
  /** Take over a conversation the bot is handling (no handoff was requested). */
  takeover?: boolean;
}

export interface AgentMessageRequest {
  agentId: string;
  /** Caller-chosen id of this message (idempotency: the same id sends once). */
  clientMessageId: string;
  content: AgentContent;
}

export interface AgentMessageResult {
  status: 'sent' | 'refused';
  reason?: string;
  viaTemplate?: boolean;
}

export const inboundMessageSignal = defineSignal<[InboundMessage]>('inboundMessage');
/**
 * The erasure is over: a held run becomes a fresh conversation. With `onlyIfEmpty` (sent before the
 * erasure completes) a run that collected nothing completes, and one that did keeps waiting.
 */
export const releaseHeldSignal = defineSignal<[{ onlyIfEmpty: boolean }]>('releaseHeld');
export const getConversationQuery = defineQuery<ConversationView>('getConversation');
/** Assign/accept or take over. Refused (validator) when another agent owns it, naming that agent. */
export const assignAgentUpdate = defineUpdate<ConversationView, [AssignAgentRequest]>('assignAgent');
/** An agent's reply, sent through the one send path; refused unless the caller owns the conversation. */
export const agentMessageUpdate = defineUpdate<AgentMessageResult, [AgentMessageRequest]>('agentMessage');
/** Hands the conversation back to the bot. */
export const resolveUpdate = defineUpdate<ConversationView, [{ agentId: string }]>('resolve');
