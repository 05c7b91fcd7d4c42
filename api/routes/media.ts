import { randomBytes, randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Client } from '@temporalio/client';
import { create as contentDisposition } from 'content-disposition';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Subject, SubjectVault } from '../../crypto/vault';
import { SubjectErasedError } from '../../crypto/vault';
import { auditConversation, conversationOfRef, sendAgentMessage } from '../../conversations/access';
import { deleteMedia, findMedia, findSubjectMedia, insertMedia, type MediaFileRow } from '../../db/media';
import { findMessageBody } from '../../db/messages';
import type { Db } from '../../db/pool';
import type { Logger } from '../../logging';
import { MAX_MEDIA_BYTES, MediaTooLargeError, openFromStore, sealIntoStore } from '../../media/files';
import type { MediaStore } from '../../media/store';
import { SENDABLE_MEDIA, sendableMedia } from '../../whatsapp/media-limits';
import { agentMessageId, type AgentContent } from '../../workflows/conversation/contract';
import { requireScope, type AuthContext } from '../auth';
import { describedMedia } from '../../conversations/transcript-media';
import { badRequest, HttpError, notFound, parseOr400, unavailable } from '../errors';
import { parseUpload, type IncomingFile } from '../multipart';

export interface MediaRoutesDeps {
  db: Db;
  temporal: Client;
  vault: SubjectVault;
  /** The media store the worker keeps files in; without it these routes answer 503. */
  media?: MediaStore;
}

