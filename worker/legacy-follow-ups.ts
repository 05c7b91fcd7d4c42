import type { Client } from '@temporalio/client';
import { DELIVERY_FAILURE_WORKFLOW_TYPE } from '../workflows/delivery-failure/contract';

/**
 * Deletes the closed delivery-failure executions started before wamids were hashed: their ids
 * (`delivery-failure:<client>:wamid.…`) hold the user's number in clear, and they carry no
 * `AuraSubject`, so erasure would never find them. Running ones finish within minutes and go at a
 * later start. Every worker calls this at boot; deleting twice is harmless. Returns how many went.
 */
export async function deleteLegacyFollowUps(client: Client): Promise<number> {
  const query = `WorkflowType = "${DELIVERY_FAILURE_WORKFLOW_TYPE}" AND ExecutionStatus != "Running"`;
  let deleted = 0;
  for await (const wf of client.workflow.list({ query })) {
    if (!wf.workflowId.includes(':wamid.')) continue;
    await client.workflowService
      .deleteWorkflowExecution({
        namespace: client.options.namespace,
        workflowExecution: { workflowId: wf.workflowId, runId: wf.runId },
      })
      .catch((err: { code?: number }) => {
        if (err.code !== 5) throw err; // NOT_FOUND: another worker deleted it first
      });
    deleted += 1;
  }
  return deleted;
}
