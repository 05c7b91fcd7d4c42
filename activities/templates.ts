import { ApplicationFailure, Context } from '@temporalio/activity';
import { clientsWithWaba, replaceTemplates, templateAccount } from '../db/templates';
import { classifyGraphError } from '../whatsapp/errors';
import { GraphError } from '../whatsapp/graph-client';
import { storedTemplateOf, type StoredTemplate } from '../whatsapp/templates';
import { clientWithToken } from './graph-token';
import type { WhatsAppDeps } from './whatsapp';

export type TemplateDeps = Pick<WhatsAppDeps, 'db' | 'graph' | 'secrets' | 'log' | 'metrics'>;

/** Templates per page asked of Meta; at most this many pages are read (an account holds ≤ 6,000). */
export const TEMPLATE_PAGE_SIZE = 100;
const MAX_PAGES = 100;

/** What a sync found. */
export interface TemplateSyncResult {
  templates: number;
  pages: number;
  syncedAt: string;
}

/** Template activities: syncing a client's account from the Graph API. */
export function createTemplateActivities(deps: TemplateDeps) {
  const { db, graph, secrets, log, metrics } = deps;

  /** Every page of the account's list, following Meta's `after` cursors. */
  async function readAll(wabaId: string, token: string) {
    const templates = new Map<string, StoredTemplate>(); // by name and language: Meta's key
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await graph.listTemplates(wabaId, token, { limit: TEMPLATE_PAGE_SIZE, after });
      pages += 1;
      for (const raw of page.templates) {
        const t = storedTemplateOf(raw);
        if (t) templates.set(`${t.name}\u0000${t.language}`, t);
      }
      after = page.after;
      Context.current().heartbeat(pages);
    } while (after && pages < MAX_PAGES);
    return { templates: [...templates.values()], pages };
  }

  return {
    /**
     * Replaces the client's stored templates by its account's full list from the Graph API (every
     * page). Statuses a webhook applied while the list was read are kept (they are newer). Throws
     * non-retryable `NoWabaId` for a client provisioned without an account, and Graph failures typed
     * as every Graph call is (a rejected token retries after a minute: it may be rotated).
     */
    async syncTemplates(input: { clientId: string }): Promise<TemplateSyncResult> {
      const account = await templateAccount(db, input.clientId);
      if (!account?.wabaId)
        throw ApplicationFailure.nonRetryable(
          `client ${input.clientId} has no WhatsApp Business Account id`,
          'NoWabaId',
        );
      const { token } = await clientWithToken(db, secrets, input.clientId);
      // Whole seconds, as Meta times its webhooks: one in the same second as the sync still applies.
      const asOf = new Date(Math.floor(Date.now() / 1000) * 1000);
      try {
        const { templates, pages } = await readAll(account.wabaId, token);
        await replaceTemplates(db, input.clientId, templates, asOf);
        metrics.templateSyncs.inc({ outcome: 'synced' });
        log.info('templates synced', { clientId: input.clientId, templates: templates.length, pages });
        return { templates: templates.length, pages, syncedAt: asOf.toISOString() };
      } catch (err) {
        metrics.templateSyncs.inc({ outcome: 'failed' });
        if (!(err instanceof GraphError)) throw err;
        const verdict = classifyGraphError(err, Context.current().info.attempt);
        throw ApplicationFailure.create({
          message: err.message,
          type: verdict.type,
          nonRetryable: !verdict.retryable,
          nextRetryDelay: verdict.nextRetryDelayMs,
        });
      }
    },

    /** The clients with an account to sync (the daily sync's list). */
    async listTemplateAccounts(): Promise<string[]> {
      return clientsWithWaba(db);
    },
  };
}
