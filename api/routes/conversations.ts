import type { Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SubjectVault } from '../../crypto/vault';
import { writeAudit, writeAudits, type AuditAction } from '../../db/audit';
import { agentLabels, findApiKeyLabel } from '../../db/clients';
import { contactNames } from '../../db/contacts';
import {
  findConversation,
  lastInboundBodies,
  listConversations,
  type ConversationRow,
} from '../../db/conversations';
import type { ConversationEvents } from '../../db/conversation-events';
import { listOrdersOfSubject } from '../../db/orders';
import { transcriptRows } from '../../db/messages';
import type { Db } from '../../db/pool';
import {
  agentMessageUpdate,
  assignAgentUpdate,
  getConversationQuery,
  resolveUpdate,
  workflowIdFromRef,
  type AgentContent,
  type ConversationView,
} from '../../workflows/conversation/contract';
import { requireScope, type AuthContext } from '../auth';
import { transcriptMedia } from '../media-view';
import { jsonBody } from '../body';
import { conflict, HttpError, notFound, parseOr400 } from '../errors';
import { labelHash, labelText } from '../notes';

export interface ConversationRoutesDeps {
  db: Db;
  temporal: Client;
  vault: SubjectVault;
  /** The process's conversation events (one LISTEN connection for every open stream). */
  events: ConversationEvents;
  /** The blind-index key: `?label=` is looked up by its keyed hash (api/notes.ts). */
  indexKey: Buffer;
}

