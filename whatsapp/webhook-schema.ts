import { z } from 'zod';
import type { WebhookMessage } from './message-types';

export { messageSchema, statusSchema, type WebhookMessage, type WebhookStatus } from './message-types';

/**
 * Zod schemas for Meta's webhook notifications. Objects are loose: fields Meta adds later are kept,
 * not rejected. Messages and statuses are kept as raw items here and parsed one by one
 * (`message-types.ts`), so one malformed item does not take the rest of the batch down with it.
 */

export const contactSchema = z.looseObject({
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  parent_user_id: z.string().optional(),
});
type Contact = z.infer<typeof contactSchema>;

export const messagesValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata: z.looseObject({
    phone_number_id: z.string().min(1),
    display_phone_number: z.string().optional(),
  }),
  contacts: z.array(contactSchema).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.looseObject({ code: z.number().optional() })).optional(),
});
export type MessagesValue = z.infer<typeof messagesValueSchema>;

export const notificationSchema = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })),
    }),
  ),
});
export type Notification = z.infer<typeof notificationSchema>;

function contactOf(message: WebhookMessage, contacts: Contact[] | undefined): Contact | undefined {
  return (
    contacts?.find(
      (c) =>
        (message.from_user_id !== undefined && c.user_id === message.from_user_id) ||
        (message.from !== undefined && c.wa_id === message.from),
    ) ?? (contacts?.length === 1 ? contacts[0] : undefined)
  );
}

/**
 * The key of an end-user: Meta's business-scoped user id (parent first) when present, else `wa_id`.
 * Returns undefined for a message that names no user at all.
 */
export function endUserKey(message: WebhookMessage, contacts: Contact[] | undefined): string | undefined {
  const contact = contactOf(message, contacts);
  return (
    contact?.parent_user_id ?? contact?.user_id ?? message.from_user_id ?? contact?.wa_id ?? message.from
  );
}

/** The address a reply goes to: `wa_id` when Meta gave one, else the business-scoped user id. */
export function replyAddress(message: WebhookMessage, contacts: Contact[] | undefined): string | undefined {
  const contact = contactOf(message, contacts);
  return message.from ?? contact?.wa_id ?? message.from_user_id ?? contact?.user_id;
}

/** The profile name the sender's contact entry carries, if any. */
export function profileName(message: WebhookMessage, contacts: Contact[] | undefined): string | undefined {
  return contactOf(message, contacts)?.profile?.name;
}
