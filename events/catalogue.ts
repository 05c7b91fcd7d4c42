import { z } from 'zod';

/**
 * The outbound events a client may subscribe an endpoint to (docs/events.md). A payload names
 * things by id, ref, keyed hash and status only — never message text, names or numbers: the client
 * reads those through the API with a key, audited.
 */
export const EVENT_TYPES = [
  'conversation.queued',
  'conversation.assigned',
  'conversation.resolved',
  'contact.opted_out',
  'contact.opted_in',
  'order.status_changed',
  'order.notification_failed',
  'privacy.erasure_completed',
  'csat.received',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const subject = z
  .string()
  .meta({ description: 'the end-user as the keyed subject hash (the same in every event of theirs)' });
const conversation = z.string().meta({ description: 'the conversation ref, as in `GET /v1/conversations`' });
const conversationData = z.object({ conversation, subject });

/** The `data` of each event type. */
export const EVENT_DATA = {
  'conversation.queued': conversationData.extend({
    reason: z
      .string()
      .meta({ description: 'why it was handed off: keyword, intent, no_match, cx_handoff, agent_idle' }),
    priority: z.number().int(),
  }),
  'conversation.assigned': conversationData,
  'conversation.resolved': conversationData,
  'contact.opted_out': conversationData,
  'contact.opted_in': conversationData,
  'order.status_changed': z.object({
    orderId: z.string(),
    subject,
    status: z.enum(['created', 'awaiting_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded']),
  }),
  'order.notification_failed': z.object({
    orderId: z.string(),
    subject,
    notification: z
      .string()
      .meta({ description: 'the update that was not sent, e.g. shipping_confirmation' }),
    reason: z.string().meta({ description: 'the failure type, e.g. GraphRejected' }),
  }),
  'privacy.erasure_completed': z.object({
    requestId: z.string().meta({ description: 'as `DELETE /v1/privacy/subjects/:userId` answered it' }),
  }),
  'csat.received': conversationData.extend({ score: z.number().int().min(1).max(5) }),
} satisfies Record<EventType, z.ZodObject>;

export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

/** What a delivery's body is: the envelope around one event's data. */
export function eventEnvelopeSchema<T extends EventType>(type: T) {
  return z.object({
    id: z
      .string()
      .meta({ description: 'the event id: the same on every retry and redelivery (deduplicate on it)' }),
    type: z.literal(type),
    createdAt: z.string().meta({ description: 'ISO 8601, when the event happened' }),
    clientId: z.string(),
    data: EVENT_DATA[type],
  });
}

/** One event as it is recorded and delivered. */
export interface WebhookEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  createdAt: string;
  clientId: string;
  data: EventData<T>;
}
