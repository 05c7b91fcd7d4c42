import type { Client } from '@temporalio/client';
import {
  TEMPLATE_REFRESH_WORKFLOW_ID,
  TEMPLATE_REFRESH_WORKFLOW_TYPE,
} from '../workflows/templates/contract';
import type { templateRefreshWorkflow } from '../workflows/templates/workflow';

/**
 * Starts the daily template refresh unless it already runs; every worker calls this at boot, so a
 * deployment always has exactly one. Returns the run id of the refresh that runs.
 */
export async function ensureTemplateRefresh(
  client: Client,
  taskQueue: string,
  workflowId = TEMPLATE_REFRESH_WORKFLOW_ID,
): Promise<string> {
  const handle = await client.workflow.start(TEMPLATE_REFRESH_WORKFLOW_TYPE, {
    workflowId,
    taskQueue,
    args: [{}] satisfies Parameters<typeof templateRefreshWorkflow>,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return handle.firstExecutionRunId;
}