export const mediaIdParam = z.string().regex(/^[\w.-]{1,128}$/, 'must be a media id from the transcript');
export const uploadFields = z.strictObject({
  caption: z.string().trim().max(1024).optional(),
  clientMessageId: z
    .string()
    .regex(/^[\w-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')
    .optional(),
});
const MIME = /^[\w.+-]+\/[\w.+-]+$/;

/**
 * The files of a conversation, both ways: `GET /v1/conversations/:id/media/:mediaId` streams a
 * stored file to an agent while it is unsealed (audited as `media.read`), and
 * `POST /v1/conversations/:id/media` takes an agent's image or document (multipart, streamed into
 * the store sealed) and sends it through the conversation's one send path.
 */
export function mediaRouter(deps: MediaRoutesDeps): Router {
  const router = Router();
  const agent = requireScope(deps.db, 'agent');
  const auth = (res: Response) => res.locals.auth as AuthContext;
  const store = () => {
    if (!deps.media) throw unavailable('no media store is configured for this API');
    return { vault: deps.vault, media: deps.media };
  };

  const conversationOf = (req: Request, res: Response) =>
    conversationOfRef(deps.db, auth(res).clientId, String(req.params.id));

  router.get('/v1/conversations/:id/media/:mediaId', agent, async (req, res) => {
    const files = store();
    const mediaId = parseOr400(mediaIdParam, req.params.mediaId, 'mediaId');
    const c = await conversationOf(req, res);
    const row = await findSubjectMedia(deps.db, c.subject.clientId, c.subject.subjectHash, mediaId);
    if (row?.status !== 'stored' || !row.storageKey) throw notFound('media');
    const plain = await openFromStore(files, c.subject, { ...row, storageKey: row.storageKey }).catch(
      (err: unknown) => {
        if (err instanceof SubjectErasedError) return undefined;
        throw err;
      },
    );
    if (!plain) throw notFound('media');
    const name = await fileNameOf(deps, c.subject, row);
    await auditConversation(deps.db, auth(res), 'media.read', c, `${c.ref}/${mediaId}`);
    res.set({
      'content-type':
        row.mimeType && MIME.test(row.mimeType.split(';')[0]!) ? row.mimeType : 'application/octet-stream',
      'content-disposition': contentDisposition(name, {
        type: row.kind === 'document' ? 'attachment' : 'inline',
      }),
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; sandbox",
      ...(row.sizeBytes !== null ? { 'content-length': String(row.sizeBytes) } : {}),
    });
    // Backpressure and disconnects both ways: a client that leaves destroys the read of the file.
    await pipeline(plain, res).catch((err: unknown) => {
      if (!res.writableFinished)
        (res.locals.log as Logger | undefined)?.warn('media stream ended early', {
          error: (err as Error).name,
        });
    });
  });

  router.post('/v1/conversations/:id/media', agent, async (req, res) => {
    const files = store();
    const c = await conversationOf(req, res);
    const discard = (f: StoredUpload) => files.media.delete(f.storageKey);
    const { fields, file } = await parseUpload(
      req,
      MAX_MEDIA_BYTES,
      (f) => storeUpload(files, c.subject, f),
      discard,
    );
    const body = parseOr400(uploadFields, fields, 'fields');
    const clientMessageId = body.clientMessageId ?? randomUUID();
    const messageId = agentMessageId(c.workflowId, clientMessageId);
    const row = await recordUpload(deps.db, c.subject, messageId, file);
    if (row.storageKey !== file.storageKey) await discard(file); // a retry: the first copy stands
    const content: AgentContent = {
      type: 'media',
      kind: row.kind as 'image' | 'document',
      stored: row.mediaId,
      ...(body.caption ? { caption: body.caption } : {}),
      ...(row.kind === 'document' ? { filename: file.fileName } : {}),
    };
    const forget = async () => {
      await deleteMedia(deps.db, c.subject.clientId, messageId);
      if (row.storageKey) await files.media.delete(row.storageKey);
    };
    const result = await sendAgentMessage(
      deps.temporal,
      auth(res),
      c.workflowId,
      clientMessageId,
      content,
    ).catch(async (err: unknown) => {
      await forget();
      throw err;
    });
    if (result.status !== 'sent') {
      await forget();
      throw new HttpError(409, 'not_sent', `the message was not sent: ${result.reason}`, {
        reason: result.reason,
      });
    }
    res.status(201).json({
      status: 'sent',
      viaTemplate: result.viaTemplate ?? false,
      clientMessageId,
      mediaId: row.mediaId,
    });
  });

  return router;
}

interface StoredUpload {
  storageKey: string;
  sizeBytes: number;
  sha256: string;
  mimeType: string;
  kind: 'image' | 'document';
  fileName: string;
}

/** Seals an agent's file into the store as it arrives, within WhatsApp's limit for its type. */
async function storeUpload(
  files: { vault: SubjectVault; media: MediaStore },
  subject: Subject,
  f: IncomingFile,
): Promise<StoredUpload> {
  const type = sendableMedia(f.mimeType);
  if (!type) {
    f.stream.resume();
    throw new HttpError(415, 'unsupported_media_type', `WhatsApp cannot send ${f.mimeType} files`, {
      supported: Object.keys(SENDABLE_MEDIA),
    });
  }
  try {
    const sealed = await sealIntoStore(files, subject, f.stream, { maxBytes: type.maxBytes });
    if (sealed.sizeBytes === 0) {
      await files.media.delete(sealed.storageKey);
      throw badRequest('the file is empty');
    }
    const mimeType = f.mimeType.split(';')[0]!.trim().toLowerCase();
    return { ...sealed, mimeType, kind: type.kind, fileName: safeFileName(f.fileName, type.extension) };
  } catch (err) {
    if (err instanceof MediaTooLargeError)
      throw new HttpError(
        413,
        'payload_too_large',
        `WhatsApp sends ${type.kind}s of at most ${type.maxBytes} bytes`,
      );
    throw err;
  }
}

/** The outbound media row of this message: ours, or the one an earlier try with its id recorded. */
async function recordUpload(
  db: Db,
  subject: Subject,
  messageId: string,
  f: StoredUpload,
): Promise<MediaFileRow> {
  await insertMedia(db, {
    clientId: subject.clientId,
    messageId: messageId,
    subjectHash: subject.subjectHash,
    mediaId: `m${randomBytes(12).toString('hex')}`,
    kind: f.kind,
    mimeType: f.mimeType,
    sha256: f.sha256,
    sizeBytes: f.sizeBytes,
    storageKey: f.storageKey,
    status: 'stored',
    failure: null,
    direction: 'out',
    sealedAs: 'stream',
  });
  return (await findMedia(db, subject.clientId, messageId))!;
}

/** A file name without paths or control characters, at most 200 characters, never empty. */
function safeFileName(name: string, extension: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
  return base || `file.${extension}`;
}

/** The name a download is offered under: the one the message carried, else kind and type. */
async function fileNameOf(deps: MediaRoutesDeps, subject: Subject, row: MediaFileRow): Promise<string> {
  const sealed = await findMessageBody(deps.db, subject.clientId, subject.subjectHash, row.messageId);
  const content = sealed
    ? (JSON.parse(await deps.vault.openText(subject, 'message.body', sealed)) as unknown)
    : undefined;
  const described = describedMedia(row.direction, row.kind, content);
  const extension = row.mimeType
    ? (sendableMedia(row.mimeType)?.extension ?? row.mimeType.split(/[/;]/)[1])
    : undefined;
  return (
    safeFileName(described?.fileName ?? '', '') ||
    `${row.kind}${extension ? `.${extension.replace(/\W/g, '')}` : ''}`
  );
}
