import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { SubjectVault } from '../crypto/vault';
import { inTransaction, type Db } from '../db/pool';
import { updatePrivacyRequest, type PrivacyRequestStatus } from '../db/privacy-requests';
import { buildEvent, createEventEmitter, eventId, type EventDeps } from './events';
import { deleteSubjectRows, subjectFileKeys } from '../db/subject-tables';
import { RETENTION_RULES, sweepRetention, type SweepResult } from '../db/retention';
import type { Logger } from '../logging';
import type { Metrics } from '../metrics';
import { subjectOrderIds } from '../db/orders';
import {
  holdSubjectConversations,
  releaseHeldConversations,
  type HoldResult,
  type Run,
} from '../privacy/held-conversations';
import { clientIdAttribute, subjectAttribute } from '../temporal/search-attributes';
import { orderWorkflowId } from '../workflows/order/contract';

/**
 * The part of the media store (media/store.ts) erasure and retention need: files are named by the
 * `storage_key` column of subject rows and deleted before those rows. Idempotent.
 */
export interface MediaFiles {
  delete(key: string): Promise<void>;
}

export interface PrivacyDeps extends Pick<EventDeps, 'webhooks'> {
  db: Db;
  temporal: Client;
  vault: SubjectVault;
  log: Logger;
  metrics: Metrics;
  /** The media store; absent where no feature stores files (a row naming a file then fails loudly). */
  media?: MediaFiles;
}

export interface ErasureStepInput {
  requestId: string;
  clientId: string;
  subjectHash: string;
}

/** Which executions to delete beyond those listed by search attribute, and which to spare. */
export interface ExecutionsStepInput extends ErasureStepInput {
  /** Runs found by other means (the conversations the held runs replaced). */
  also?: Run[];
  /** The held runs: they carry the subject's attributes but hold only messages to keep. */
  keep?: Run[];
}

/** gRPC NOT_FOUND: the execution is already gone (an earlier attempt deleted it). */
function ignoreNotFound(err: { code?: number }): undefined {
  if (err.code !== 5) throw err;
  return undefined;
}

