import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createFanOutLimits } from '../../api/fan-out';
import { ingestNotification } from '../../api/inbound';
import { createNumberDirectory } from '../../api/number-directory';
import { deriveKey, keyedHash } from '../../crypto/keys';
import { createLogger } from '../../logging';
import { subjectAttribute } from '../../temporal/search-attributes';
import { notificationSchema } from '../../whatsapp/webhook-schema';
import { conversationWorkflowId, getConversationQuery } from '../../workflows/conversation/contract';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { postWebhook, provisionTestClient, textNotification, wamid } from '../support/whatsapp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('erasure under traffic', () => {
  let stack: Stack;
  let client: { clientId: string; apiKey: string; phoneNumberId: string };
  const api = (method: string, path: string) =>
    fetch(`${stack.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${client.apiKey}` } });
  const send = async (waId: string, text: string, id = wamid()) => {
    const res = await postWebhook(
      stack.apiUrl,
      textNotification({ phoneNumberId: client.phoneNumberId, waId, text, id }),
    );
    assert.equal(res.status, 200, 'the webhook accepts every message, erasure or not');
    return id;
  };
  /** The subject's inbound texts as stored (opened with their current data key), with row times. */
  const storedTexts = async (subject: { clientId: string; subjectHash: string }) => {
    const { rows } = await stack.db.pool.query<{ body_enc: string; created_at: Date }>(
      `SELECT body_enc, created_at FROM messages
       WHERE client_id = $1 AND subject_hash = $2 AND direction = 'in' AND body_enc IS NOT NULL`,
      [subject.clientId, subject.subjectHash],
    );
    const texts: string[] = [];
    for (const r of rows) {
      const body = JSON.parse(await stack.vault.openText(subject, 'message.body', r.body_enc)) as {
        text: string;
      };
      texts.push(body.text);
    }
    return { texts, createdAt: rows.map((r) => r.created_at) };
  };

  before(async () => {
    stack = await startStack();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
  });
  after(async () => {
    await stack?.close();
  });

  it('when a subject is erased during a burst of their messages, then nothing from before survives, nothing is written before it completes, no later message is lost, and the next message starts a fresh conversation', async () => {
    const waId = '5511966660001';
    const subject = {
      clientId: client.clientId,
      subjectHash: keyedHash(deriveKey(stack.config.masterKey, 'blind-index'), client.clientId, waId),
    };
    const workflowId = conversationWorkflowId(client.clientId, client.phoneNumberId, subject.subjectHash);
    await send(waId, 'written before the erasure');
    await stack.graph.waitFor((sent) => sent.some((m) => m.body.to === waId));
    const oldRun = (await stack.temporal.workflow.getHandle(workflowId).describe()).runId;
    const oldContact = (
      await stack.db.pool.query(
        'SELECT recipient_enc FROM contacts WHERE client_id = $1 AND subject_hash = $2',
        [subject.clientId, subject.subjectHash],
      )
    ).rows[0].recipient_enc as string;
    const oldKey = (
      await stack.db.pool.query(
        'SELECT key_id FROM subject_keys WHERE client_id = $1 AND subject_hash = $2',
        [subject.clientId, subject.subjectHash],
      )
    ).rows[0].key_id as string;

    // The burst: one message every 40 ms from before the DELETE until after the erasure completed.
    const afterAnswer: string[] = [];
    let answered = false;
    let completed = false;
    let tail = 0;
    const burst = (async () => {
      for (let i = 0; tail < 3; i += 1) {
        const text = `burst message ${i}`;
        const wasAnswered = answered;
        await send(waId, text);
        if (wasAnswered) afterAnswer.push(text);
        if (completed) tail += 1;
        await sleep(40);
      }
    })();
    await sleep(300);
    const erase = await api('DELETE', `/v1/privacy/subjects/${waId}`);
    assert.equal(erase.status, 202);
    answered = true;
    const { requestId } = (await erase.json()) as { requestId: string };
    for (let i = 0; i < 1200 && !completed; i += 1) {
      const { status } = (await (await api('GET', `/v1/privacy/requests/${requestId}`)).json()) as {
        status: string;
      };
      completed = status === 'completed';
      if (!completed) await sleep(250);
    }
    assert.ok(completed, 'the erasure completed');
    await burst;
    const completedAt = (
      await stack.db.pool.query('SELECT completed_at FROM privacy_requests WHERE id = $1', [requestId])
    ).rows[0].completed_at as Date;

    let stored = await storedTexts(subject);
    for (let i = 0; i < 240 && !afterAnswer.every((t) => stored.texts.includes(t)); i += 1) {
      await sleep(250);
      stored = await storedTexts(subject);
    }
    assert.deepEqual(
      afterAnswer.filter((t) => !stored.texts.includes(t)),
      [],
      'every message sent after the erasure was accepted reaches the fresh conversation',
    );
    assert.ok(!stored.texts.includes('written before the erasure'), 'what came before is gone');
    assert.equal(new Set(stored.texts).size, stored.texts.length, 'no message is stored twice');
    for (const at of stored.createdAt)
      assert.ok(at >= completedAt, 'nothing of the subject is written before the erasure completes');

    const key = await stack.db.pool.query(
      'SELECT key_id, created_at FROM subject_keys WHERE client_id = $1 AND subject_hash = $2',
      [subject.clientId, subject.subjectHash],
    );
    assert.notEqual(key.rows[0].key_id, oldKey, 'the old data key is destroyed');
    assert.ok(key.rows[0].created_at >= completedAt, 'the new key is made after the erasure completed');
    await assert.rejects(stack.vault.openText(subject, 'contact.recipient', oldContact));
    await assert.rejects(stack.temporal.workflow.getHandle(workflowId, oldRun).describe(), /not found/i);

    const fresh = await stack.temporal.workflow.getHandle(workflowId).describe();
    assert.notEqual(fresh.runId, oldRun);
    let listed: string[] = [];
    for (let i = 0; i < 120; i += 1) {
      listed = [];
      for await (const wf of stack.temporal.workflow.list({
        query: `AuraSubject = "${subject.subjectHash}"`,
      }))
        listed.push(wf.runId);
      if (listed.every((runId) => runId === fresh.runId)) break;
      await sleep(500);
    }
    assert.deepEqual(listed, [fresh.runId], 'the fresh conversation is the subject’s only execution');

    // (The burst's no-matches handed the conversation to a human, so the bot stays quiet: wait for the row.)
    await send(waId, 'the next message');
    for (let i = 0; i < 120 && !(await storedTexts(subject)).texts.includes('the next message'); i += 1)
      await sleep(250);
    const handled = async () =>
      (await stack.temporal.workflow.getHandle(workflowId).query(getConversationQuery)).handled;
    const all = (await storedTexts(subject)).texts.length;
    for (let i = 0; i < 120 && (await handled()) < all; i += 1) await sleep(250);
    assert.equal(await handled(), all, 'one fresh conversation handled every one of them');
    assert.equal((await stack.temporal.workflow.getHandle(workflowId).describe()).runId, fresh.runId);
  });

  it('when a message starts a conversation no worker has run yet, then erasure already finds it by its search attributes', async () => {
    const waId = '5511966660002';
    const indexKey = deriveKey(stack.config.masterKey, 'blind-index');
    const subjectHash = keyedHash(indexKey, client.clientId, waId);
    const deps = {
      db: stack.db.pool,
      numbers: createNumberDirectory(stack.db.pool),
      temporal: stack.temporal,
      // A task queue no worker polls: the workflow's first task never runs.
      taskQueue: `unpolled-${randomBytes(4).toString('hex')}`,
      indexKey,
      log: createLogger('silent'),
      limits: createFanOutLimits(),
    };
    const body = textNotification({ phoneNumberId: client.phoneNumberId, waId, text: 'not yet run' });
    await ingestNotification(deps, notificationSchema.parse(body));
    const workflowId = conversationWorkflowId(client.clientId, client.phoneNumberId, subjectHash);
    const handle = stack.temporal.workflow.getHandle(workflowId);
    try {
      assert.equal((await handle.describe()).typedSearchAttributes.get(subjectAttribute), subjectHash);
      const listed: string[] = [];
      const query = `AuraClientId = "${client.clientId}" AND AuraSubject = "${subjectHash}"`;
      for (let i = 0; i < 40 && listed.length === 0; i += 1) {
        for await (const wf of stack.temporal.workflow.list({ query })) listed.push(wf.workflowId);
        if (listed.length === 0) await sleep(250);
      }
      assert.deepEqual(listed, [workflowId]);
    } finally {
      await handle.terminate('test done');
    }
  });
});
