import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Queryable } from '../../db/pool';

/**
 * Raw scans for the privacy proof tests: they look at what is stored, bypassing every decoder, and
 * report which of the `needles` (known names, numbers, texts…) appear in clear.
 */

/** Every table of the schema, every row cast to text (all columns), searched for each needle. */
export async function scanDatabase(
  db: Queryable,
  needles: string[],
): Promise<{ found: string[]; rows: number }> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const found: string[] = [];
  let total = 0;
  for (const { table_name } of tables) {
    const { rows } = await db.query<{ t: string }>(
      `SELECT t::text AS t FROM "${table_name.replace(/"/g, '""')}" t`,
    );
    total += rows.length;
    const text = rows.map((r) => r.t).join('\n');
    for (const n of needles) {
      if (text.includes(n) || text.includes(Buffer.from(n).toString('hex')))
        found.push(`${table_name}: ${n}`);
    }
  }
  return { found, rows: total };
}

/** Raw history bytes of every execution matching `query`, fetched by a client without the codec. */
export async function rawHistories(
  connection: Client['connection'],
  namespace: string,
  query: string,
): Promise<{ workflowId: string; bytes: Buffer }[]> {
  const raw = new Client({ connection, namespace });
  const out: { workflowId: string; bytes: Buffer }[] = [];
  // Listed through the raw service: the client's list would decode memos, which the codec encrypts.
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await connection.workflowService.listWorkflowExecutions({ namespace, query, nextPageToken });
    for (const wf of page.executions) {
      const workflowId = wf.execution!.workflowId!;
      // Listed but already deleted (visibility lags behind deletion): there is no history to scan.
      const history = await raw.workflow
        .getHandle(workflowId, wf.execution!.runId!)
        .fetchHistory()
        .catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError || /not found/i.test((err as Error).message))
            return undefined;
          throw err;
        });
      if (!history) continue;
      out.push({ workflowId, bytes: Buffer.from(temporal.api.history.v1.History.encode(history).finish()) });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return out;
}

/** Which needles occur in any of the buffers (as UTF-8 bytes). */
export function findInBytes(buffers: Buffer[], needles: string[]): string[] {
  return needles.filter((n) => buffers.some((b) => b.includes(Buffer.from(n))));
}
