import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startBaseline } from './pipeline';

/**
 * The baseline as its own process, like Aura's worker and API (`tsx bench/baseline/main.ts
 * <temporalAddress> <graphUrl>`): prints `{"url": …}` once the receiver listens, stops on SIGTERM.
 */
async function main(): Promise<void> {
  const [temporalAddress, graphUrl] = process.argv.slice(2);
  if (!temporalAddress || !graphUrl) throw new Error('usage: main.ts <temporalAddress> <graphUrl>');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const baseline = await startBaseline({ temporalAddress, graphUrl });
  process.stdout.write(`${JSON.stringify({ url: baseline.url })}\n`);
  // Nothing to drain: the baseline keeps no state the next run needs.
  process.once('SIGTERM', () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
