import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runApiFuzz } from '../../scripts/api-fuzz';
import { endUser } from '../conversation/helpers';
import { call, orderBody, putRates } from '../orders/support';
import { ARTIFACTS } from '../support/browser';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';

/**
 * The independent tester: schemathesis reads /openapi.json and throws generated requests, valid and
 * invalid, at every `/v1` and `/admin/v1` operation of a live API (real Temporal, real PostgreSQL, a
 * worker), with a key that passes every scope and the admin token, and resources that exist (an
 * order, a conversation, an end-user, a privacy request) so that cases reach past the 404.
 * Bounded here (`AURA_FUZZ_EXAMPLES`, default 5 per operation); `npm run bench -- api-fuzz` runs longer.
 */
describe('the API against its own OpenAPI document (schemathesis)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { AURA_RATE_LIMIT_PER_MINUTE: '1000000' } });
  });
  after(async () => {
    await stack?.close();
  });

  it('when schemathesis fuzzes every documented operation, then it finds no 5xx and no response that violates the document', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const waId = '351910005001';
    const user = endUser(stack, client, waId);
    await user.says('hello');
    await user.waitForHandled(1);
    await putRates(stack, client.apiKey);
    const order = await call(stack, client.apiKey, 'POST', '/v1/orders', orderBody(waId));
    assert.equal(order.status, 201);
    const erased = await call(stack, client.apiKey, 'DELETE', '/v1/privacy/subjects/351910005999');
    assert.equal(erased.status, 202);
    const orderId = order.json.orderId as string;
    const fixtures: Record<string, Record<string, string>> = {
      'GET /v1/privacy/subjects/{userId}/export': { userId: waId },
      'GET /v1/privacy/requests/{id}': { id: erased.json.requestId as string },
      'POST /admin/v1/clients/{clientId}/keys': { clientId: client.clientId },
    };
    for (const op of ['GET {}', 'POST {}/payment', 'POST {}/shipment', 'POST {}/delivered', 'POST {}/cancel'])
      fixtures[op.replace('{}', '/v1/orders/{id}')] = { id: orderId };
    for (const op of [
      'GET {}',
      'GET {}/orders',
      'POST {}/assign',
      'POST {}/takeover',
      'POST {}/messages',
      'POST {}/resolve',
    ])
      fixtures[op.replace('{}', '/v1/conversations/{id}')] = { id: user.ref };

    const result = await runApiFuzz({
      apiUrl: stack.apiUrl,
      apiKey: client.apiKey,
      adminToken: TEST_ADMIN_TOKEN,
      maxExamples: Number(process.env.AURA_FUZZ_EXAMPLES ?? 5),
      fixtures,
    });
    // The test command shows a passing test's output to no one: the run's report is kept here.
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'schemathesis.txt'), result.output);
    assert.equal(result.code, 0, result.output.slice(-20_000));
  });
});
