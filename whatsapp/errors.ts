import type { GraphError } from './graph-client';

/**
 * What a Graph API failure means for us, per Meta's error-code table: retry (with back-off, honouring
 * hints) or stop with a typed, non-retryable failure. `alert` marks failures an operator must see.
 */
export interface Classification {
  retryable: boolean;
  type: string;
  alert?: boolean;
  /** Minimum delay before the next attempt, when the code calls for a specific back-off. */
  nextRetryDelayMs?: number;
}

const TEMPORARY = new Set([1, 2, 131000, 131016, 133004]);
const BAD_PARAMETERS = new Set([100, 131008, 131009]);

export function classifyGraphError(err: GraphError, attempt = 1): Classification {
  const code = err.code;
  if (code === 131047) return { retryable: false, type: 'WindowClosed' };
  if (code === 131026) return { retryable: false, type: 'Undeliverable' };
  if (code === 131048) return { retryable: false, type: 'SpamRateLimited', alert: true };
  if (code === 131051) return { retryable: false, type: 'UnsupportedMessageType' };
  if (code === 131049 || code === 131050) return { retryable: false, type: 'MarketingLimited' };
  if (code !== undefined && (BAD_PARAMETERS.has(code) || (code >= 132000 && code <= 132012))) {
    return { retryable: false, type: 'BadParameters' };
  }
  if (code === 131056) {
    return { retryable: true, type: 'PairRateLimited', nextRetryDelayMs: 4 ** Math.min(attempt, 5) * 1000 };
  }
  if (code === 130429 || code === 4 || code === 80007) {
    return { retryable: true, type: 'RateLimited', nextRetryDelayMs: err.retryAfterMs };
  }
  if (code === 190) return { retryable: true, type: 'TokenExpired', alert: true, nextRetryDelayMs: 60_000 };
  if (code !== undefined && TEMPORARY.has(code)) return { retryable: true, type: 'GraphTemporary' };
  if (err.httpStatus === undefined || err.httpStatus >= 500 || err.httpStatus === 429) {
    return { retryable: true, type: 'GraphUnavailable', nextRetryDelayMs: err.retryAfterMs };
  }
  return { retryable: false, type: 'GraphRejected' };
}
