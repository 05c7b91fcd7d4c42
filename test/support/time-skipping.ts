import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { clientIdAttribute, modeAttribute, subjectAttribute } from '../../temporal/search-attributes';
import { ensureTemporalTools } from '../../temporal/tools';

/**
 * The time-skipping test server, for workflow tests whose timers run for minutes or days, with the
 * search attributes Aura's workflows set (the server knows no custom ones until they are added).
 */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: ensureTemporalTools().testServer } },
  });
  try {
    await addAuraSearchAttributes(env.connection);
  } catch (err) {
    // The caller never gets the server, so its teardown cannot stop it.
    await env.teardown();
    throw err;
  }
  return env;
}

async function addAuraSearchAttributes(connection: Connection): Promise<void> {
  await connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      [clientIdAttribute, modeAttribute, subjectAttribute].map((key) => [
        key.name,
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
}
