import type { Client } from '@temporalio/client';
import { RETENTION_WORKFLOW_ID, RETENTION_WORKFLOW_TYPE } from '../workflows/retention/contract';
import type { retentionWorkflow } from '../workflows/retention/workflow';

/**
 * Starts the daily retention sweep unless it already runs; every worker calls this at boot, so a
 * deployment always has exactly one. Returns the run id of the sweep that runs.
 */
export async function ensureRetentionSweep(
  client: Client,
  taskQueue: string,
  workflowId = RETENTION_WORKFLOW_ID,
): Promise<string> {
  const handle = await client.workflow.start(RETENTION_WORKFLOW_TYPE, {
    workflowId,
    taskQueue,
    args: [{}] satisfies Parameters<typeof retentionWorkflow>,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return handle.firstExecutionRunId;
}
