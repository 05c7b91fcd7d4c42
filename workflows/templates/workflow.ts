import { ApplicationFailure, continueAsNew, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { TemplateSyncResult } from '../../activities/templates';
import type { TemplateRefreshInput, TemplateRefreshRound, TemplateSyncInput } from './contract';

// A sync reads at most 100 pages of 100 templates; two minutes covers a slow Graph API, heartbeats
// per page catch a dead worker. Retries ride out Graph hiccups; the on-demand caller waits at most
// a few of them (the API's deadline), the daily round tries again the next day.
const { syncTemplates } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});
const { listTemplateAccounts } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

/** Syncs one client's templates from the Graph API now; fails as the sync activity does. */
export async function templateSyncWorkflow(input: TemplateSyncInput): Promise<TemplateSyncResult> {
  return syncTemplates({ clientId: input.clientId });
}

const DAYS_PER_RUN = 30;

/**
 * Once a day, syncs every client that has an account, one after another (Meta's rate limits are per
 * app: no burst of list calls). A client whose sync fails is logged and skipped until tomorrow (its
 * webhooks keep its statuses current meanwhile). A workflow timer, like the retention sweep: one
 * durable loop per deployment that every worker starts idempotently, visible in the Temporal UI;
 * continues as new monthly to keep history short.
 */
export async function templateRefreshWorkflow(input: TemplateRefreshInput = {}): Promise<void> {
  for (let day = 0; day < DAYS_PER_RUN; day += 1) {
    const round = await refreshAll();
    log.info('templates refreshed', { ...round });
    await sleep('1 day');
  }
  await continueAsNew<typeof templateRefreshWorkflow>({ days: (input.days ?? 0) + DAYS_PER_RUN });
}

async function refreshAll(): Promise<TemplateRefreshRound> {
  const round = { synced: 0, failed: 0 };
  for (const clientId of await listTemplateAccounts()) {
    try {
      await syncTemplates({ clientId });
      round.synced += 1;
    } catch (err) {
      round.failed += 1;
      const type = err instanceof ApplicationFailure ? err.type : undefined;
      log.warn('template sync failed', {
        clientId,
        type: type ?? (err as { cause?: { type?: string } }).cause?.type,
      });
    }
  }
  return round;
}
