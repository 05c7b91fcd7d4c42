import type { Client } from '@temporalio/client';
import { RETENTION_WORKFLOW_ID, RETENTION_WORKFLOW_TYPE } from '../workflows/retention/contract';
import {
  TEMPLATE_REFRESH_WORKFLOW_ID,
  TEMPLATE_REFRESH_WORKFLOW_TYPE,
} from '../workflows/templates/contract';

/**
 * The deployment's daily loops (retention sweep, template refresh): every worker starts each at
 * boot unless it already runs, so a deployment always has exactly one. Each returns the run id of
 * the loop that runs.
 */
async function ensureRunning(client: Client, taskQueue: string, type: string, workflowId: string) {
  const handle = await client.workflow.start(type, {
    workflowId,
    taskQueue,
    args: [{}], // both loops start from an empty input
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return handle.firstExecutionRunId;
}

export const ensureRetentionSweep = (client: Client, taskQueue: string, workflowId = RETENTION_WORKFLOW_ID) =>
  ensureRunning(client, taskQueue, RETENTION_WORKFLOW_TYPE, workflowId);

export const ensureTemplateRefresh = (
  client: Client,
  taskQueue: string,
  workflowId = TEMPLATE_REFRESH_WORKFLOW_ID,
) => ensureRunning(client, taskQueue, TEMPLATE_REFRESH_WORKFLOW_TYPE, workflowId);
