import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import express, { type Request, type Response } from 'express';
import { signBody } from '../whatsapp/signature';
import { messagesNotification, SANDBOX_ENVELOPE } from '../whatsapp/envelope';
import { metaShapedWamid } from '../whatsapp/wamid';
import { mountFakeTemplates, type FakeTemplates } from './fake-templates';

/**
 * A local stand-in for the WhatsApp Cloud API (Graph API) that speaks the same HTTP contract: the
 * sandbox and the tests point `WHATSAPP_GRAPH_URL` at it. It records every accepted send so tests can
 * assert on what reached "Meta", can be told to fail the next sends with a Graph error code, serves
 * media (lookup and download), and — once connected to a webhook — reports each send back as signed
 * `sent`, `delivered` and `read` status notifications, as Meta does.
 */
export interface SentMessage {
  wamid: string;
  phoneNumberId: string;
  accessToken: string;
  body: Record<string, unknown>;
  at: number;
  /** The last status reported to the webhook, if any. */
  status?: 'sent' | 'delivered' | 'read';
}

/** What the phone simulator sent as the end-user (the other side of the sandbox conversation). */
export interface PhoneMessage {
  phoneNumberId: string;
  userId: string;
  wamid: string;
  kind: 'text' | 'reply' | 'image' | 'audio';
  /** The text, the title of the tapped reply, or the media caption. */
  text: string;
  at: number;
  webhookStatus: number;
}

/** A mark-as-read call (blue ticks on the user's message), with or without a typing indicator. */
export interface ReadMark {
  phoneNumberId: string;
  messageId: string;
  typing: boolean;
  at: number;
}

/** A file uploaded for sending (`POST /<phone_number_id>/media`), as Meta received it. */
export interface UploadedMedia {
  id: string;
  phoneNumberId: string;
  /** The multipart `type` field. */
  type: string;
  bytes: Buffer;
}

/** A file on disk the fake serves as media without holding it in memory (benchmarks). */
export interface MediaOnDisk {
  path: string;
  size: number;
  sha256: string;
}

export interface FakeGraph extends FakeTemplates {
  readonly url: string;
  readonly sent: SentMessage[];
  readonly reads: ReadMark[];
  readonly uploads: UploadedMedia[];
  /** The next `times` sends answer this Graph error (HTTP 400 unless `httpStatus`). */
  failNext(code: number, times?: number, httpStatus?: number): void;
  /** Resolves once `predicate` holds for the sent list, or rejects after `timeoutMs`. */
  waitFor(predicate: (sent: SentMessage[]) => boolean, timeoutMs?: number): Promise<SentMessage[]>;
  /** Stores a media file as if a user had sent it; returns its media id. */
  addMedia(bytes: Buffer | MediaOnDisk, mimeType: string): string;
  /** Download URLs from now on name this origin instead of the fake's own (host checks). */
  setMediaOrigin(origin: string | undefined): void;
  /** From now on, downloads of this media serve other bytes than its sha256 says (`times` times). */
  corruptMedia(mediaId: string, times?: number): void;
  /** Reports statuses of later sends and template changes, signed with `appSecret`, to the webhook at `url`. */
  connectWebhook(url: string, appSecret: string, stepMs?: number): void;
  close(): Promise<void>;
}

interface StoredMedia {
  bytes: Buffer | MediaOnDisk;
  mimeType: string;
  sha256: string;
  corrupt: number;
}

const UPLOAD_LIMIT = 100 * 1024 * 1024;

/** Tries of one status webhook that the API answers 5xx. */
const STATUS_ATTEMPTS = 10;

/** How many entries of each kind the sandbox phone's history file keeps. */
const HISTORY_LIMIT = 2_000;

