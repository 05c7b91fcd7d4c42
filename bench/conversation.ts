import { spawn } from 'node:child_process';
import { processEnv } from '../config';
import type { SentMessage } from '../sandbox/fake-graph';
import { startDevServer } from '../temporal/dev-server';
import { TEST_ADMIN_TOKEN } from '../test/support/env';
import { startStack } from '../test/support/stack';
import { postWebhook, provisionTestClient, textNotification } from '../test/support/whatsapp';

/**
 * Conversation engine benchmark: webhook → reply at the fake Graph API with the built-in NLU, at
 * 20 and 50 new messages/s (each from a new end-user), and the process's RSS with many open
 * conversations. `conversationScenario` plugs into a scenario runner (it needs only the context
 * below); run standalone with `DATABASE_URL=… npx tsx bench/conversation.ts [openConversations]`.
 */
export interface ConversationBenchContext {
  apiUrl: string;
  graph: { sent: SentMessage[] };
  provisionClient(): Promise<{ phoneNumberId: string }>;
  log(line: string): void;
}

const RATES = [20, 50];
const DURATION_SECONDS = 10;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

async function waitForReplies(ctx: ConversationBenchContext, to: Set<string>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<string, number>();
  while (Date.now() < deadline && seen.size < to.size) {
    for (const m of ctx.graph.sent) {
      const t = String(m.body.to);
      if (to.has(t) && !seen.has(t)) seen.set(t, m.at);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

/** Sends `rate` messages/s for `seconds`, each from a new user; returns reply latencies in ms. */
async function latencyAt(ctx: ConversationBenchContext, rate: number, seconds: number) {
  const { phoneNumberId } = await ctx.provisionClient();
  const sentAt = new Map<string, number>();
  const start = Date.now();
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    const waId = `55${rate}${String(start).slice(-5)}${String(i).padStart(4, '0')}`;
    sentAt.set(waId, Date.now());
    posts.push(
      postWebhook(ctx.apiUrl, textNotification({ phoneNumberId, waId, text: 'where is my order 1234?' })),
    );
  }
  await Promise.all(posts);
  const replies = await waitForReplies(ctx, new Set(sentAt.keys()), 60_000);
  const latencies = [...replies].map(([waId, at]) => at - sentAt.get(waId)!);
  return {
    sent: sentAt.size,
    answered: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Opens `count` conversations (one message each) and reports the process RSS once all have answered. */
async function rssWithOpenConversations(ctx: ConversationBenchContext, count: number) {
  const { phoneNumberId } = await ctx.provisionClient();
  const users = new Set<string>();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from(
      { length: Math.min(50, count - i) },
      (_, j) => `5577${String(i + j).padStart(7, '0')}`,
    );
    batch.forEach((u) => users.add(u));
    await Promise.all(
      batch.map((waId) => postWebhook(ctx.apiUrl, textNotification({ phoneNumberId, waId, text: 'hi' }))),
    );
    await waitForReplies(ctx, new Set(batch), 60_000);
  }
  const answered = (await waitForReplies(ctx, users, 120_000)).size;
  return {
    open: count,
    answered,
    rssBeforeMiB: Math.round(before / 2 ** 20),
    rssAfterMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

export const conversationScenario = {
  name: 'conversation',
  description:
    'webhook → bot reply latency (built-in NLU) at 20 and 50 new msg/s; RSS with many open conversations',
  async run(ctx: ConversationBenchContext, openConversations = 2_000) {
    const rows: Record<string, string | number>[] = [];
    for (const rate of RATES) {
      ctx.log(`conversation: ${rate} msg/s for ${DURATION_SECONDS} s`);
      const r = await latencyAt(ctx, rate, DURATION_SECONDS);
      rows.push({
        measure: `reply latency @ ${rate} msg/s`,
        sent: r.sent,
        answered: r.answered,
        p50_ms: r.p50,
        p99_ms: r.p99,
      });
    }
    ctx.log(`conversation: opening ${openConversations} conversations`);
    const m = await rssWithOpenConversations(ctx, openConversations);
    rows.push({
      measure: `RSS with ${m.open} open conversations`,
      answered: m.answered,
      rss_before_MiB: m.rssBeforeMiB,
      rss_after_MiB: m.rssAfterMiB,
    });
    return { rows };
  },
};

async function main(): Promise<void> {
  const env = processEnv();
  const open = Number(process.argv[2] ?? 2_000);
  if (!env.AURA_TEST_TEMPORAL_ADDRESS) {
    // Like `npm test`: one dev server for the run, then this script again with the test infrastructure set.
    if (!env.DATABASE_URL)
      throw new Error('set DATABASE_URL to a PostgreSQL server the bench may create databases on');
    const server = await startDevServer({ headless: true });
    const code = await new Promise<number>((resolve) =>
      spawn(process.execPath, ['--import', 'tsx', __filename, String(open)], {
        stdio: 'inherit',
        env: { ...env, AURA_TEST_TEMPORAL_ADDRESS: server.address, AURA_TEST_DATABASE_URL: env.DATABASE_URL },
      }).on('exit', (c) => resolve(c ?? 1)),
    );
    await server.stop();
    process.exit(code);
  }
  const stack = await startStack();
  try {
    const result = await conversationScenario.run(
      {
        apiUrl: stack.apiUrl,
        graph: stack.graph,
        provisionClient: () => provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN),
        log: (line) => process.stdout.write(`[bench] ${line}\n`),
      },
      open,
    );
    console.table(result.rows);
  } finally {
    await stack.close();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
