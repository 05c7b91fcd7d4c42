/** A failure answered by the Graph API (or the network), with Meta's error code when it gave one. */
export class GraphError extends Error {
  override name = 'GraphError';
  constructor(
    message: string,
    readonly httpStatus: number | undefined,
    readonly code: number | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