export async function startFakeGraph(
  opts: {
    port?: number;
    host?: string;
    /** Keep the sandbox phone's conversations (both sides) in this file across restarts. */
    historyFile?: string;
  } = {},
): Promise<FakeGraph> {
  const history = opts.historyFile ? phoneHistory(opts.historyFile) : undefined;
  const sent: SentMessage[] = history?.sent ?? [];
  const reads: ReadMark[] = history?.reads ?? [];
  const inbound: PhoneMessage[] = history?.inbound ?? [];
  const uploads: UploadedMedia[] = [];
  const failures: { code: number; httpStatus: number }[] = [];
  const media = new Map<string, StoredMedia>();
  let webhook: { url: string; appSecret: string; stepMs: number } | undefined;
  const host = opts.host ?? '127.0.0.1';
  let baseUrl = '';
  let mediaOrigin: string | undefined;

  const app = express();
  app.use(express.json({ limit: '1mb' }));
  const templates = mountFakeTemplates(app, () => webhook);
  const bearer = (req: Request) => /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
  const graphError = (res: Response, status: number, code: number, message: string) =>
    void res.status(status).json({ error: { code, message } });

  function addMedia(bytes: Buffer | MediaOnDisk, mimeType: string): string {
    const id = String(10 ** 15 + Math.floor(Math.random() * 9 * 10 ** 15));
    const sha256 = Buffer.isBuffer(bytes) ? createHash('sha256').update(bytes).digest('hex') : bytes.sha256;
    media.set(id, { bytes, mimeType, sha256, corrupt: 0 });
    return id;
  }

  app.get('/media-files/:mediaId', (req, res) => {
    const file = media.get(String(req.params.mediaId));
    if (!bearer(req)) return graphError(res, 401, 190, 'Invalid OAuth access token.');
    if (!file) return graphError(res, 404, 100, 'media not found');
    if (!Buffer.isBuffer(file.bytes)) {
      res.type(file.mimeType).setHeader('content-length', String(file.bytes.size));
      return void createReadStream(file.bytes.path).pipe(res);
    }
    const bytes = file.corrupt > 0 ? Buffer.concat([file.bytes, Buffer.from('x')]) : file.bytes;
    if (file.corrupt > 0) file.corrupt -= 1;
    res.type(file.mimeType).send(bytes);
  });

  app.get('/sandbox/conversation', (req, res) => {
    const { phoneNumberId, to } = req.query;
    res.json({
      messages: sent
        .filter((m) => m.phoneNumberId === phoneNumberId && m.body.to === to)
        .map((m) => ({ wamid: m.wamid, at: m.at, body: m.body, status: m.status ?? 'accepted' })),
      inbound: inbound.filter((m) => m.phoneNumberId === phoneNumberId && m.userId === to),
      reads: reads.filter((r) => r.phoneNumberId === phoneNumberId).map((r) => r.messageId),
    });
  });

  /** The phone simulator records what its user sent, so the page shows both sides after a reload. */
  app.post('/sandbox/inbound', (req, res) => {
    const m = req.body as Partial<PhoneMessage>;
    if (typeof m.phoneNumberId !== 'string' || typeof m.userId !== 'string' || typeof m.wamid !== 'string')
      return graphError(res, 400, 100, 'phoneNumberId, userId and wamid are required');
    inbound.push({
      phoneNumberId: m.phoneNumberId,
      userId: m.userId,
      wamid: m.wamid,
      kind: m.kind === 'reply' || m.kind === 'image' || m.kind === 'audio' ? m.kind : 'text',
      text: String(m.text ?? ''),
      at: Number(m.at ?? Date.now()),
      webhookStatus: Number(m.webhookStatus ?? 0),
    });
    history?.changed();
    res.status(201).json({ ok: true });
  });

  // Meta's media upload: multipart with `messaging_product`, `type` and `file`.
  app.post('/:version/:phoneNumberId/media', (req, res) => {
    if (!bearer(req)) return graphError(res, 401, 190, 'Invalid OAuth access token.');
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: UPLOAD_LIMIT } });
    } catch {
      return graphError(res, 400, 100, 'expected multipart/form-data');
    }
    const fields: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let truncated = false;
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream) => {
      stream.on('data', (c: Buffer) => name === 'file' && chunks.push(c));
      stream.on('limit', () => (truncated = true));
    });
    parser.on('error', () => graphError(res, 400, 100, 'malformed multipart body'));
    parser.on('close', () => {
      const bytes = Buffer.concat(chunks);
      if (fields.messaging_product !== 'whatsapp' || !fields.type || bytes.length === 0 || truncated)
        return graphError(res, 400, 100, 'Invalid parameter');
      const id = addMedia(bytes, fields.type);
      uploads.push({ id, phoneNumberId: String(req.params.phoneNumberId), type: fields.type, bytes });
      res.json({ id });
    });
    req.pipe(parser);
  });

  app.get('/:version/:mediaId', (req, res) => {
    const id = String(req.params.mediaId);
    const file = media.get(id);
    if (!bearer(req)) return graphError(res, 401, 190, 'Invalid OAuth access token.');
    if (!file) return graphError(res, 400, 100, 'Unsupported get request. Object does not exist.');
    res.json({
      messaging_product: 'whatsapp',
      url: `${mediaOrigin ?? baseUrl}/media-files/${id}`,
      mime_type: file.mimeType,
      sha256: file.sha256,
      file_size: Buffer.isBuffer(file.bytes) ? file.bytes.length : file.bytes.size,
      id,
    });
  });

  app.post('/:version/:phoneNumberId/messages', (req, res) => {
    const token = bearer(req);
    if (!token) return graphError(res, 401, 190, 'Invalid OAuth access token.');
    const failure = failures.shift();
    if (failure) return graphError(res, failure.httpStatus, failure.code, `fake error ${failure.code}`);
    const body = req.body as Record<string, unknown>;
    const phoneNumberId = String(req.params.phoneNumberId);
    if (
      body.messaging_product === 'whatsapp' &&
      body.status === 'read' &&
      typeof body.message_id === 'string'
    ) {
      reads.push({
        phoneNumberId,
        messageId: body.message_id,
        typing: Boolean(body.typing_indicator),
        at: Date.now(),
      });
      history?.changed();
      return void res.json({ success: true });
    }
    if (
      body.messaging_product !== 'whatsapp' ||
      typeof body.to !== 'string' ||
      typeof body.type !== 'string'
    ) {
      return graphError(res, 400, 100, 'Invalid parameter');
    }
    const message: SentMessage = {
      // Meta's ids embed the recipient's number; so do these, for the privacy scans to find.
      wamid: metaShapedWamid(body.to),
      phoneNumberId,
      accessToken: token,
      body,
      at: Date.now(),
    };
    sent.push(message);
    history?.changed();
    res.json({
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [{ id: message.wamid }],
    });
    if (webhook) void reportStatuses(webhook, message);
  });

  /**
   * Posts sent → delivered → read for one message, each signed as Meta signs; a 5xx answer is
   * retried (a few times, a second apart), as Meta retries.
   */
  async function reportStatuses(hook: NonNullable<typeof webhook>, message: SentMessage): Promise<void> {
    for (const status of ['sent', 'delivered', 'read'] as const) {
      await new Promise((r) => setTimeout(r, hook.stepMs));
      const body = JSON.stringify(statusNotification(message, status));
      for (let attempt = 1; ; attempt++) {
        let res: globalThis.Response;
        try {
          res = await fetch(hook.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-hub-signature-256': signBody(body, hook.appSecret),
            },
            body,
          });
        } catch {
          return; // the API is gone (shutting down); Meta would retry, the sandbox does not need to
        }
        if (res.ok) message.status = status;
        history?.changed();
        if (res.status < 500 || attempt === STATUS_ATTEMPTS) break;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(opts.port ?? 0, host, () => resolve(s));
  });
  baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    setTemplates: templates.setTemplates,
    listCalls: templates.listCalls,
    changeStatus: templates.changeStatus,
    changeQuality: templates.changeQuality,
    sent,
    reads,
    uploads,
    setMediaOrigin(origin) {
      mediaOrigin = origin;
    },
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
    addMedia,
    corruptMedia(mediaId, times = Number.MAX_SAFE_INTEGER) {
      const file = media.get(mediaId);
      if (file) file.corrupt = times;
    },
    connectWebhook(url, appSecret, stepMs = 150) {
      webhook = { url, appSecret, stepMs };
    },
    close: () =>
      new Promise((resolve) => {
        history?.flush();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The sandbox phone's memory in a JSON file: loaded at start, written a second after a change and
 * on close, the newest `HISTORY_LIMIT` entries of each kind. Local sample data only (the sandbox).
 */
function phoneHistory(file: string) {
  const empty = { sent: [] as SentMessage[], reads: [] as ReadMark[], inbound: [] as PhoneMessage[] };
  const data = existsSync(file)
    ? { ...empty, ...(JSON.parse(readFileSync(file, 'utf8')) as Partial<typeof empty>) }
    : empty;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    for (const list of [data.sent, data.reads, data.inbound]) list.splice(0, list.length - HISTORY_LIMIT);
    writeFileSync(`${file}.tmp`, JSON.stringify(data), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  return {
    ...data,
    flush,
    changed() {
      timer ??= setTimeout(flush, 1_000).unref();
    },
  };
}

function statusNotification(message: SentMessage, status: string): Record<string, unknown> {
  const item = {
    id: message.wamid,
    status,
    timestamp: String(Math.floor(Date.now() / 1000)),
    recipient_id: message.body.to,
    // Meta echoes a send's callback data in each of its statuses.
    ...(typeof message.body.biz_opaque_callback_data === 'string'
      ? { biz_opaque_callback_data: message.body.biz_opaque_callback_data }
      : {}),
  };
  return messagesNotification(message.phoneNumberId, { statuses: [item] }, SANDBOX_ENVELOPE);
}
