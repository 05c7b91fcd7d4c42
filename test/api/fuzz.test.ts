import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runApiFuzz } from '../../scripts/api-fuzz';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';

/**
 * The independent tester: schemathesis reads /openapi.json and throws generated requests, valid and
 * invalid, at every `/v1` and `/admin/v1` operation of a live API (real Temporal, real PostgreSQL, a
 * worker), with keys that pass every scope. Bounded here; `npm run bench -- api-fuzz` runs longer.
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
    const { apiKey } = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const result = await runApiFuzz({
      apiUrl: stack.apiUrl,
      apiKey,
      adminToken: TEST_ADMIN_TOKEN,
      maxExamples: Number(process.env.AURA_FUZZ_EXAMPLES ?? 5),
    });
    process.stdout.write(`${result.summary}\n`);
    assert.equal(result.code, 0, result.output.slice(-20_000));
  });
});
