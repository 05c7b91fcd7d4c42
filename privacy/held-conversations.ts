import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { phoneNumberIdsOf } from '../db/clients';
import type { Queryable } from '../db/pool';
import {
  CONVERSATION_WORKFLOW_TYPE,
  conversationStartOptions,
  conversationWorkflowId,
  releaseHeldSignal,
  type ConversationMemo,
} from '../workflows/conversation/contract';

/** One run of one workflow id. */
export interface Run {
  workflowId: string;
  runId: string;
}

export interface HoldResult {
  /** The held runs now standing at the subject's conversation ids (kept by the erasure). */
  held: Run[];
  /** The runs they replaced (terminated by the start; the erasure deletes them). */
  replaced: Run[];
}

export interface HoldDeps {
  db: Queryable;
  temporal: Client;
  taskQueue: string;
}

/**
 * Puts a held run (`ConversationInput.heldFor`) at every conversation id the subject can have at
 * the client (one per business number), in place of the conversation that stood there. From then
 * on the webhook's signal-with-start reaches the held run: messages wait, durably, in Temporal
 * until the erasure releases them, and nothing is written for the subject meanwhile. Idempotent:
 * a run already held for this request is kept (the API route and the erasure workflow both call it).
 */
export async function holdSubjectConversations(
  deps: HoldDeps,
  r: { requestId: string; clientId: string; subjectHash: string },
): Promise<HoldResult> {
  const result: HoldResult = { held: [], replaced: [] };
  for (const phoneNumberId of await phoneNumberIdsOf(deps.db, r.clientId)) {
    const workflowId = conversationWorkflowId(r.clientId, phoneNumberId, r.subjectHash);
    result.held.push(await holdOne(deps, { ...r, phoneNumberId }, workflowId, result.replaced));
  }
  return result;
}

/**
 * Deletes what stands at the id while it still runs (a running execution is deleted at once, a
 * closed one only after its close tasks), then starts the held run; a conversation started in
 * between by a message goes the same way.
 */
async function holdOne(
  deps: HoldDeps,
  r: { requestId: string; clientId: string; subjectHash: string; phoneNumberId: string },
  workflowId: string,
  replaced: Run[],
): Promise<Run> {
  const namespace = deps.temporal.options.namespace;
  for (let attempt = 0; ; attempt += 1) {
    const current = await currentRun(deps.temporal, workflowId);
    if (current?.running && current.heldFor === r.requestId) return { workflowId, runId: current.runId };
    if (current) {
      replaced.push({ workflowId, runId: current.runId });
      if (current.running)
        await deps.temporal.workflowService
          .deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, runId: current.runId } })
          .catch(ignoreNotFound);
    }
    try {
      const handle = await deps.temporal.workflow.start(CONVERSATION_WORKFLOW_TYPE, {
        ...conversationStartOptions({ ...r, heldFor: r.requestId }, deps.taskQueue),
        workflowIdConflictPolicy: attempt < 10 ? 'FAIL' : 'TERMINATE_EXISTING',
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}

/** gRPC NOT_FOUND: already gone. */
function ignoreNotFound(err: { code?: number }): undefined {
  if (err.code !== 5) throw err;
  return undefined;
}

async function currentRun(temporal: Client, workflowId: string) {
  try {
    const d = await temporal.workflow.getHandle(workflowId).describe();
    return {
      runId: d.runId,
      running: d.status.name === 'RUNNING',
      heldFor: (d.memo as ConversationMemo | undefined)?.heldFor,
    };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Releases held runs. With `onlyIfEmpty`, a run that collected nothing ends (and is returned, for
 * the erasure to delete) while one that did keeps waiting; without, every run becomes a fresh
 * conversation. Runs already closed count as ended (a retried release finds them so).
 */
export async function releaseHeldConversations(
  temporal: Client,
  held: readonly Run[],
  onlyIfEmpty: boolean,
): Promise<Run[]> {
  const ended: Run[] = [];
  for (const run of held) {
    const handle = temporal.workflow.getHandle(run.workflowId, run.runId);
    try {
      await handle.signal(releaseHeldSignal, { onlyIfEmpty });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // Already closed (an earlier attempt released it) or already deleted: deleting it is idempotent.
      if (onlyIfEmpty) ended.push(run);
      continue;
    }
    if (onlyIfEmpty && (await closesSoon(handle))) ended.push(run);
  }
  return ended;
}

/** Whether the run closes within a few seconds (an empty held run ends on its next task). */
async function closesSoon(handle: ReturnType<Client['workflow']['getHandle']>): Promise<boolean> {
  for (let i = 0; i < 30; i += 1) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
