import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  assignConversation,
  conversationOfRef,
  personalPreviews,
  readConversation,
  resolveConversation,
  sendAgentMessage,
  type Personal,
} from '../../conversations/access';
import type { SubjectVault } from '../../crypto/vault';
import { agentLabels } from '../../db/clients';
import { listConversations } from '../../db/conversations';
import type { ConversationEvents } from '../../db/conversation-events';
import { listOrdersOfSubject } from '../../db/orders';
import type { Db } from '../../db/pool';
import type { AgentContent, ConversationView } from '../../workflows/conversation/contract';
import { requireScope, type AuthContext } from '../auth';
import { jsonBody } from '../body';
import { HttpError, parseOr400 } from '../errors';
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

/**
 * Agent routes: list conversations by mode or label, read one (transcript decrypted, every read audited),
 * assign/accept, take over, send a message, resolve, and an SSE stream of conversation events.
 * Conversations are named by their opaque ref (conversations/access.ts): another client's ref names
 * nothing here (404).
 */
export function conversationsRouter(deps: ConversationRoutesDeps): Router {
  const { db, temporal, events, indexKey } = deps;
  const router = Router();
  const json = jsonBody('64kb');
  const read = requireScope(db, 'agent', 'conversations:read');
  const act = requireScope(db, 'agent');
  const auth = (res: Response) => res.locals.auth as AuthContext;
  const isAgent = (res: Response) => auth(res).scopes.some((s) => s === 'agent' || s === 'admin');
  const conversationOf = (req: Request, res: Response) =>
    conversationOfRef(db, auth(res).clientId, String(req.params.id));

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
    const personal = isAgent(res)
      ? await personalPreviews(deps, auth(res), rows)
      : new Map<string, Personal>();
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
    res.json(await readConversation(deps, auth(res), await conversationOf(req, res)));
  });

  const assign = (takeover: boolean) => async (req: Request, res: Response) => {
    parseOr400(emptyBody, req.body ?? undefined);
    const c = await conversationOf(req, res);
    res.json(viewJson(await assignConversation(deps, auth(res), c, takeover)));
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
    const result = await sendAgentMessage(temporal, auth(res), c.workflowId, clientMessageId, content);
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
    res.json(viewJson(await resolveConversation(temporal, auth(res), c.workflowId)));
  });

  return router;
}

function viewJson(view: ConversationView) {
  return { id: view.ref, mode: view.mode, assignedAgent: view.assignedAgent, queue: view.queue };
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
