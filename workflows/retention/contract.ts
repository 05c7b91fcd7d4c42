/** The retention sweep's contract: one workflow per deployment, started idempotently by every worker. */
export const RETENTION_WORKFLOW_TYPE = 'retentionWorkflow';
export const RETENTION_WORKFLOW_ID = 'retention-sweep';

export interface RetentionInput {
  /** Sweeps done by earlier runs (carried across continue-as-new). */
  sweeps?: number;
}
