import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';

/**
 * Retries for a step that must happen (a database write, a Graph call): backing off to a minute,
 * without end, so an outage is ridden out rather than failing the workflow.
 */
export const RETRY_THROUGH_OUTAGES: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
};

/** A database or Graph call: quick, so 30 s covers a slow response; retried through outages. */
export const QUICK_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: RETRY_THROUGH_OUTAGES,
};

/**
 * How every workflow calls `sendMessage`. The send heartbeats after pacing and while it waits for
 * PostgreSQL to record what Meta accepted, so a dead worker is noticed by the 30 s heartbeat
 * timeout, and a live one may keep retrying the record for minutes rather than be timed out and
 * have its retry send the message again. Transient faults (a Graph outage) are retried without end.
 */
export const SEND_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: RETRY_THROUGH_OUTAGES,
};

/**
 * How the conversation calls `storeInboundMedia`: a remote activity, since a 100 MB download can
 * outlast any workflow task. Ten minutes cover 100 MB at under 200 KB/s; the activity heartbeats
 * every chunk (and every 5 s while it waits for a download slot), so a dead worker is noticed
 * after 30 s and the download starts over on another. The activity itself records the file as
 * failed once its attempts are spent, so retries here need no limit and the workflow never fails.
 */
export const MEDIA_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
