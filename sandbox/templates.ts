import { SANDBOX_ENVELOPE } from '../whatsapp/envelope';
import type { FakeTemplate } from './fake-templates';

/**
 * The Sandbox Shop's WhatsApp Business Account at the sandbox Graph API: the account its number's
 * webhooks name, and the approved templates it holds — an order confirmation and a shipping update
 * with a "Track it" URL button, in English, Spanish and Portuguese. `npm start` loads them into the
 * sandbox Graph, provisions the shop with this account and syncs (docs/channel.md → Templates).
 */
export const SANDBOX_WABA_ID = SANDBOX_ENVELOPE.wabaId;

const TEXTS = {
  en: [
    'Order {{1}} is confirmed: {{2}} to pay by {{3}}.',
    'Order {{1}} is on its way with {{2}} (tracking {{3}}).',
    'Track it',
  ],
  es: [
    'Pedido {{1}} confirmado: {{2}} a pagar antes de {{3}}.',
    'El pedido {{1}} va en camino con {{2}} (seguimiento {{3}}).',
    'Seguir',
  ],
  pt: [
    'Pedido {{1}} confirmado: {{2}} a pagar até {{3}}.',
    'O pedido {{1}} está a caminho com {{2}} (rastreio {{3}}).',
    'Rastrear',
  ],
} as const;

export const SANDBOX_TEMPLATES: Omit<FakeTemplate, 'id'>[] = Object.entries(TEXTS).flatMap(
  ([language, [confirmed, shipped, track]]) => [
    {
      name: 'order_confirmation',
      language,
      status: 'APPROVED',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: confirmed }],
      quality_score: { score: 'GREEN' },
    },
    {
      name: 'order_shipped',
      language,
      status: 'APPROVED',
      category: 'UTILITY',
      components: [
        { type: 'BODY', text: shipped },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: track, url: 'https://track.example/t/{{1}}' }] },
      ],
      quality_score: { score: 'GREEN' },
    },
  ],
);

/** The shop's settings naming them, per language. */
export const SANDBOX_TEMPLATE_SETTINGS = {
  order_confirmation: Object.keys(TEXTS).map((language) => ({ name: 'order_confirmation', language })),
  order_shipped: Object.keys(TEXTS).map((language) => ({ name: 'order_shipped', language })),
};
