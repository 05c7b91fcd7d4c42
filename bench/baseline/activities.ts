import type { BaselineMessage } from './workflow';

/** The baseline's only side effect: the same Graph API call Aura makes for a text reply. */
export function createBaselineActivities(graphUrl: string) {
  return {
    async postReply(m: BaselineMessage): Promise<void> {
      const res = await fetch(`${graphUrl}/v23.0/${m.phoneNumberId}/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer baseline', 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to: m.to,
          type: 'text',
          text: { body: 'Thanks for your message! How can we help you today?' },
        }),
      });
      if (!res.ok) throw new Error(`Graph answered ${res.status}`);
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
