import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { SubjectVault } from '../crypto/vault';
import { inTransaction, type Db } from '../db/pool';
import { updatePrivacyRequest, type PrivacyRequestStatus } from '../db/privacy-requests';
import { deleteSubjectRows, subjectFileKeys } from '../db/subject-tables';
import { RETENTION_RULES, sweepRetention, type SweepResult } from '../db/retention';
import type { Logger } from '../logging';
import type { Metrics } from '../metrics';
import { clientIdAttribute, subjectAttribute } from '../temporal/search-attributes';

/**
 * The part of the media store (media/store.ts) erasure and retention need: files are named by the
 * `storage_key` column of subject rows and deleted before those rows. Idempotent.
 */
export interface MediaFiles {
  delete(key: string): Promise<void>;
}

export interface PrivacyDeps {
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

/** gRPC NOT_FOUND: the execution is already gone (an earlier attempt deleted it). */
function ignoreNotFound(err: { code?: number }): undefined {
  if (err.code !== 5) throw err;
  return undefined;
}

export function createPrivacyActivities({ db, temporal, vault, log, metrics, media }: PrivacyDeps) {
  const namespace = temporal.options.namespace;

  async function listSubjectExecutions(input: ErasureStepInput) {
    const query = `${clientIdAttribute.name} = "${input.clientId}" AND ${subjectAttribute.name} = "${input.subjectHash}"`;
    const found: { workflowId: string; runId: string }[] = [];
    for await (const wf of temporal.workflow.list({ query }))
      found.push({ workflowId: wf.workflowId, runId: wf.runId });
    return found;
  }

  return {
    /** Records an erasure request's status and progress (no PII: counts and step names only); counts completions. */
    async recordErasureProgress(input: {
      requestId: string;
      status: PrivacyRequestStatus;
      progress: Record<string, unknown>;
    }): Promise<void> {
      await updatePrivacyRequest(db, input.requestId, input);
      if (input.status === 'completed') metrics.erasures.inc();
    },

    /**
     * Terminates and deletes every workflow execution (all runs) of the subject, found by the
     * AuraClientId + AuraSubject search attributes (the server terminates a running one before deleting
     * it). Temporal deletes asynchronously, so this throws a
     * retryable failure until none of the found executions can still be described; visibility
     * records follow shortly after. Returns how many executions it deleted.
     */
    async eraseSubjectExecutions(input: ErasureStepInput): Promise<number> {
      const found = await listSubjectExecutions(input);
      for (const wf of found) {
        // For a running execution the server terminates it, then deletes it, in one step (and much
        // sooner than when terminated first: a closed execution's deletion waits on its close tasks).
        await temporal.workflowService
          .deleteWorkflowExecution({
            namespace,
            workflowExecution: { workflowId: wf.workflowId, runId: wf.runId },
          })
          .catch(ignoreNotFound);
      }
      const remaining = await Promise.all(
        found.map((wf) =>
          temporal.workflowService
            .describeWorkflowExecution({
              namespace,
              execution: { workflowId: wf.workflowId, runId: wf.runId },
            })
            .then(() => 1, ignoreNotFound),
        ),
      );
      const left = remaining.reduce<number>((a, b) => a + (b ?? 0), 0);
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
