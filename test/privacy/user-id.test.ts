import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWithClient } from '../support/api';
import type { Stack } from '../support/stack';
import { endUser, type TestClient } from '../conversation/helpers';

describe('privacy routes: end-user ids as people write them', () => {
  let stack: Stack;
  let client: TestClient;
  before(async () => ({ stack, client } = await startWithClient()));
  after(() => stack?.close());

  it('when a phone number is given as typed (+351 912 345 678), then export finds the same end-user as the wa_id, as orders do', async () => {
    const u = endUser(stack, client, '351912345678');
    await u.says('olá');
    await u.waitForReplies(1);
    const exportOf = async (id: string) => {
      const res = await fetch(`${stack.apiUrl}/v1/privacy/subjects/${encodeURIComponent(id)}/export`, {
        headers: { authorization: `Bearer ${client.apiKey}` },
      });
      return { status: res.status, body: (await res.json()) as { subject?: { subjectHash: string } } };
    };
    const byWaId = await exportOf('351912345678');
    assert.equal(byWaId.status, 200);
    for (const typed of ['+351 912 345 678', '+351-912-345-678', '(351) 912345678']) {
      const byTyped = await exportOf(typed);
      assert.equal(byTyped.status, 200, typed);
      assert.equal(byTyped.body.subject?.subjectHash, byWaId.body.subject?.subjectHash, typed);
    }
    assert.equal((await exportOf('351 912; DROP')).status, 400);
  });
});
