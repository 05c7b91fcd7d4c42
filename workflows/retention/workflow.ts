import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { RetentionInput } from './contract';

// One sweep is a handful of DELETE statements; 10 minutes covers a large backlog after a setting
// shrinks, and retries ride out a database restart.
const { sweepRetention } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

const SWEEPS_PER_RUN = 30;

/**
 * The retention guarantee: once a day, delete what every client's retention settings say is due,
 * whatever state the conversation or order workflows are in (idle, closed, or gone). So a shorter
 * setting applies to existing data within a day. Continues as new monthly to keep history short.
 */
export async function retentionWorkflow(input: RetentionInput = {}): Promise<void> {
  for (let i = 0; i < SWEEPS_PER_RUN; i += 1) {
    await sweepRetention({});
    await sleep('1 day');
  }
  await continueAsNew<typeof retentionWorkflow>({ sweeps: (input.sweeps ?? 0) + SWEEPS_PER_RUN });
}
