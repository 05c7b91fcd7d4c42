import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyGraphError } from '../../whatsapp/errors';
import { GraphError } from '../../whatsapp/graph-client';

const err = (code: number | undefined, httpStatus: number | undefined = 400, retryAfterMs?: number) =>
  new GraphError('x', httpStatus, code, retryAfterMs);

describe('Graph error classification', () => {
  const table: [number, boolean, string][] = [
    [131047, false, 'WindowClosed'],
    [131026, false, 'Undeliverable'],
    [131056, true, 'PairRateLimited'],
    [130429, true, 'RateLimited'],
    [131048, false, 'SpamRateLimited'],
    [4, true, 'RateLimited'],
    [80007, true, 'RateLimited'],
    [190, true, 'TokenExpired'],
    [100, false, 'BadParameters'],
    [131008, false, 'BadParameters'],
    [131009, false, 'BadParameters'],
    ...Array.from(
      { length: 13 },
      (_, i) => [132000 + i, false, 'BadParameters'] as [number, boolean, string],
    ),
    [131051, false, 'UnsupportedMessageType'],
    [1, true, 'GraphTemporary'],
    [2, true, 'GraphTemporary'],
    [131000, true, 'GraphTemporary'],
    [131016, true, 'GraphTemporary'],
    [133004, true, 'GraphTemporary'],
    [131049, false, 'MarketingLimited'],
    [131050, false, 'MarketingLimited'],
  ];
  for (const [code, retryable, type] of table) {
    it(`when Graph answers ${code}, then it is ${retryable ? 'retried' : 'not retried'} as ${type}`, () => {
      const c = classifyGraphError(err(code));
      assert.equal(c.retryable, retryable);
      assert.equal(c.type, type);
    });
  }

  it('when 190 or 131048 is answered, then an operator is alerted', () => {
    assert.equal(classifyGraphError(err(190)).alert, true);
    assert.equal(classifyGraphError(err(131048)).alert, true);
    assert.equal(classifyGraphError(err(131000)).alert, undefined);
  });

  it('when the pair limit is hit again, then the back-off grows as 4^n seconds', () => {
    assert.equal(classifyGraphError(err(131056), 1).nextRetryDelayMs, 4_000);
    assert.equal(classifyGraphError(err(131056), 2).nextRetryDelayMs, 16_000);
  });

  it('when Graph gives a Retry-After hint on a rate limit, then the retry waits at least that long', () => {
    assert.equal(classifyGraphError(err(130429, 429, 7_000)).nextRetryDelayMs, 7_000);
  });

  it('when the network fails or Graph answers 5xx without a code, then it is retried; other 4xx are not', () => {
    assert.equal(classifyGraphError(new GraphError('unreachable', undefined, undefined)).retryable, true);
    assert.equal(classifyGraphError(err(undefined, 503)).retryable, true);
    assert.equal(classifyGraphError(err(undefined, 404)).retryable, false);
  });
});