export const listQuery = z.strictObject({
  mode: z.enum(['bot', 'queued', 'agent', 'opted_out']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  label: labelText.optional(),
});

export const agentMessageBody = z.strictObject({
  clientMessageId: z
    .string()
    .regex(/^[\w-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')
    .optional(),
  text: z.string().trim().min(1).max(4096),
  buttons: z
    .array(z.strictObject({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }))
    .min(1)
    .max(3)
    .optional(),
});

export const emptyBody = z.strictObject({}).optional();

/** The personal data a list entry may carry for an agent (audited as `conversation.preview`). */
interface Personal {
  contactName?: string;
  lastMessage?: string;
}

/**
 * Agent routes: list conversations by mode or label, read one (transcript decrypted, every read audited),
 * assign/accept, take over, send a message, resolve, and an SSE stream of conversation events.
 * Conversations are named by their opaque ref; the workflow id is rebuilt with the caller's client
 * id, so another client's ref names nothing here (404).
 */
export function conversationsRouter({
  db,
  temporal,
  vault,
  events,
  indexKey,
}: ConversationRoutesDeps): Router {
  const router = Router();
  const json = jsonBody('64kb');
  const read = requireScope(db, 'agent', 'conversations:read');
  const act = requireScope(db, 'agent');
  const auth = (res: Response) => res.locals.auth as AuthContext;
  const agentId = (res: Response) => `agent:${auth(res).keyId}`;
  const isAgent = (res: Response) => auth(res).scopes.some((s) => s === 'agent' || s === 'admin');

  async function conversationOf(
    req: Request,
    res: Response,
  ): Promise<ConversationRow & { workflowId: string }> {
    const ref = String(req.params.id);
    const workflowId = workflowIdFromRef(auth(res).clientId, ref);
    const row = workflowId && (await findConversation(db, auth(res).clientId, ref));
    if (!workflowId || !row) throw notFound('conversation');
    return { ...row, workflowId };
  }

  async function audit(res: Response, action: AuditAction, c: ConversationRow) {
    await writeAudit(db, {
      clientId: auth(res).clientId,
      actor: auth(res).keyId,
      action,
      subjectHash: c.subjectHash,
      resource: c.ref,
    });
  }

  /**
   * What agents are shown of each listed customer: the WhatsApp profile name, and for a waiting
   * conversation a short preview of the last inbound message, so they can triage the queue. Only
   * agents get them, and each conversation shown with either is audited like a transcript read
   * (`conversation.preview`, one record per conversation per list), since it is the customer's data.
   */
  async function personalOf(rows: ConversationRow[], res: Response): Promise<Map<string, Personal>> {
    if (rows.length === 0 || !isAgent(res)) return new Map();
    const { clientId } = auth(res);
    const queued = rows.filter((r) => r.mode === 'queued');
    const sealed = await lastInboundBodies(db, clientId, queued);
    const names = await contactNames(
      db,
      clientId,
      rows.map((r) => r.subjectHash),
    );
    const shown = new Map<string, Personal>();
    for (const r of rows) {
      const subject = { clientId, subjectHash: r.subjectHash };
      const body = sealed.get(r.ref);
      const name = names.get(r.subjectHash);
      if (!body && !name) continue;
      const opened =
        body && (JSON.parse(await vault.openText(subject, 'message.body', body)) as { text?: unknown });
      shown.set(r.ref, {
        ...(name ? { contactName: await vault.openText(subject, 'contact.name', name) } : {}),
        ...(opened ? { lastMessage: typeof opened.text === 'string' ? preview(opened.text) : '' } : {}),
      });
    }
    const audited = rows.filter((r) => shown.has(r.ref));
    await writeAudits(
      db,
      { clientId, actor: auth(res).keyId, action: 'conversation.preview' },
      audited.map((r) => ({ subjectHash: r.subjectHash, resource: r.ref })),
    );
    return shown;
  }

  router.get('/v1/conversations', read, async (req, res) => {
    const q = parseOr400(listQuery, req.query, 'query');
    const { clientId } = auth(res);
    const rows = await listConversations(
      db,
      clientId,
      q.mode,
      q.limit,
      q.label === undefined ? undefined : labelHash(indexKey, clientId, q.label),
    );
    const personal = await personalOf(rows, res);
    const labels = await agentLabels(
      db,
      auth(res).clientId,
      rows.map((r) => r.assignedAgent),
    );
    res.json({
      conversations: rows.map((r) => ({
        id: r.ref,
        mode: r.mode,
        assignedAgent: r.assignedAgent,
        assignedAgentLabel: (r.assignedAgent && labels.get(r.assignedAgent)) ?? null,
        updatedAt: r.updatedAt.toISOString(),
        queue: r.queue && { ...r.queue, queuedAt: r.queue.queuedAt.toISOString() },
        ...personal.get(r.ref),
      })),
    });
  });

  router.get('/v1/conversations/events', read, (_req, res) => streamEvents(events, auth(res).clientId, res));

  router.get('/v1/conversations/:id', read, async (req, res) => {
    const c = await conversationOf(req, res);
    const view = await temporal.workflow
      .getHandle(c.workflowId)
      .query(getConversationQuery)
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      });
    const messages = await transcript(db, vault, auth(res).clientId, c.subjectHash);
    await audit(res, 'transcript.read', c);
    const owner = view?.assignedAgent && /^agent:(.+)$/.exec(view.assignedAgent)?.[1];
    const assignedAgentLabel = owner
      ? ((await findApiKeyLabel(db, auth(res).clientId, owner)) ?? null)
      : null;
    res.json({ id: c.ref, mode: view?.mode ?? c.mode, view, assignedAgentLabel, messages });
  });

  const assign = (takeover: boolean) => async (req: Request, res: Response) => {
    parseOr400(emptyBody, req.body ?? undefined);
    const c = await conversationOf(req, res);
    const view = await runUpdate(temporal, c.workflowId, (h) =>
      h.executeUpdate(assignAgentUpdate, { args: [{ agentId: agentId(res), takeover }] }),
    ).catch((err: unknown) => withOwnerLabel(db, auth(res).clientId, err));
    await audit(res, takeover ? 'conversation.takeover' : 'conversation.assign', c);
    res.json(viewJson(view));
  };
  router.post('/v1/conversations/:id/assign', act, json, assign(false));
  router.post('/v1/conversations/:id/takeover', act, json, assign(true));

  router.post('/v1/conversations/:id/messages', act, json, async (req, res) => {
    const body = parseOr400(agentMessageBody, req.body);
    const c = await conversationOf(req, res);
    const content: AgentContent = body.buttons
      ? { type: 'buttons', body: body.text, buttons: body.buttons }
      : { type: 'text', body: body.text };
    const clientMessageId = body.clientMessageId ?? randomUUID();
    const result = await runUpdate(temporal, c.workflowId, (h) =>
      h.executeUpdate(agentMessageUpdate, { args: [{ agentId: agentId(res), clientMessageId, content }] }),
    );
    if (result.status !== 'sent') {
      throw new HttpError(409, 'not_sent', `the message was not sent: ${result.reason}`, {
        reason: result.reason,
      });
    }
    res.status(201).json({ status: 'sent', viaTemplate: result.viaTemplate ?? false, clientMessageId });
  });

  router.get('/v1/conversations/:id/orders', requireScope(db, 'agent', 'orders:read'), async (req, res) => {
    const c = await conversationOf(req, res);
    const orders = await listOrdersOfSubject(db, auth(res).clientId, c.subjectHash);
    res.json({ orders: orders.map((o) => ({ ...o, createdAt: o.createdAt.toISOString() })) });
  });

  router.post('/v1/conversations/:id/resolve', act, json, async (req, res) => {
    parseOr400(emptyBody, req.body ?? undefined);
    const c = await conversationOf(req, res);
    const view = await runUpdate(temporal, c.workflowId, (h) =>
      h.executeUpdate(resolveUpdate, { args: [{ agentId: agentId(res) }] }),
    );
    res.json(viewJson(view));
  });

  return router;
}

const PREVIEW_LENGTH = 80;

/** The first characters of a message on one line, cut at a character boundary with an ellipsis. */
function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  return chars.length > PREVIEW_LENGTH ? `${chars.slice(0, PREVIEW_LENGTH - 1).join('')}…` : line;
}

