/**
 * Builds a `messages` webhook notification as Meta sends it, for one business number. The sandbox
 * (phone simulator and fake Graph API) and the tests use it, so they speak exactly one envelope.
 */
export function messagesNotification(
  phoneNumberId: string,
  value: { messages?: unknown[]; statuses?: unknown[]; contacts?: unknown[] },
  opts: { wabaId?: string; displayPhoneNumber?: string } = {},
): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: opts.wabaId ?? 'WABA-1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: opts.displayPhoneNumber ?? '15550001111',
                phone_number_id: phoneNumberId,
              },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** How the sandbox's numbers present themselves in notifications. */
export const SANDBOX_ENVELOPE = { wabaId: 'SANDBOX-WABA', displayPhoneNumber: '15550000000' };
