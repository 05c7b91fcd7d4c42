import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { listPhoneNumbers } from '../../db/clients';
import type { Db } from '../../db/pool';
import { messagesNotification, SANDBOX_ENVELOPE } from '../../whatsapp/envelope';
import { metaShapedWamid } from '../../whatsapp/wamid';
import { signBody } from '../../whatsapp/signature';
import { jsonBody } from '../body';
import { labelRoute } from '../context';
import { badRequest, HttpError, parseOr400 } from '../errors';

/**
 * The phone simulator (`/sandbox`, local profile only): a static page and the few endpoints it uses.
 * A message typed or a file picked on the page becomes a Meta-shaped notification that this server
 * signs with the app secret (the browser never sees it) and POSTs to its own webhook over HTTP, so it
 * travels the real path. Media is uploaded to the Graph API's media endpoint first (multipart, as
 * Meta takes it) so the notification carries a media id, as Meta's do. Replies and their delivery
 * ticks are read back from the sandbox Graph.
 */
export function sandboxRouter(deps: {
  db: Db;
  appSecret: string;
  graphUrl: string;
  graphVersion: string;
}): Router {
  const router = Router();
  router.use(
    '/sandbox',
    labelRoute('/sandbox/*'),
    express.static(path.resolve(__dirname, '../../sandbox/public')),
  );

  router.get('/sandbox/api/numbers', async (_req, res) => {
    res.json({ numbers: await listPhoneNumbers(deps.db, 100) });
  });

  router.post('/sandbox/api/messages', jsonBody('64kb'), async (req, res) => {
    const input = parseOr400(textInput, req.body);
    const message = input.reply
      ? {
          type: 'interactive',
          interactive: {
            type: `${input.reply.kind}_reply`,
            [`${input.reply.kind}_reply`]: { id: input.reply.id, title: input.reply.title },
          },
        }
      : { type: 'text', text: { body: input.text } };
    const delivered = await deliver(req, deps, input, message);
    const phone = input.reply
      ? { kind: 'reply', text: input.reply.title }
      : { kind: 'text', text: input.text };
    await remember(deps, input, delivered, phone);
    res.json(delivered);
  });

  router.post('/sandbox/api/media', express.raw({ type: () => true, limit: '16mb' }), async (req, res) => {
    const input = parseOr400(mediaInput, req.query, 'query');
    const file = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (file.length === 0) throw badRequest('body: the file is empty');
    const mimeType = req.header('content-type') ?? 'application/octet-stream';
    // As Meta's media upload takes it: multipart with messaging_product, type and file.
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', mimeType);
    form.append('file', new Blob([file], { type: mimeType }), 'file');
    const upload = await fetch(`${deps.graphUrl}/${deps.graphVersion}/${input.phoneNumberId}/media`, {
      method: 'POST',
      headers: { authorization: 'Bearer sandbox' },
      body: form,
    }).catch(() => undefined);
    const id = upload?.ok ? ((await upload.json()) as { id?: string }).id : undefined;
    if (!id)
      throw new HttpError(
        502,
        'graph_unavailable',
        'the Graph API did not take the upload (sandbox Graph only)',
      );
    const object = { id, mime_type: mimeType, ...(input.kind === 'audio' ? { voice: true } : {}) };
    const withCaption =
      input.caption && input.kind === 'image' ? { ...object, caption: input.caption } : object;
    const delivered = await deliver(req, deps, input, { type: input.kind, [input.kind]: withCaption });
    await remember(deps, input, delivered, { kind: input.kind, text: input.caption ?? '' });
    res.json(delivered);
  });

  router.get('/sandbox/api/conversation', async (req, res) => {
    const input = parseOr400(conversationInput, req.query, 'query');
    const url = new URL(`${deps.graphUrl}/sandbox/conversation`);
    url.searchParams.set('phoneNumberId', input.phoneNumberId);
    url.searchParams.set('to', input.userId);
    const answer = await fetch(url).catch(() => undefined);
    if (!answer?.ok)
      throw new HttpError(502, 'graph_unavailable', 'replies are only visible with the sandbox Graph');
    res.json(await answer.json());
  });

  return router;
}

const phoneNumberId = z.string().regex(/^\d{5,20}$/, 'must be a phone_number_id');
/** A phone number (wa_id) or a business-scoped user id such as `US.1349…` (a user with a username only). */
const userId = z
  .string()
  .regex(/^(\d{6,15}|[A-Z]{2}\.[\w.]{4,60})$/, 'must be a wa_id or a user id like US.123…');
const user = { phoneNumberId, userId, name: z.string().trim().max(60).optional() };
export const textInput = z
  .strictObject({
    ...user,
    text: z.string().min(1).max(4096).optional(),
    /** A tap on one of the bot's reply buttons or list rows. */
    reply: z
      .strictObject({
        kind: z.enum(['button', 'list']),
        id: z.string().min(1).max(256),
        title: z.string().max(72),
      })
      .optional(),
  })
  .refine((v) => Boolean(v.text) !== Boolean(v.reply), {
    message: 'exactly one of text or reply',
    path: ['text'],
  });
export const mediaInput = z.strictObject({
  ...user,
  kind: z.enum(['image', 'audio']),
  caption: z.string().max(1024).optional(),
});
export const conversationInput = z.strictObject({ phoneNumberId, userId });

/** Tells the sandbox Graph what the phone's user sent, so the page shows both sides after a reload. */
async function remember(
  deps: { graphUrl: string },
  input: { phoneNumberId: string; userId: string },
  delivered: { wamid: string; webhookStatus: number },
  phone: { kind: string; text?: string },
): Promise<void> {
  await fetch(`${deps.graphUrl}/sandbox/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      phoneNumberId: input.phoneNumberId,
      userId: input.userId,
      ...delivered,
      ...phone,
      at: Date.now(),
    }),
  }).catch(() => undefined); // another Graph than the sandbox's: the page shows the bot's side only
}

/** Wraps a message in a notification as Meta would send it, signs it, and POSTs it to our webhook. */
async function deliver(
  req: Request,
  deps: { appSecret: string },
  input: { phoneNumberId: string; userId: string; name?: string },
  message: Record<string, unknown>,
): Promise<{ wamid: string; webhookStatus: number }> {
  const bsuid = !/^\d+$/.test(input.userId);
  // As Meta's: the id embeds the sender's number, so the sandbox exercises the hashing of ids too.
  const wamid = bsuid ? `wamid.SANDBOX${randomBytes(12).toString('hex')}` : metaShapedWamid(input.userId);
  const sender = bsuid ? { from_user_id: input.userId } : { from: input.userId };
  const profile = { name: input.name || 'Sandbox user', ...(bsuid ? { username: '@sandbox' } : {}) };
  const body = JSON.stringify(
    messagesNotification(
      input.phoneNumberId,
      {
        contacts: [{ profile, ...(bsuid ? { user_id: input.userId } : { wa_id: input.userId }) }],
        messages: [{ ...sender, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
      },
      SANDBOX_ENVELOPE,
    ),
  );
  const res = await fetch(`http://127.0.0.1:${req.socket.localPort}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, deps.appSecret) },
    body,
  });
  return { wamid, webhookStatus: res.status };
}
