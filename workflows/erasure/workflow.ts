import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ErasureInput, ErasureSummary } from './contract';

// Terminating and deleting executions waits on Temporal's asynchronous deletion: the activity retries
// every second or so until visibility lists nothing; an hour bounds a stuck cluster.
const { eraseSubjectExecutions } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 1.5, maximumInterval: '10 seconds' },
});
// Database work: quick, retried with backoff through a database restart.
const { eraseSubjectData, recordErasureProgress } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Erases one end-user at one client: executions first (so no workflow writes rows again), then media
 * and rows, then the data key. Every step is idempotent, so a retried or repeated request is safe.
 * If a step gives up (Temporal unreachable for an hour), the request is marked `failed` for a retry.
 */
export async function erasureWorkflow(input: ErasureInput): Promise<ErasureSummary> {
  try {
    return await erase(input);
  } catch (err) {
    await recordErasureProgress({
      requestId: input.requestId,
      status: 'failed',
      progress: { step: 'failed' },
    });
    throw err;
  }
}

async function erase(input: ErasureInput): Promise<ErasureSummary> {
  const { requestId } = input;
  await recordErasureProgress({ requestId, status: 'running', progress: { step: 'executions' } });
  await eraseSubjectExecutions(input);
  await recordErasureProgress({
    requestId,
    status: 'running',
    progress: { step: 'data', executionsDeleted: true },
  });
  const { files, rows } = await eraseSubjectData(input);
  const summary: ErasureSummary = { executionsDeleted: true, files, rows };
  await recordErasureProgress({
    requestId,
    status: 'completed',
    progress: { step: 'done', ...summary, dataKeyDestroyed: true },
  });
  return summary;
}