export function createPrivacyActivities(deps: PrivacyDeps) {
  const { db, temporal, vault, log, metrics, media } = deps;
  const events = createEventEmitter(deps);
  const namespace = temporal.options.namespace;

  async function listSubjectExecutions(input: ErasureStepInput): Promise<Run[]> {
    const query = `${clientIdAttribute.name} = "${input.clientId}" AND ${subjectAttribute.name} = "${input.subjectHash}"`;
    const found: Run[] = [];
    for await (const wf of temporal.workflow.list({ query }))
      found.push({ workflowId: wf.workflowId, runId: wf.runId });
    return found;
  }

  /** The current runs of the subject's order workflows, by their deterministic ids (no visibility lag). */
  async function orderRuns(input: ErasureStepInput): Promise<Run[]> {
    const runs: Run[] = [];
    for (const orderId of await subjectOrderIds(db, input.clientId, input.subjectHash)) {
      const workflowId = orderWorkflowId(input.clientId, orderId);
      const described = await temporal.workflowService
        .describeWorkflowExecution({ namespace, execution: { workflowId } })
        .catch(ignoreNotFound);
      const runId = described?.workflowExecutionInfo?.execution?.runId;
      if (runId) runs.push({ workflowId, runId });
    }
    return runs;
  }

  async function deleteRuns(runs: readonly Run[]): Promise<number> {
    for (const wf of runs) {
      // For a running execution the server terminates it, then deletes it, in one step (and much
      // sooner than when terminated first: a closed execution's deletion waits on its close tasks).
      await temporal.workflowService
        .deleteWorkflowExecution({ namespace, workflowExecution: wf })
        .catch(ignoreNotFound);
    }
    const remaining = await Promise.all(
      runs.map((wf) =>
        temporal.workflowService
          .describeWorkflowExecution({ namespace, execution: wf })
          .then(() => 1, ignoreNotFound),
      ),
    );
    return remaining.reduce<number>((a, b) => a + (b ?? 0), 0);
  }

  return {
    /**
     * Records an erasure request's status and progress (no PII: counts and step names only); counts
     * completions and emits `privacy.erasure_completed` (by request id) for the client given.
     */
    async recordErasureProgress(input: {
      requestId: string;
      clientId?: string;
      status: PrivacyRequestStatus;
      progress: Record<string, unknown>;
    }): Promise<void> {
      await updatePrivacyRequest(db, input.requestId, input);
      if (input.status !== 'completed') return;
      metrics.erasures.inc();
      const { clientId } = input;
      if (!clientId) return;
      const id = eventId('privacy.erasure_completed', input.requestId);
      const event = buildEvent(clientId, 'privacy.erasure_completed', id, { requestId: input.requestId });
      await events.emit(db, event);
    },

    /**
     * Holds the subject's conversations for the erasure (see privacy/held-conversations.ts): new
     * messages wait in held runs from here on. Returns the held runs and the runs they replaced.
     */
    async holdSubjectConversations(input: ErasureStepInput): Promise<HoldResult> {
      const { taskQueue } = Context.current().info;
      return holdSubjectConversations({ db, temporal, taskQueue }, input);
    },

    /**
     * Releases the held runs. Before the erasure completes (`onlyIfEmpty`) the empty ones end and
     * are deleted; after it, the rest start as fresh conversations with what they collected.
     */
    async releaseHeldConversations(input: { held: Run[]; onlyIfEmpty: boolean }): Promise<number> {
      const ended = await releaseHeldConversations(temporal, input.held, input.onlyIfEmpty);
      const left = await deleteRuns(ended);
      if (left > 0) {
        throw ApplicationFailure.create({
          message: `${left} executions not deleted yet`,
          type: 'ExecutionsNotYetDeleted',
          nextRetryDelay: '1 second',
        });
      }
      return ended.length;
    },

    /**
     * Terminates and deletes every workflow execution (all runs) of the subject except the held
     * ones: those listed by the AuraClientId + AuraSubject search attributes (given at start), the
     * current runs of the subject's order ids, and `also`. Temporal deletes asynchronously, so this
     * throws a retryable failure until none of them can still be described; visibility records
     * follow shortly after. Returns how many executions it deleted.
     */
    async eraseSubjectExecutions(input: ExecutionsStepInput): Promise<number> {
      const keep = new Set((input.keep ?? []).map((r) => r.runId));
      const byRun = new Map<string, Run>();
      for (const run of [
        ...(input.also ?? []),
        ...(await orderRuns(input)),
        ...(await listSubjectExecutions(input)),
      ])
        if (!keep.has(run.runId)) byRun.set(run.runId, run);
      const found = [...byRun.values()];
      const left = await deleteRuns(found);
      if (left > 0) {
        throw ApplicationFailure.create({
          message: `${left} executions not deleted yet`,
          type: 'ExecutionsNotYetDeleted',
          nextRetryDelay: '1 second',
        });
      }
      return found.length;
    },

    /**
     * Deletes the subject's media files, then every row of every subject table (one transaction),
     * then destroys the data key, so whatever a backup still holds can no longer be opened.
     */
    async eraseSubjectData(
      input: ErasureStepInput,
    ): Promise<{ files: number; rows: Record<string, number> }> {
      const subject = { clientId: input.clientId, subjectHash: input.subjectHash };
      const keys = await subjectFileKeys(db, input.clientId, input.subjectHash);
      if (keys.length > 0 && !media)
        throw ApplicationFailure.nonRetryable(
          'subject has media files but no media store is wired',
          'NoMediaStore',
        );
      for (const key of keys) await media!.delete(key);
      const files = keys.length;
      const rows = await inTransaction(db, (tx) => deleteSubjectRows(tx, input.clientId, input.subjectHash));
      await vault.destroy(subject);
      log.info('subject erased', { requestId: input.requestId, clientId: input.clientId, files });
      return { files, rows };
    },

    /**
     * Deletes what every client's retention settings say is due, as of `now` (ISO; default: the clock),
     * and destroys the data keys of subjects with nothing left.
     */
    async sweepRetention(input: { now?: string } = {}): Promise<SweepResult> {
      const now = input.now ? new Date(input.now) : new Date();
      const result = await sweepRetention(
        db,
        now,
        RETENTION_RULES,
        media && ((key) => media.delete(key)),
        (subject) => vault.forget(subject),
      );
      log.info('retention sweep', { deleted: result });
      return result;
    },
  };
}
