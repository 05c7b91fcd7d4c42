import { z } from 'zod';

/**
 * Zod schemas for Meta's webhook notifications. Objects are loose: fields Meta adds later are kept,
 * not rejected. Only what routing and handling depend on is required.
 */

const timestamp = z.string().regex(/^\d{1,12}$/, 'must be Unix seconds');

export const contactSchema = z.looseObject({
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  parent_user_id: z.string().optional(),
});

export const messageSchema = z.looseObject({
  id: z.string().min(1),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp,
  type: z.string().min(1),
  text: z.looseObject({ body: z.string() }).optional(),
});
export type WebhookMessage = z.infer<typeof messageSchema>;

export const statusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp,
  recipient_id: z.string().optional(),
});

export const messagesValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata: z.looseObject({
    phone_number_id: z.string().min(1),
    display_phone_number: z.string().optional(),
  }),
  contacts: z.array(contactSchema).optional(),
  messages: z.array(messageSchema).optional(),
  statuses: z.array(statusSchema).optional(),
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

/**
 * The key of an end-user: Meta's business-scoped user id (parent first) when present, else `wa_id`.
 * Returns undefined for a message that names no user at all.
 */
export function endUserKey(message: WebhookMessage, contacts: MessagesValue['contacts']): string | undefined {
  const contact =
    contacts?.find(
      (c) => (message.from_user_id && c.user_id === message.from_user_id) || c.wa_id === message.from,
    ) ?? (contacts?.length === 1 ? contacts[0] : undefined);
  return (
    contact?.parent_user_id ?? contact?.user_id ?? message.from_user_id ?? contact?.wa_id ?? message.from
  );
}

/** The text a message carries, for the bot to read. */
export function messageText(message: WebhookMessage): string | undefined {
  return message.text?.body;
}

/** The profile name the sender's contact entry carries, if any. */
export function profileName(
  message: WebhookMessage,
  contacts: MessagesValue['contacts'],
): string | undefined {
  return contactOf(message, contacts)?.profile?.name;
}

function contactOf(message: WebhookMessage, contacts: MessagesValue['contacts']) {
  return (
    contacts?.find(
      (c) => (message.from_user_id && c.user_id === message.from_user_id) || c.wa_id === message.from,
    ) ?? (contacts?.length === 1 ? contacts[0] : undefined)
  );
}
