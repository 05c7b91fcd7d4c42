import { mediaStatusById } from '../../db/media';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { messagesNotification } from '../../whatsapp/envelope';
import { signBody } from '../../whatsapp/signature';
import type { MediaOnDisk } from '../../sandbox/fake-graph';
import { provisionClient, type ProvisionedClient } from '../../sandbox/provision';
import { mib, round, userPrefix, type BenchContext, type Scenario } from '../scenario';

const MIB = 2 ** 20;
/** Issue 12 item 8 and issue 14: RSS growth while moving one 100 MB file stays under this. */
const LIMIT_MIB = 64;

/** A file of random bytes on disk, written in 1 MiB chunks, with its sha256. */
async function randomFile(dir: string, size: number): Promise<MediaOnDisk> {
  const file = path.join(dir, 'media.bin');
  const out = createWriteStream(file);
  const hash = createHash('sha256');
  for (let left = size; left > 0; left -= MIB) {
    const chunk = randomBytes(Math.min(MIB, left));
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { path: file, size, sha256: hash.digest('hex') };
}

/** Samples a process's RSS every 50 ms until stopped; answers the peak. */
function sampleRss(ctx: BenchContext, pid: number | undefined) {
  let peak = ctx.system.rss(pid);
  const timer = setInterval(() => (peak = Math.max(peak, ctx.system.rss(pid))), 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, ctx.system.rss(pid));
  };
}

/** Sends a video message naming `mediaId` through the signed webhook; resolves on the 200. */
async function sendVideo(ctx: BenchContext, to: ProvisionedClient, user: string, mediaId: string) {
  const { harness } = ctx.system;
  const body = JSON.stringify(
    messagesNotification(to.phoneNumberId, {
      contacts: [{ wa_id: user, profile: { name: 'Bench' } }],
      messages: [
        {
          from: user,
          id: `wamid.BENCH${randomBytes(8).toString('hex')}`,
          timestamp: String(Math.floor(Date.now() / 1000)),
          type: 'video',
          video: { id: mediaId, mime_type: 'video/mp4' },
        },
      ],
    }),
  );
  const res = await fetch(`${harness.apiUrl}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, harness.appSecret) },
    body,
  });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

async function waitForStored(ctx: BenchContext, mediaId: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await mediaStatusById(ctx.system.harness.db, mediaId);
    if (status) return status;
    if (Date.now() > deadline) return 'timed out';
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads the file back through the agents' media route as fast as it comes; its sha256 and seconds. */
async function serveOnce(ctx: BenchContext, apiKey: string, mediaId: string) {
  const { harness } = ctx.system;
  const headers = { authorization: `Bearer ${apiKey}` };
  const list = (await (await fetch(`${harness.apiUrl}/v1/conversations`, { headers })).json()) as {
    conversations: { id: string }[];
  };
  let ref = '';
  for (const c of list.conversations) {
    const view = (await (await fetch(`${harness.apiUrl}/v1/conversations/${c.id}`, { headers })).json()) as {
      messages: { media?: { mediaId: string } }[];
    };
    if (view.messages.some((m) => m.media?.mediaId === mediaId)) ref = c.id;
  }
  const started = Date.now();
  const res = await fetch(`${harness.apiUrl}/v1/conversations/${ref}/media/${mediaId}`, { headers });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { status: res.status, bytes, sha256: hash.digest('hex'), seconds: (Date.now() - started) / 1000 };
}

/**
 * One 100 MB media file both ways (8 MB with `--quick`): a customer sends it, the worker downloads
 * it from the fake Graph, checks and seals it as it streams; then an agent reads it back through
 * `GET /v1/conversations/:id/media/:mediaId`. The worker's and the API's RSS are sampled every 50 ms
 * (from /proc) and the peak growth over each step's start is printed beside the 64 MB limit.
 */
export const mediaScenario: Scenario = {
  name: 'media',
  description:
    'worker RSS while downloading+sealing one 100 MB file; API RSS while serving it (limit +64 MB)',
  async run(ctx) {
    const size = (ctx.quick ? 8 : 100) * MIB;
    const { harness } = ctx.system;
    const dir = mkdtempSync(path.join(tmpdir(), 'aura-bench-media-'));
    try {
      const client = await provisionClient(harness.apiUrl, harness.adminToken, { name: 'Bench Media' });
      // Warm-up: a small file both ways first, so the numbers are the big file's, not first-use costs.
      const warm = harness.graph.addMedia(randomBytes(256 * 1024), 'video/mp4');
      await sendVideo(ctx, client, userPrefix(1), warm);
      await waitForStored(ctx, warm, 60_000);
      await serveOnce(ctx, client.apiKey, warm);

      const file = await randomFile(dir, size);
      const mediaId = harness.graph.addMedia(file, 'video/mp4');
      const workerBefore = ctx.system.rss(harness.worker.pid);
      const workerPeak = sampleRss(ctx, harness.worker.pid);
      const started = Date.now();
      await sendVideo(ctx, client, userPrefix(2), mediaId);
      const status = await waitForStored(ctx, mediaId, 10 * 60_000);
      const downloadSeconds = (Date.now() - started) / 1000;
      const workerAfter = workerPeak();
      ctx.log(`media: ${mib(size)} MiB ${status} in ${round(downloadSeconds)} s`);

      const apiBefore = ctx.system.rss(harness.api.pid);
      const apiPeak = sampleRss(ctx, harness.api.pid);
      const served = await serveOnce(ctx, client.apiKey, mediaId);
      const apiAfter = apiPeak();
      const row = (step: string, before: number, peak: number, seconds: number, ok: boolean) => ({
        step,
        'file MiB': mib(size),
        'RSS before MiB': mib(before),
        'RSS peak MiB': mib(peak),
        'growth MiB': mib(peak - before),
        'limit MiB': LIMIT_MIB,
        seconds: round(seconds),
        'MiB/s': round(size / MIB / seconds),
        ok: ok ? 'yes' : 'NO',
      });
      const rows = [
        row('worker: download + seal', workerBefore, workerAfter, downloadSeconds, status === 'stored'),
        row(
          'api: unseal + serve',
          apiBefore,
          apiAfter,
          served.seconds,
          served.status === 200 && served.sha256 === file.sha256 && served.bytes === size,
        ),
      ];
      return { rows, details: { size, status, served: { status: served.status, bytes: served.bytes } } };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
