import { z } from 'zod';

/**
 * Zod schemas for every inbound message type in Meta's reference, and the mapping of a parsed
 * message to what the conversation reads: a `text` (body, caption, button or list title …) and the
 * type-specific `payload`. Objects are loose: fields Meta adds later are kept, not rejected. A known
 * type without its object (an `image` message with no `image`) is rejected with the field named.
 */

const timestamp = z.string().regex(/^\d{1,12}$/, 'must be Unix seconds');
const numeric = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number);

const media = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  url: z.string().optional(),
  caption: z.string().optional(),
});

export const MEDIA_TYPES = ['image', 'video', 'document', 'sticker', 'audio'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

const errorSchema = z.looseObject({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});
export type WebhookError = z.infer<typeof errorSchema>;

/** The type-specific object each known type must carry (`request_welcome` carries none). */
const typeObjects = {
  text: z.looseObject({ body: z.string() }),
  image: media,
  video: media,
  document: media.extend({ filename: z.string().optional() }),
  sticker: media.extend({ animated: z.boolean().optional() }),
  audio: media.extend({ voice: z.boolean().optional() }),
  location: z.looseObject({
    latitude: numeric,
    longitude: numeric,
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
  }),
  contacts: z.array(
    z.looseObject({ name: z.looseObject({ formatted_name: z.string().optional() }).optional() }),
  ),
  interactive: z.looseObject({
    type: z.string().min(1),
    button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
    list_reply: z
      .looseObject({ id: z.string(), title: z.string(), description: z.string().optional() })
      .optional(),
    nfm_reply: z
      .looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: z.string() })
      .optional(),
  }),
  button: z.looseObject({ text: z.string(), payload: z.string().optional() }),
  reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() }),
  order: z.looseObject({
    catalog_id: z.string(),
    text: z.string().optional(),
    product_items: z.array(
      z.looseObject({
        product_retailer_id: z.string(),
        quantity: numeric,
        item_price: numeric,
        currency: z.string(),
      }),
    ),
  }),
  system: z.looseObject({ body: z.string().optional(), type: z.string().optional() }),
  revoke: z.looseObject({ original_message_id: z.string().optional() }),
  edit: z.looseObject({ original_message_id: z.string().optional() }),
} as const;

type KnownType = keyof typeof typeObjects;
const isKnown = (type: string): type is KnownType => Object.hasOwn(typeObjects, type);

const baseMessage = z.looseObject({
  id: z.string().min(1),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp,
  type: z.string().min(1),
  context: z
    .looseObject({
      from: z.string().optional(),
      id: z.string().optional(),
      forwarded: z.boolean().optional(),
      frequently_forwarded: z.boolean().optional(),
    })
    .optional(),
  referral: z.looseObject({}).optional(),
  errors: z.array(errorSchema).optional(),
});

/** One inbound message: the common fields, plus the object of its type validated by that type's schema. */
export const messageSchema = baseMessage.transform((message, ctx) => {
  const { type } = message;
  if (!isKnown(type)) return message;
  const parsed = typeObjects[type].safeParse((message as Record<string, unknown>)[type]);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', path: [type, ...issue.path], message: issue.message });
    return z.NEVER;
  }
  return { ...message, [type]: parsed.data };
});
export type WebhookMessage = z.infer<typeof baseMessage> & Record<string, unknown>;

export const statusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.enum(['sent', 'delivered', 'read', 'played', 'failed', 'deleted', 'warning']),
  timestamp,
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  conversation: z.looseObject({}).optional(),
  pricing: z.looseObject({}).optional(),
  errors: z.array(errorSchema).optional(),
});
export type WebhookStatus = z.infer<typeof statusSchema>;

/**
 * What the conversation reads of a message: its text, if it has one; its type-specific object as
 * `payload` (an array, as `contacts`, is wrapped under its type name; a message with no object of its
 * own, as `unsupported`, carries its `errors`); and the quoted or forwarded `context` and ad `referral`.
 */
export function messageContent(message: WebhookMessage): {
  text?: string;
  payload?: Record<string, unknown>;
  context?: Record<string, unknown>;
  referral?: Record<string, unknown>;
} {
  const object = message[message.type];
  const payload = Array.isArray(object)
    ? { [message.type]: object }
    : object !== null && typeof object === 'object'
      ? (object as Record<string, unknown>)
      : message.errors
        ? { errors: message.errors }
        : undefined;
  return {
    text: textOf(message),
    ...(payload ? { payload } : {}),
    ...(message.context ? { context: message.context } : {}),
    ...(message.referral ? { referral: message.referral } : {}),
  };
}

function textOf(m: WebhookMessage): string | undefined {
  const o = m[m.type] as Record<string, unknown> | undefined;
  switch (m.type) {
    case 'text':
      return o?.body as string;
    case 'image':
    case 'video':
    case 'document':
      return o?.caption as string | undefined;
    case 'interactive': {
      const reply = (o?.button_reply ?? o?.list_reply ?? o?.nfm_reply) as
        { title?: string; body?: string } | undefined;
      return reply?.title ?? reply?.body;
    }
    case 'button':
      return o?.text as string;
    case 'order':
      return o?.text as string | undefined;
    default:
      return undefined;
  }
}

/** The media object of a media message (image, audio, video, document, sticker), if it is one. */
export function mediaOf(
  type: string,
  payload: Record<string, unknown> | undefined,
): { kind: MediaType; id: string; mimeType?: string; sha256?: string } | undefined {
  if (!(MEDIA_TYPES as readonly string[]).includes(type) || typeof payload?.id !== 'string') return undefined;
  return {
    kind: type as MediaType,
    id: payload.id,
    mimeType: typeof payload.mime_type === 'string' ? payload.mime_type : undefined,
    sha256: typeof payload.sha256 === 'string' ? payload.sha256 : undefined,
  };
}
