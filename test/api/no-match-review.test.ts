import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sweepRetention } from '../../db/retention';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, waitUntil } from '../support/whatsapp';
import { endUser, type TestClient } from '../conversation/helpers';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('insights: no-match utterances kept for NLU review', () => {
  let stack: Stack;
  let n = 0;
  const waId = () => `55119777${String((n += 1)).padStart(5, '0')}`;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  const call = (key: string, method: string, path: string, body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const reviewOf = async (client: TestClient) => {
    const res = await call(client.apiKey, 'GET', '/v1/insights/no-match');
    assert.equal(res.status, 200);
    return (await res.json()) as {
      enabled: boolean;
      items: { id: string; text: string; language: string }[];
    };
  };
  const keptRows = async (clientId: string, subjectHash?: string) =>
    (
      await stack.db.pool.query<{ text_enc: string }>(
        'SELECT text_enc FROM nlu_review WHERE client_id = $1 AND ($2::text IS NULL OR subject_hash = $2)',
        [clientId, subjectHash ?? null],
      )
    ).rows;
  /** Sends `text` and waits until the NLU has understood it (its result is recorded). */
  const understood = async (u: ReturnType<typeof endUser>, text: string, name?: string) => {
    const id = await u.says(text, { name });
    await waitUntil(
      async () =>
        (await stack.db.pool.query('SELECT 1 FROM nlu_results WHERE message_id = $1', [id])).rowCount,
      20_000,
      'NLU result recorded',
    );
    return id;
  };
  const withReview = async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { insights: { reviewNoMatch: true } },
    });
    return client;
  };

  it('when the client has not turned review on, then no utterance is kept', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    await understood(endUser(stack, client, waId()), 'purple elephants dancing');
    assert.deepEqual(await keptRows(client.clientId), []);
    const review = await reviewOf(client);
    assert.equal(review.enabled, false);
    assert.deepEqual(review.items, []);
  });

  it('when review is on, then the utterance is kept sealed and redacted, and each read is audited', async () => {
    const client = await withReview();
    const u = endUser(stack, client, waId());
    await understood(
      u,
      'I am Marta Ruiz, write to marta@example.com or 11 98765 4321, flat 42',
      'Marta Ruiz',
    );
    await understood(u, 'hello'); // understood: not kept

    const [row] = await keptRows(client.clientId);
    assert.ok(row, 'one utterance kept');
    assert.match(row.text_enc, /^v1\./, 'stored sealed');
    assert.doesNotMatch(row.text_enc, /Marta|@| /);
    const review = await reviewOf(client);
    assert.equal(review.enabled, true);
    assert.deepEqual(
      review.items.map((i) => i.text),
      ['I am [name], write to [email] or [phone], flat [number]'],
    );
    const { rows: audits } = await stack.db.pool.query(
      "SELECT actor FROM audit_log WHERE client_id = $1 AND action = 'nlu_review.read' AND subject_hash = $2",
      [client.clientId, u.subjectHash],
    );
    assert.equal(audits.length, 1, 'the read is audited against the end-user');
  });

  it('when another client asks, then it sees none of them; a key without the settings scope is refused', async () => {
    const owner = await withReview();
    await understood(endUser(stack, owner, waId()), 'mauve pangolins');
    const other = await withReview();
    assert.deepEqual((await reviewOf(other)).items, []);
    const minted = await call(TEST_ADMIN_TOKEN, 'POST', `/admin/v1/clients/${owner.clientId}/keys`, {
      scopes: ['agent'],
    });
    const { apiKey: agentKey } = (await minted.json()) as { apiKey: string };
    assert.equal((await call(agentKey, 'GET', '/v1/insights/no-match')).status, 403);
    assert.equal((await call(owner.apiKey, 'GET', '/v1/insights/no-match?limit=0')).status, 400);
  });

  it('when the end-user is erased, then their utterances go and the others stay', async () => {
    const client = await withReview();
    const goneId = waId();
    const gone = endUser(stack, client, goneId);
    const kept = endUser(stack, client, waId());
    await understood(gone, 'teal walruses');
    await understood(kept, 'ochre lemurs');
    const res = await call(client.apiKey, 'DELETE', `/v1/privacy/subjects/${goneId}`);
    assert.equal(res.status, 202);
    const { requestId } = (await res.json()) as { requestId: string };
    await waitUntil(
      async () =>
        (
          (await (await call(client.apiKey, 'GET', `/v1/privacy/requests/${requestId}`)).json()) as {
            status: string;
          }
        ).status === 'completed',
      300_000,
      'erasure completed',
    );
    assert.deepEqual(await keptRows(client.clientId, gone.subjectHash), []);
    assert.deepEqual(
      (await reviewOf(client)).items.map((i) => i.text),
      ['ochre lemurs'],
    );
  });

  it('when the transcript retention has passed, then the sweep deletes them', async () => {
    const client = await withReview();
    await understood(endUser(stack, client, waId()), 'violet tapirs');
    const sweep = await sweepRetention(
      stack.db.pool,
      new Date(Date.now() + 89 * DAY_MS),
      undefined,
      async () => {},
    );
    assert.equal((await keptRows(client.clientId)).length, 1, 'kept within the 90 days');
    const after = await sweepRetention(
      stack.db.pool,
      new Date(Date.now() + 91 * DAY_MS),
      undefined,
      async () => {},
    );
    assert.ok(
      (after.nlu_review ?? 0) >= 1 && (after.nlu_results ?? 0) >= 1,
      JSON.stringify({ sweep, after }),
    );
    assert.deepEqual(await keptRows(client.clientId), []);
  });

  it('when the client turns review off, then what was kept is deleted', async () => {
    const client = await withReview();
    await understood(endUser(stack, client, waId()), 'amber okapis');
    // The review copy is written just after the NLU result the helper waits for.
    await waitUntil(async () => (await keptRows(client.clientId)).length === 1, 20_000, 'utterance kept');
    const settings = (await (await call(client.apiKey, 'GET', '/v1/settings')).json()) as {
      insights: { reviewNoMatch: boolean };
    };
    const put = await call(client.apiKey, 'PUT', '/v1/settings', {
      ...settings,
      insights: { reviewNoMatch: false },
    });
    assert.equal(put.status, 200);
    assert.deepEqual(await keptRows(client.clientId), []);
  });
});
