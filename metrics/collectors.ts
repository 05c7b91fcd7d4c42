import { clientsWithRejectedToken } from '../db/clients';
import { countWaitingHandoffs } from '../db/conversations';
import type { Db } from '../db/pool';
import { blockedTemplates } from '../db/templates';
import type { Metrics } from './index';

/**
 * Fills the handoff queue gauge from PostgreSQL when `/metrics` is scraped: the queue lives in the
 * database, so any API process reports the same number and nothing has to keep it in step. Per client
 * is left out on purpose: one series per tenant would grow without bound.
 */
export function observeHandoffQueue(metrics: Metrics, db: Db): void {
  const gauge = metrics.handoffQueueDepth;
  // prom-client calls a metric's `collect` on every scrape; the gauge is declared without one (the
  // worker's registry has no database query to run), so the API attaches it here.
  (gauge as unknown as { collect?: () => Promise<void> }).collect = async () => {
    try {
      gauge.set(await countWaitingHandoffs(db));
    } catch {
      // PostgreSQL is down: /readyz says so; the scrape keeps the last known depth.
    }
  };
}

/**
 * Fills `aura_client_graph_token_rejected{client_id}` (1 per client whose Graph token was rejected
 * with error 190 and not rotated since) from PostgreSQL on each scrape: an alert rule on it names the
 * client to call. Only flagged clients have a series, so it stays small; a client whose token works
 * again disappears from it.
 */
export function observeGraphTokens(metrics: Metrics, db: Db): void {
  const gauge = metrics.graphTokenRejected;
  (gauge as unknown as { collect?: () => Promise<void> }).collect = async () => {
    try {
      const rejected = await clientsWithRejectedToken(db);
      gauge.reset();
      for (const clientId of rejected) gauge.set({ client_id: clientId }, 1);
    } catch {
      // PostgreSQL is down: /readyz says so; the scrape keeps the last known flags.
    }
  };
}

/**
 * Fills `aura_client_templates_blocked{client_id, status}` (how many of the client's templates Meta
 * paused or disabled) on each scrape: an alert names the client whose notifications now fail. Only
 * clients with such templates have a series.
 */
export function observeBlockedTemplates(metrics: Metrics, db: Db): void {
  const gauge = metrics.templatesBlocked;
  (gauge as unknown as { collect?: () => Promise<void> }).collect = async () => {
    try {
      const blocked = await blockedTemplates(db);
      gauge.reset();
      for (const t of blocked) gauge.inc({ client_id: t.clientId, status: t.status });
    } catch {
      // PostgreSQL is down: /readyz says so; the scrape keeps the last known counts.
    }
  };
}
