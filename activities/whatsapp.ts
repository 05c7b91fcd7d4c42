import { ApplicationFailure, Context } from '@temporalio/activity';
import type { SecretBox } from '../crypto/secret-box';
import { findClient, graphTokenAad } from '../db/clients';
import { claimOutbound, markOutboundFailed, markOutboundSent } from '../db/outbound';
import type { Db } from '../db/pool';
import type { Logger } from '../logging';
import { classifyGraphError } from '../whatsapp/errors';
import { GraphError, type GraphClient } from '../whatsapp/graph-client';

export interface WhatsAppDeps {
  db: Db;
  graph: GraphClient;
  secrets: SecretBox;
  log: Logger;
}

export interface SendTextInput {
  clientId: string;
  phoneNumberId: string;
  subjectHash: string;
  to: string;
  body: string;
  /** Derived from the workflow and step, so a retried activity finds the earlier send. */
  idempotencyKey: string;
}

export function createWhatsAppActivities({ db, graph, secrets, log }: WhatsAppDeps) {
  async function accessToken(clientId: string): Promise<string> {
    const client = await findClient(db, clientId);
    if (!client)
      throw ApplicationFailure.nonRetryable(`client ${clientId} no longer exists`, 'ClientNotFound');
    if (!client.graphAccessTokenEnc) {
      throw ApplicationFailure.nonRetryable(
        `client ${clientId} has no Graph access token`,
        'GraphTokenMissing',
      );
    }
    return secrets.open(client.graphAccessTokenEnc, graphTokenAad(clientId));
  }

  return {
    /**
     * Sends a text message once per idempotency key and records it. Throws a non-retryable
     * ApplicationFailure typed by the Graph error code for permanent faults; transient ones retry.
     * The one window for a duplicate: the Graph accepted the send but this process died before
     * recording the wamid; the retry then sends again (the Graph API has no idempotency key).
     */
    async sendText(input: SendTextInput): Promise<{ wamid: string }> {
      const claimed = await claimOutbound(db, { ...input, kind: 'text' });
      if (claimed.wamid) return { wamid: claimed.wamid };
      const token = await accessToken(input.clientId);
      try {
        const { wamid } = await graph.sendMessage(input.phoneNumberId, token, {
          to: input.to,
          type: 'text',
          text: { body: input.body, preview_url: false },
        });
        await markOutboundSent(db, input.idempotencyKey, wamid);
        return { wamid };
      } catch (err) {
        if (!(err instanceof GraphError)) throw err;
        const verdict = classifyGraphError(err, Context.current().info.attempt);
        if (verdict.alert)
          log.error('graph alert', { code: err.code, type: verdict.type, clientId: input.clientId });
        if (!verdict.retryable) {
          await markOutboundFailed(db, input.idempotencyKey, verdict.type);
          throw ApplicationFailure.create({ message: err.message, type: verdict.type, nonRetryable: true });
        }
        throw ApplicationFailure.create({
          message: err.message,
          type: verdict.type,
          nextRetryDelay: verdict.nextRetryDelayMs,
        });
      }
    },
  };
}
