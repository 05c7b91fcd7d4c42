/**
 * The template sync workflows' contract. `templateSyncWorkflow` syncs one client's templates on
 * demand (`POST /v1/templates/sync`, a components webhook); one runs per client at a time, so two
 * requests share it. `templateRefreshWorkflow` syncs every client with an account once a day: one per
 * deployment, started idempotently by every worker (as the retention sweep is).
 */
export const TEMPLATE_SYNC_WORKFLOW_TYPE = 'templateSyncWorkflow';
export const TEMPLATE_REFRESH_WORKFLOW_TYPE = 'templateRefreshWorkflow';
export const TEMPLATE_REFRESH_WORKFLOW_ID = 'template-refresh';

/** Id of a client's on-demand sync. */
export function templateSyncWorkflowId(clientId: string): string {
  return `template-sync:${clientId}`;
}

export interface TemplateSyncInput {
  clientId: string;
}

export interface TemplateRefreshInput {
  /** Days refreshed by earlier runs (carried across continue-as-new). */
  days?: number;
}

/** What one daily round did. */
export interface TemplateRefreshRound {
  synced: number;
  failed: number;
}
