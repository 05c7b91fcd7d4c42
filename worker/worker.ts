import { bundleWorkflowCode, type NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../config';
import type { PayloadKey } from '../temporal/codec';
import { dataConverter, FAILURE_CONVERTER_PATH } from '../temporal/connection';

/** Bundles the workflow code; done once per process and reused by every worker built from it. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietBundlerLogger,
  });
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => process.stderr.write(`${message}\n`),
};

/**
 * The Aura worker: every workflow and activity on one task queue. The workflow cache is bounded
 * because each cached conversation costs about 1 MB; evicted ones are replayed on their next message.
 */
export function createAuraWorker(opts: {
  config: Config;
  connection: NativeConnection;
  bundle: WorkflowBundle;
  deps: ActivityDeps;
  taskQueue?: string;
  /** Payload keys of master keys rotated away (`DeploymentKeys.retiredPayloadKeys`). */
  retiredPayloadKeys?: readonly PayloadKey[];
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.config.temporal.namespace,
    taskQueue: opts.taskQueue ?? opts.config.temporal.taskQueue,
    workflowBundle: opts.bundle,
    activities: createActivities({
      ...opts.deps,
      webhooks: { allowLoopbackHttp: opts.config.webhooks.allowLoopbackHttp, ...opts.deps.webhooks },
    }),
    dataConverter: dataConverter(opts.config, opts.retiredPayloadKeys),
    maxCachedWorkflows: opts.config.workerMaxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: opts.config.workerMaxWorkflowTasks,
    maxConcurrentLocalActivityExecutions: opts.config.workerMaxLocalActivities,
  });
}
