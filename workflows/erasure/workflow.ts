import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { Run } from '../../privacy/held-conversations';
import type { ErasureInput, ErasureSummary } from './contract';

// Terminating and deleting executions waits on Temporal's asynchronous deletion: the activity retries
// every second or so until visibility lists nothing; an hour bounds a stuck cluster.
const { eraseSubjectExecutions, holdSubjectConversations, releaseHeldConversations } =
  proxyActivities<Activities>({
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
 * Erases one end-user at one client. First the subject's conversation ids are held (new messages
 * wait in held runs, see privacy/held-conversations.ts); then executions go (so no workflow writes
 * rows again), then media, rows and the data key; then both once more, for whatever raced the first
 * pass (an execution not yet visible, an activity of a terminated run still writing). Empty held runs
 * are deleted, the request completes, and only then do held messages start a fresh conversation.
 * Every step is idempotent, so a retried or repeated request is safe. If a step gives up (Temporal
 * unreachable for an hour), the request is marked `failed` for a retry and the held messages are
 * let go (best effort), so the subject is not left unanswered behind an erasure that stopped.
 */
export async function erasureWorkflow(input: ErasureInput): Promise<ErasureSummary> {
  const held: Run[] = [];
  try {
    return await erase(input, held);
  } catch (err) {
    await recordErasureProgress({
      requestId: input.requestId,
      status: 'failed',
      progress: { step: 'failed' },
    });
    if (held.length > 0) await releaseHeldConversations({ held, onlyIfEmpty: false }).catch(() => undefined);
    throw err;
  }
}

async function erase(input: ErasureInput, held: Run[]): Promise<ErasureSummary> {
  const { requestId } = input;
  await recordErasureProgress({ requestId, status: 'running', progress: { step: 'executions' } });
  const { held: holding, replaced } = await holdSubjectConversations(input);
  held.push(...holding);
  await eraseSubjectExecutions({ ...input, also: replaced, keep: held });
  await recordErasureProgress({
    requestId,
    status: 'running',
    progress: { step: 'data', executionsDeleted: true },
  });
  const first = await eraseSubjectData(input);
  await eraseSubjectExecutions({ ...input, keep: held });
  const second = await eraseSubjectData(input);
  await releaseHeldConversations({ held, onlyIfEmpty: true });
  const summary: ErasureSummary = {
    executionsDeleted: true,
    files: first.files + second.files,
    rows: addCounts(first.rows, second.rows),
  };
  await recordErasureProgress({
    requestId,
    clientId: input.clientId,
    status: 'completed',
    progress: { step: 'done', ...summary, dataKeyDestroyed: true },
  });
  await releaseHeldConversations({ held, onlyIfEmpty: false });
  return summary;
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum = { ...a };
  for (const [table, n] of Object.entries(b)) sum[table] = (sum[table] ?? 0) + n;
  return sum;
}