function viewJson(view: ConversationView) {
  return { id: view.ref, mode: view.mode, assignedAgent: view.assignedAgent, queue: view.queue };
}

/**
 * A refusal naming the owning agent (`agent:<keyId>`) also gets that key's label, so the second
 * agent reads who has the conversation. Labels are names the client gave its own keys, not end-user data.
 */
async function withOwnerLabel(db: Db, clientId: string, err: unknown): Promise<never> {
  const owner = err instanceof HttpError ? (err.details as { owner?: string } | undefined)?.owner : undefined;
  const keyId = owner?.startsWith('agent:') ? owner.slice('agent:'.length) : undefined;
  if (!keyId || !(err instanceof HttpError)) throw err;
  const label = await findApiKeyLabel(db, clientId, keyId);
  if (!label) throw err;
  throw new HttpError(409, err.code, `${err.message} (${label})`, {
    ...(err.details as object),
    ownerLabel: label,
  });
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

/** A validator's refusal (an ApplicationFailure typed by `Refusal`): 409 with its type and owner as details. */
function refused(cause: Error | undefined): HttpError {
  if (!(cause instanceof ApplicationFailure)) return conflict(cause?.message ?? 'update refused');
  const [detail] = cause.details ?? [];
  const owner = (detail as { owner?: unknown } | undefined)?.owner;
  return new HttpError(409, 'conflict', cause.message, {
    reason: cause.type,
    ...(typeof owner === 'string' ? { owner } : {}),
  });
}

/** Runs an update; a validator's refusal becomes 409 with its reason, a finished conversation 404. */
export async function runUpdate<T>(
  temporal: Client,
  workflowId: string,
  fn: (h: Handle) => Promise<T>,
): Promise<T> {
  try {
    return await fn(temporal.workflow.getHandle(workflowId));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw refused(err.cause);
    if (err instanceof WorkflowNotFoundError) throw notFound('conversation');
    if (/already completed/i.test((err as Error).message)) throw notFound('conversation');
    throw err;
  }
}

/** The subject's messages in the order the conversation handled them (`seq`), decrypted. */
async function transcript(db: Db, vault: SubjectVault, clientId: string, subjectHash: string) {
  const rows = await transcriptRows(db, clientId, subjectHash);
  const subject = { clientId, subjectHash };
  const labels = await agentLabels(
    db,
    clientId,
    rows.map((r) => r.sent_by),
  );
  const messages = await Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      direction: r.direction,
      type: r.type,
      content: r.body_enc
        ? (JSON.parse(await vault.openText(subject, 'message.body', r.body_enc)) as unknown)
        : null,
      status: r.status,
      statusReason: r.status_reason,
      sentBy: r.sent_by,
      sentByLabel: (r.sent_by && labels.get(r.sent_by)) ?? null,
      seq: Number(r.seq),
      at: r.occurred_at.toISOString(),
    })),
  );
  const media = await transcriptMedia(db, vault, subject, messages);
  return messages.map((m) => (media.has(m.id) ? { ...m, media: media.get(m.id) } : m));
}

/**
 * Server-sent events for the agent console: the caller's client's conversation events (ref, mode,
 * event type, owning agent key: no PII) from the process's one LISTEN connection. The stream ends if that connection
 * is lost; the console reconnects.
 */
async function streamEvents(events: ConversationEvents, clientId: string, res: Response): Promise<void> {
  const unsubscribe = await events.subscribe(
    clientId,
    (e) =>
      res.write(
        `event: ${e.type}\ndata: ${JSON.stringify({ id: e.ref, mode: e.mode, type: e.type, agent: e.agent ?? null })}\n\n`,
      ),
    () => res.end(),
  );
  if (res.socket?.destroyed !== false) return unsubscribe(); // the caller left while we subscribed
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.write(': connected\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
  res.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
