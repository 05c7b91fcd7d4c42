import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';

/** Workers the server saw polling a task queue, by their identity, for workflow and activity tasks. */
export interface TaskQueuePollers {
  workflow: string[];
  activity: string[];
}

const { TaskQueueKind, TaskQueueType } = proto.api.enums.v1;

/**
 * How recent a poll must be to count. The server lists a poller for minutes after its worker died
 * (measured: still listed 220 s after a SIGKILL), but a live worker starts a new long poll at least
 * every minute (the server's long-poll expiry), so its last access is never older than about 60 s.
 */
export const POLLER_FRESH_MS = 90_000;

/**
 * Who polls `taskQueue`, from the server's `DescribeTaskQueue`: identities whose last poll began
 * within `POLLER_FRESH_MS` — the one fact that says a worker is really there, whatever its process
 * claims.
 */
export async function taskQueuePollers(
  client: Client,
  namespace: string,
  taskQueue: string,
  now = Date.now(),
): Promise<TaskQueuePollers> {
  const describe = async (taskQueueType: proto.api.enums.v1.TaskQueueType) => {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    return pollers
      .filter((p) => now - (optionalTsToMs(p.lastAccessTime) ?? 0) < POLLER_FRESH_MS)
      .map((p) => p.identity ?? '');
  };
  const [workflow, activity] = await Promise.all([
    describe(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
    describe(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
  ]);
  return { workflow, activity };
}
