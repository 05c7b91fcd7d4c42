import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (client, worker and workflow bundle alike): failure messages and stack traces are
 * moved into an encoded payload, so the payload codec encrypts them like any other payload and an
 * error text that happens to quote user data never reaches a history in clear.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
