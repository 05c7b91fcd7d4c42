import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { EVENT_TYPES, eventEnvelopeSchema, type EventType } from '../../events/catalogue';
import { REPLAY_WINDOW_SECONDS } from '../../events/signature';

const WHEN: Record<EventType, string> = {
  'conversation.queued': 'A conversation was handed off and waits for an agent (again, after an idle agent).',
  'conversation.assigned': 'An agent took a queued conversation.',
  'conversation.resolved': 'The agent resolved the handoff; the bot answers again.',
  'contact.opted_out': 'The customer wrote STOP (or another opt-out keyword): nothing more is sent to them.',
  'contact.opted_in': 'The customer wrote START after opting out.',
  'order.status_changed': 'An order reached a new status (once per order and status).',
  'order.notification_failed': 'An order update could not be sent to the customer for good.',
  'privacy.erasure_completed': "An erasure request finished: the subject's data is gone.",
  'csat.received': 'The customer answered the satisfaction question after a handoff.',
};

const signatureHeader = z.string().meta({
  description:
    `\`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>\`; refuse a t more than ` +
    `${REPLAY_WINDOW_SECONDS} s from now (docs/events.md shows a 10-line check)`,
});

/**
 * The OpenAPI `webhooks` section: one POST per event type, the body its envelope. Every delivery
 * carries `X-Aura-Signature`, `X-Aura-Event-Id`, `X-Aura-Event-Type` and `X-Aura-Delivery-Id`; any
 * 2xx within 10 s accepts it, anything else is retried with back-off for 24 h.
 */
export function eventWebhooks(): ZodOpenApiPathsObject {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          summary: WHEN[type],
          tags: ['events'],
          requestParams: {
            header: z.object({
              'x-aura-signature': signatureHeader,
              'x-aura-event-id': z.string(),
              'x-aura-event-type': z.literal(type),
              'x-aura-delivery-id': z.string(),
            }),
          },
          requestBody: {
            required: true,
            content: { 'application/json': { schema: eventEnvelopeSchema(type) } },
          },
          responses: {
            '2XX': { description: 'accepted (anything else, or no answer within 10 s, is retried)' },
          },
        },
      },
    ]),
  );
}
