import { Context } from '@temporalio/activity';
import type { LogFields, Logger } from '../logging';

/** The running activity's workflow id and type, or nothing outside an activity (tests, startup). */
function activityFields(): LogFields {
  try {
    const info = Context.current().info;
    return { workflowId: info.workflowExecution?.workflowId, activityType: info.activityType };
  } catch {
    return {};
  }
}

/**
 * A logger whose every line names the workflow and activity it was written from, so an operator can
 * go from a log line to the execution in the Temporal UI. Ids only: workflow ids carry no PII.
 */
export function withActivityContext(log: Logger): Logger {
  return {
    debug: (msg, fields) => log.debug(msg, { ...activityFields(), ...fields }),
    info: (msg, fields) => log.info(msg, { ...activityFields(), ...fields }),
    warn: (msg, fields) => log.warn(msg, { ...activityFields(), ...fields }),
    error: (msg, fields) => log.error(msg, { ...activityFields(), ...fields }),
    child: (fields) => withActivityContext(log.child(fields)),
  };
}
