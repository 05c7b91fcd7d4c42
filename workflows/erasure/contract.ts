/**
 * The erasure workflow's contract. One run per privacy request; the id names the request, never the
 * subject, and the workflow carries no search attributes, so it is not swept up by its own erasure.
 */
export const ERASURE_WORKFLOW_TYPE = 'erasureWorkflow';

/** Id of the erasure workflow of a privacy request. */
export function erasureWorkflowId(clientId: string, requestId: string): string {
  return `erasure:${clientId}:${requestId}`;
}

export interface ErasureInput {
  requestId: string;
  clientId: string;
  subjectHash: string;
}

/** What the request record reports when done. */
export interface ErasureSummary {
  executionsDeleted: boolean;
  files: number;
  rows: Record<string, number>;
}
