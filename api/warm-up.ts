import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { hashApiKey } from '../crypto/keys';
import { findApiKeyByHash, findClientIdByPhoneNumber } from '../db/clients';
import { warmPool, type Db } from '../db/pool';
import { warmCodec } from '../temporal/warm-up';
import { messagesNotification } from '../whatsapp/envelope';
import { signBody, verifySignature } from '../whatsapp/signature';
import { notificationSchema } from '../whatsapp/webhook-schema';

/**
 * The API's hot path, run before it listens: every pool connection opened with the lookups a webhook
 * and an API key make, the Temporal connection established, and the webhook's signature check, JSON
 * and schema parsing and the payload codec run until V8 has compiled them. Nothing is written.
 * Returns how long it took.
 */
export async function warmUpApi(deps: { db: Db; temporal: Client; codec: PayloadCodec }): Promise<number> {
  const started = performance.now();
  await Promise.all([
    warmPool(deps.db, [
      (q) => findClientIdByPhoneNumber(q, '0'),
      (q) => findApiKeyByHash(q, hashApiKey('x')),
    ]),
    deps.temporal.connection
      .ensureConnected()
      .then(() => deps.temporal.workflowService.getSystemInfo({}))
      .catch(() => undefined), // Temporal down: /readyz says so, webhooks answer 503 until it is back
    warmCodec(deps.codec),
  ]);
  await warmWebhookParsing();
  return Math.round(performance.now() - started);
}

async function warmWebhookParsing(rounds = 300): Promise<void> {
  const secret = 'warm-up-secret';
  const body = Buffer.from(
    JSON.stringify(
      messagesNotification('100000000000', {
        contacts: [{ profile: { name: 'Warm Up' }, wa_id: '15550000000' }],
        messages: [
          { from: '15550000000', id: 'wamid.WARMUP', timestamp: '0', type: 'text', text: { body: 'hi' } },
        ],
      }),
    ),
  );
  const signature = signBody(body, secret);
  for (let round = 0; round < rounds; round++) {
    if (await verifySignature(body, signature, [secret]))
      notificationSchema.safeParse(JSON.parse(body.toString('utf8')));
  }
}
