import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deriveKey, keyedHash } from '../../crypto/keys';
import { SubjectErasedError } from '../../crypto/vault';
import { createPrivacyActivities } from '../../activities/privacy';
import { RETENTION_RULES, sweepRetention } from '../../db/retention';
import { createLogger } from '../../logging';
import { createMetrics } from '../../metrics';
import { subjectTables } from '../../db/subject-tables';
import { ensureRetentionSweep } from '../../worker/singletons';
import { conversationWorkflowId } from '../../workflows/conversation/contract';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { postWebhook, provisionTestClient, textNotification } from '../support/whatsapp';

const DAY = 24 * 60 * 60 * 1000;

describe('end-user rights and retention: erasure, fresh start, retention sweep', () => {
  let stack: Stack;
  let client: { clientId: string; apiKey: string; phoneNumberId: string };
  const subjectOf = (waId: string) => ({
    clientId: client.clientId,
    subjectHash: keyedHash(deriveKey(stack.config.masterKey, 'blind-index'), client.clientId, waId),
  });
  const converse = async (waId: string, text: string) => {
    const before = stack.graph.sent.filter((m) => m.body.to === waId).length;
    assert.equal(
      (await postWebhook(stack.apiUrl, textNotification({ phoneNumberId: client.phoneNumberId, waId, text })))
        .status,
      200,
    );
    await stack.graph.waitFor((s) => s.filter((m) => m.body.to === waId).length > before);
  };
  const api = (method: string, path: string) =>
    fetch(`${stack.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${client.apiKey}` } });
  const rowsOf = async (subject: { clientId: string; subjectHash: string }) => {
    const counts: Record<string, number> = {};
    for (const t of await subjectTables(stack.db.pool)) {
      const { rows } = await stack.db.pool.query(
        `SELECT count(*)::int AS n FROM "${t.name}" WHERE client_id = $1 AND subject_hash = $2`,
        [subject.clientId, subject.subjectHash],
      );
      if (rows[0].n > 0) counts[t.name] = rows[0].n;
    }
    return counts;
  };

  before(async () => {
    stack = await startStack();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
  });
  after(async () => {
    await stack?.close();
  });

  it('when an end-user is erased, then no row, execution or decryptable value of theirs remains, others are untouched, and a new message starts afresh', async () => {
    const [gone, kept] = ['5511933330001', '5511933330002'];
    await converse(gone, 'first');
    await converse(gone, 'second');
    await converse(kept, 'stay');
    const subject = subjectOf(gone);
    const workflowId = conversationWorkflowId(client.clientId, client.phoneNumberId, subject.subjectHash);
    const sealed = (
      await stack.db.pool.query(
        'SELECT recipient_enc FROM contacts WHERE client_id = $1 AND subject_hash = $2',
        [subject.clientId, subject.subjectHash],
      )
    ).rows[0].recipient_enc as string;
    assert.equal(await stack.vault.openText(subject, 'contact.recipient', sealed), gone);
    const keptBefore = await rowsOf(subjectOf(kept));

    const first = await api('DELETE', `/v1/privacy/subjects/${gone}`);
    assert.equal(first.status, 202);
    const { requestId } = (await first.json()) as { requestId: string };
    const again = (await (await api('DELETE', `/v1/privacy/subjects/${gone}`)).json()) as {
      requestId: string;
    };
    let status = '';
    for (let i = 0; i < 1200 && status !== 'completed'; i += 1) {
      status = ((await (await api('GET', `/v1/privacy/requests/${requestId}`)).json()) as { status: string })
        .status;
      if (status !== 'completed') await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 'completed');
    if (again.requestId !== requestId) {
      // The repeat arrived after the first finished: it must complete just as well.
      await stack.temporal.workflow.getHandle(`erasure:${client.clientId}:${again.requestId}`).result();
    }

    assert.deepEqual(await rowsOf(subject), { audit_log: 2 }, 'only the audit of the export/erase remains');
    await assert.rejects(stack.vault.openText(subject, 'contact.recipient', sealed), SubjectErasedError);
    await assert.rejects(stack.temporal.workflow.getHandle(workflowId).describe(), /not found/i);
    let listed: string[] = [];
    for (let i = 0; i < 120; i += 1) {
      listed = [];
      for await (const wf of stack.temporal.workflow.list({
        query: `AuraSubject = "${subject.subjectHash}"`,
      }))
        listed.push(wf.workflowId);
      if (listed.length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(listed, [], 'visibility forgets them too');
    const request = await stack.db.pool.query(
      'SELECT subject_hash, status, progress FROM privacy_requests WHERE id = $1',
      [requestId],
    );
    assert.deepEqual([request.rows[0].subject_hash, request.rows[0].status], [null, 'completed']);
    assert.deepEqual(await rowsOf(subjectOf(kept)), keptBefore, 'the other end-user is untouched');

    await converse(gone, 'hello again');
    const fresh = await rowsOf(subject);
    assert.equal(fresh.messages, 2, 'a fresh, empty conversation: one message in, one out');
    const view = await stack.temporal.workflow
      .getHandle(workflowId)
      .query<{ handled: number }>('getConversation');
    assert.equal(view.handled, 1);
  });

  it('when the retention sweep runs with a controlled clock, then nothing older than each client’s setting survives and nothing younger is touched', async () => {
    const strict = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { retention: { transcriptDays: 10, mediaDays: 3, orderRecordDays: 30 } },
    });
    const lenient = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const now = new Date('2030-01-31T12:00:00Z');
    const ago = (days: number) => new Date(now.getTime() - days * DAY - 1000);
    await stack.db.owner.query(
      'CREATE TABLE test_orders (client_id text, subject_hash text, completed_at timestamptz, label text)',
    );
    const insertMessage = (clientId: string, days: number) =>
      stack.db.pool.query(
        `INSERT INTO messages(id, client_id, subject_hash, phone_number_id, direction, type, status, occurred_at)
         VALUES ($1, $2, 'h', '1', 'in', 'text', 'received', $3)`,
        [`m-${randomBytes(6).toString('hex')}-${days}`, clientId, ago(days)],
      );
    await insertMessage(strict.clientId, 11);
    await insertMessage(strict.clientId, 9);
    await insertMessage(lenient.clientId, 11);
    await insertMessage(lenient.clientId, 91);
    for (const [days, label] of [
      [31, 'old'],
      [29, 'young'],
      [null, 'open'],
    ] as const) {
      await stack.db.pool.query('INSERT INTO test_orders VALUES ($1, $2, $3, $4)', [
        strict.clientId,
        'h',
        days === null ? null : ago(days),
        label,
      ]);
    }
    const rules = [
      ...RETENTION_RULES,
      { table: 'test_orders', column: 'completed_at', setting: 'orderRecordDays' as const },
    ];
    const deleteFile = (key: string) => stack.media.delete(key);
    const result = await sweepRetention(stack.db.pool, now, rules, deleteFile);
    assert.equal(result.test_orders, 1);
    const left = await stack.db.pool.query(
      `SELECT client_id, floor(extract(epoch FROM ($1::timestamptz - occurred_at)) / 86400)::int AS days
       FROM messages WHERE client_id = ANY($2) ORDER BY client_id, days`,
      [now, [strict.clientId, lenient.clientId]],
    );
    assert.deepEqual(
      left.rows.map((r) => [r.client_id, r.days]),
      [
        [strict.clientId, 9],
        [lenient.clientId, 11],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    const orders = await stack.db.pool.query('SELECT label FROM test_orders ORDER BY label');
    assert.deepEqual(
      orders.rows.map((r) => r.label),
      ['open', 'young'],
    );
    const again = await sweepRetention(stack.db.pool, now, rules, deleteFile);
    assert.deepEqual([again.messages, again.test_orders], [0, 0]);
  });

  it('when a subject with media files is erased or their media expires, then the files go before the rows', async () => {
    const files = new Set(['f/erase-me', 'f/old', 'f/young']);
    const media = { delete: async (key: string) => void files.delete(key) };
    await stack.db.owner.query(
      'CREATE TABLE test_media (client_id text, subject_hash text, storage_key text, created_at timestamptz)',
    );
    const subject = subjectOf('5511944440001');
    const now = new Date();
    for (const [key, days] of [
      ['f/erase-me', 0],
      ['f/old', 31],
      ['f/young', 29],
    ] as const) {
      await stack.db.pool.query('INSERT INTO test_media VALUES ($1, $2, $3, $4)', [
        client.clientId,
        key === 'f/erase-me' ? subject.subjectHash : 'other',
        key,
        new Date(now.getTime() - days * DAY),
      ]);
    }
    const deps = {
      db: stack.db.pool,
      temporal: stack.temporal,
      vault: stack.vault,
      log: createLogger('silent'),
      metrics: createMetrics('worker'),
    };
    const input = { requestId: 'pr_test', ...subject };
    await assert.rejects(createPrivacyActivities(deps).eraseSubjectData(input), /no media store/);
    const erased = await createPrivacyActivities({ ...deps, media }).eraseSubjectData(input);
    assert.equal(erased.files, 1);
    assert.equal(erased.rows.test_media, 1);
    assert.ok(!files.has('f/erase-me'));

    const rules = [{ table: 'test_media', column: 'created_at', setting: 'mediaDays' as const }];
    await assert.rejects(sweepRetention(stack.db.pool, now, rules), /no media store/);
    assert.deepEqual(await sweepRetention(stack.db.pool, now, rules, media.delete), {
      test_media: 1,
      subject_keys: 0,
    });
    assert.deepEqual([...files], ['f/young']);
    const left = await stack.db.pool.query('SELECT storage_key FROM test_media');
    assert.deepEqual(
      left.rows.map((r) => r.storage_key),
      ['f/young'],
    );
  });

  it('when workers start the retention sweep, then exactly one runs and it sweeps straight away', async () => {
    const id = `retention-test-${randomBytes(4).toString('hex')}`;
    const first = await ensureRetentionSweep(stack.temporal, stack.config.temporal.taskQueue, id);
    const second = await ensureRetentionSweep(stack.temporal, stack.config.temporal.taskQueue, id);
    assert.equal(second, first);
    const handle = stack.temporal.workflow.getHandle(id);
    let completed = false;
    for (let i = 0; i < 60 && !completed; i += 1) {
      const history = await handle.fetchHistory();
      completed = Boolean(history.events?.some((e) => e.activityTaskCompletedEventAttributes));
      if (!completed) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(completed, 'the first sweep ran');
    await handle.terminate('test done');
  });
});
