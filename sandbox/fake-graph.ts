import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';

/**
 * A local stand-in for the WhatsApp Cloud API (Graph API) that speaks the same HTTP contract: the
 * sandbox and the tests point `WHATSAPP_GRAPH_URL` at it. It records every accepted send so tests can
 * assert on what reached "Meta", and can be told to fail the next sends with a Graph error code.
 */
export interface SentMessage {
  wamid: string;
  phoneNumberId: string;
  accessToken: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeGraph {
  readonly url: string;
  readonly sent: SentMessage[];
  /** The next `times` sends answer this Graph error (HTTP 400 unless `httpStatus`). */
  failNext(code: number, times?: number, httpStatus?: number): void;
  /** Resolves once `predicate` holds for the sent list, or rejects after `timeoutMs`. */
  waitFor(predicate: (sent: SentMessage[]) => boolean, timeoutMs?: number): Promise<SentMessage[]>;
  close(): Promise<void>;
}

export async function startFakeGraph(opts: { port?: number; host?: string } = {}): Promise<FakeGraph> {
  const sent: SentMessage[] = [];
  const failures: { code: number; httpStatus: number }[] = [];
  const app = express();
  app.use(express.json({ limit: '1mb' }));

  app.post('/:version/:phoneNumberId/messages', (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (!token) {
      res.status(401).json({ error: { code: 190, message: 'Invalid OAuth access token.' } });
      return;
    }
    const failure = failures.shift();
    if (failure) {
      res
        .status(failure.httpStatus)
        .json({ error: { code: failure.code, message: `fake error ${failure.code}` } });
      return;
    }
    const body = req.body as Record<string, unknown>;
    if (
      body.messaging_product !== 'whatsapp' ||
      typeof body.to !== 'string' ||
      typeof body.type !== 'string'
    ) {
      res.status(400).json({ error: { code: 100, message: 'Invalid parameter' } });
      return;
    }
    const wamid = `wamid.FAKE${randomBytes(12).toString('hex')}`;
    sent.push({
      wamid,
      phoneNumberId: String(req.params.phoneNumberId),
      accessToken: token,
      body,
      at: Date.now(),
    });
    res.json({
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [{ id: wamid }],
    });
  });

  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(opts.port ?? 0, host, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    sent,
    failNext(code, times = 1, httpStatus = 400) {
      for (let i = 0; i < times; i++) failures.push({ code, httpStatus });
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(sent)) {
        if (Date.now() > deadline)
          throw new Error(`fake Graph: condition not met within ${timeoutMs} ms (${sent.length} sent)`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return sent;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
