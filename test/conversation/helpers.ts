import assert from 'node:assert/strict';
import { blindIndexKey, keyedHash } from '../../crypto/keys';
import { wamidHash } from '../../whatsapp/wamid';
import type { SentMessage } from '../../sandbox/fake-graph';
import {
  CONVERSATION_WORKFLOW_TYPE,
  conversationRef,
  conversationWorkflowId,
  getConversationQuery,
  inboundMessageSignal,
  type ConversationInput,
  type ConversationMode,
  type ConversationView,
  type InboundMessage,
} from '../../workflows/conversation/contract';
import type { Stack } from '../support/stack';
import { postWebhook, textNotification, wamid } from '../support/whatsapp';

export interface TestClient {
  clientId: string;
  apiKey: string;
  phoneNumberId: string;
}

/** A user of a test client: sends messages and reads the bot's answers and the workflow's view. */
export function endUser(stack: Stack, client: TestClient, waId: string) {
  const indexKey = blindIndexKey(stack.config.masterKey);
  const subjectHash = keyedHash(indexKey, client.clientId, waId);
  /** The id a message is stored and deduplicated by: the hash of its wamid. */
  const storedId = (id: string) => wamidHash(indexKey, client.clientId, id);
  const workflowId = conversationWorkflowId(client.clientId, client.phoneNumberId, subjectHash);
  const handle = () => stack.temporal.workflow.getHandle(workflowId);
  let clock = Math.floor(Date.now() / 1000);
  return {
    subjectHash,
    workflowId,
    ref: conversationRef(client.phoneNumberId, subjectHash),
    handle,
    /** Sends a text through the signed webhook; returns its message id as stored (its wamid's hash). */
    async says(text: string, opts: { id?: string; timestamp?: number; name?: string } = {}): Promise<string> {
      const id = opts.id ?? wamid(waId);
      clock += 1;
      const res = await postWebhook(
        stack.apiUrl,
        textNotification({
          phoneNumberId: client.phoneNumberId,
          waId,
          text,
          id,
          timestamp: opts.timestamp ?? clock,
          name: opts.name,
        }),
      );
      assert.equal(res.status, 200);
      return storedId(id);
    },
    /**
     * Delivers a message with a payload (button taps, voice notes) by signal-with-start, as the
     * webhook does; returns its message id as stored.
     */
    async sends(
      message: Omit<InboundMessage, 'messageId' | 'wamid' | 'timestamp' | 'sender'>,
    ): Promise<string> {
      const id = wamid(waId);
      clock += 1;
      const input: ConversationInput = {
        clientId: client.clientId,
        phoneNumberId: client.phoneNumberId,
        subjectHash,
      };
      await stack.temporal.workflow.signalWithStart(CONVERSATION_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: stack.config.temporal.taskQueue,
        args: [input],
        signal: inboundMessageSignal,
        signalArgs: [
          {
            ...message,
            messageId: storedId(id),
            wamid: id,
            timestamp: new Date(clock * 1000).toISOString(),
            sender: { recipient: waId },
          },
        ],
      });
      return storedId(id);
    },
    /** Everything the fake Graph API received for this user, in order. */
    received(): SentMessage[] {
      return stack.graph.sent.filter((m) => m.body.to === waId);
    },
    async waitForReplies(n: number, timeoutMs = 15_000): Promise<SentMessage[]> {
      await stack.graph.waitFor((s) => s.filter((m) => m.body.to === waId).length >= n, timeoutMs);
      return stack.graph.sent.filter((m) => m.body.to === waId);
    },
    async view(): Promise<ConversationView> {
      return handle().query(getConversationQuery);
    },
    async waitForHandled(count: number, timeoutMs = 15_000): Promise<ConversationView> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await handle()
          .query(getConversationQuery)
          .catch(() => undefined);
        if (v && v.handled >= count) return v;
        if (Date.now() > deadline) throw new Error(`${count} messages not handled (last: ${v?.handled})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async waitForMode(mode: ConversationMode, timeoutMs = 15_000): Promise<ConversationView> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await handle()
          .query(getConversationQuery)
          .catch(() => undefined);
        if (v?.mode === mode) return v;
        if (Date.now() > deadline) throw new Error(`mode ${mode} not reached (last: ${v?.mode})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** The text a Graph send carried (text body or interactive body). */
export function bodyOf(m: SentMessage): string {
  const b = m.body as { text?: { body?: string }; interactive?: { body?: { text?: string } } };
  return b.text?.body ?? b.interactive?.body?.text ?? '';
}
