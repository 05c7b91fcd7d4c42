import { messagesNotification } from '../../whatsapp/envelope';
import { wamid } from './whatsapp';

/**
 * One Meta-shaped inbound message per type in the reference, with the text the conversation should
 * read from it. Media ids name files the caller uploads to the fake Graph API first, when it wants
 * them downloadable.
 */
export interface MessageFixture {
  message: Record<string, unknown>;
  text?: string;
}

export function messageFixtures(from: string, media: Partial<Record<string, string>> = {}) {
  const at = Math.floor(Date.now() / 1000);
  const common = (type: string, seq: number) => ({ from, id: wamid(), timestamp: String(at + seq), type });
  const sha = 'a'.repeat(64);
  const fixtures: Record<string, MessageFixture> = {
    text: {
      message: { ...common('text', 0), text: { body: 'Where is my order?' } },
      text: 'Where is my order?',
    },
    image: {
      message: {
        ...common('image', 1),
        image: {
          id: media.image ?? 'media-image-1',
          mime_type: 'image/jpeg',
          sha256: sha,
          caption: 'the box',
        },
      },
      text: 'the box',
    },
    video: {
      message: {
        ...common('video', 2),
        video: {
          id: media.video ?? 'media-video-1',
          mime_type: 'video/mp4',
          sha256: sha,
          caption: 'unboxing',
        },
      },
      text: 'unboxing',
    },
    document: {
      message: {
        ...common('document', 3),
        document: {
          id: media.document ?? 'media-doc-1',
          mime_type: 'application/pdf',
          sha256: sha,
          filename: 'invoice.pdf',
          caption: 'my invoice',
        },
      },
      text: 'my invoice',
    },
    sticker: {
      message: {
        ...common('sticker', 4),
        sticker: {
          id: media.sticker ?? 'media-sticker-1',
          mime_type: 'image/webp',
          sha256: sha,
          animated: false,
        },
      },
    },
    audio: {
      message: {
        ...common('audio', 5),
        audio: {
          id: media.audio ?? 'media-audio-1',
          mime_type: 'audio/ogg; codecs=opus',
          sha256: sha,
          voice: true,
        },
      },
    },
    location: {
      message: {
        ...common('location', 6),
        location: { latitude: -23.55, longitude: -46.63, name: 'Shop', address: 'Av. Paulista 1000' },
      },
    },
    contacts: {
      message: {
        ...common('contacts', 7),
        contacts: [
          {
            name: { formatted_name: 'Ana Souza', first_name: 'Ana' },
            phones: [{ phone: '+55 11 90000-0000' }],
          },
        ],
      },
    },
    button_reply: {
      message: {
        ...common('interactive', 8),
        interactive: { type: 'button_reply', button_reply: { id: 'track', title: 'Track order' } },
      },
      text: 'Track order',
    },
    list_reply: {
      message: {
        ...common('interactive', 9),
        interactive: {
          type: 'list_reply',
          list_reply: { id: 'sku-1', title: 'Blue shirt', description: 'M' },
        },
      },
      text: 'Blue shirt',
    },
    nfm_reply: {
      message: {
        ...common('interactive', 10),
        interactive: {
          type: 'nfm_reply',
          nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"flow_token":"t","size":"M"}' },
        },
      },
      text: 'Sent',
    },
    button: {
      message: {
        ...common('button', 11),
        button: { text: 'Yes, ship it', payload: 'CONFIRM' },
        context: { from: '15550001111', id: 'wamid.template' },
      },
      text: 'Yes, ship it',
    },
    reaction: { message: { ...common('reaction', 12), reaction: { message_id: 'wamid.ours', emoji: '👍' } } },
    reaction_removed: { message: { ...common('reaction', 13), reaction: { message_id: 'wamid.ours' } } },
    order: {
      message: {
        ...common('order', 14),
        order: {
          catalog_id: 'cat-1',
          text: 'please deliver fast',
          product_items: [{ product_retailer_id: 'sku-1', quantity: 2, item_price: 19.9, currency: 'BRL' }],
        },
      },
      text: 'please deliver fast',
    },
    system: {
      message: {
        ...common('system', 15),
        system: { body: 'User changed number', type: 'customer_changed_number', new_wa_id: '5511900000000' },
      },
    },
    unsupported: {
      message: {
        ...common('unsupported', 16),
        errors: [{ code: 131051, title: 'Message type unknown', error_data: { details: 'not supported' } }],
      },
    },
    revoke: { message: { ...common('revoke', 17), revoke: { original_message_id: 'wamid.earlier' } } },
    edit: {
      message: {
        ...common('edit', 18),
        edit: { original_message_id: 'wamid.earlier', message: { text: { body: 'fixed' } } },
      },
    },
    request_welcome: { message: { ...common('request_welcome', 19) } },
  };
  return fixtures;
}

/** A `messages` notification for one business number carrying `messages` (and contacts, statuses). */
export const notification = (
  phoneNumberId: string,
  value: { messages?: unknown[]; statuses?: unknown[]; contacts?: unknown[] },
) => messagesNotification(phoneNumberId, value);

/** A status notification item for an outbound wamid. */
export function statusItem(
  id: string,
  status: string,
  opts: { timestamp?: number; recipient?: string; code?: number } = {},
): Record<string, unknown> {
  return {
    id,
    status,
    timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
    recipient_id: opts.recipient ?? '5511999990000',
    ...(opts.code ? { errors: [{ code: opts.code, title: `error ${opts.code}` }] } : {}),
  };
}
