import type { ActivityOptions } from '@temporalio/workflow';

/**
 * How every workflow calls `sendMessage`. The send heartbeats after pacing and while it waits for
 * PostgreSQL to record what Meta accepted, so a dead worker is noticed by the 30 s heartbeat
 * timeout, and a live one may keep retrying the record for minutes rather than be timed out and
 * have its retry send the message again. Transient faults (a Graph outage) are retried without end.
 */
export const SEND_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
