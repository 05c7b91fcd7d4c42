import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { Subject, SubjectVault } from '../crypto/vault';
import { writeAudit, writeAudits, type AuditAction } from '../db/audit';
import { agentLabels, findApiKeyLabel } from '../db/clients';
import { contactNames } from '../db/contacts';
import { findConversation, lastInboundBodies, type ConversationRow } from '../db/conversations';
import { transcriptRows } from '../db/messages';
import type { Queryable } from '../db/pool';
import {
  agentMessageUpdate,
  assignAgentUpdate,
  getConversationQuery,
  resolveUpdate,
  workflowIdFromRef,
  type AgentContent,
  type ConversationView,
} from '../workflows/conversation/contract';
import { ConversationNotFoundError, UpdateRefusedError } from './errors';
import { transcriptMedia } from './transcript-media';

/**
 * How the API reaches a conversation an agent names by its opaque ref: find it, read its view and
 * transcript, run its updates, and write the audit record of each read of the customer's data.
 * The workflow id is rebuilt with the caller's client id, so another client's ref names nothing.
 */

export interface ConversationAccessDeps {
  db: Queryable;
  temporal: Client;
  vault: SubjectVault;
}

/** Who is reading or acting: the caller's client and API key. */
export interface Caller {
  clientId: string;
  keyId: string;
}

/** A conversation as the routes hold it: its row, its workflow id and the subject whose data it is. */
export interface ConversationOfRef extends ConversationRow {
  workflowId: string;
  subject: Subject;
}

/** The client's conversation that `ref` names; ConversationNotFoundError when it names none of theirs. */
export async function conversationOfRef(
  db: Queryable,
  clientId: string,
  ref: string,
): Promise<ConversationOfRef> {
  const workflowId = workflowIdFromRef(clientId, ref);
  const row = workflowId && (await findConversation(db, clientId, ref));
  if (!workflowId || !row) throw new ConversationNotFoundError();
  return { ...row, workflowId, subject: { clientId, subjectHash: row.subjectHash } };
}

/**
 * One audit record of the caller touching the conversation's customer data; `resource` defaults to
 * the conversation's ref (a note or a file names itself after it).
 */
export async function auditConversation(
  db: Queryable,
  caller: Caller,
  action: AuditAction,
  c: Pick<ConversationRow, 'ref' | 'subjectHash'>,
  resource: string = c.ref,
): Promise<void> {
  await writeAudit(db, {
    clientId: caller.clientId,
    actor: caller.keyId,
    action,
    subjectHash: c.subjectHash,
    resource,
  });
}

/** The workflow's view of the conversation; null when its run is gone (retention ended it). */
export async function queryConversation(
  temporal: Client,
  workflowId: string,
): Promise<ConversationView | null> {
  return temporal.workflow
    .getHandle(workflowId)
    .query(getConversationQuery)
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
}

/**
 * The conversation for an agent's screen: the workflow's view, the transcript decrypted and the
 * owning agent's label. The read is audited (`transcript.read`).
 */
export async function readConversation(deps: ConversationAccessDeps, caller: Caller, c: ConversationOfRef) {
  const view = await queryConversation(deps.temporal, c.workflowId);
  const messages = await readTranscript(deps, c.subject);
  await auditConversation(deps.db, caller, 'transcript.read', c);
  const owner = view?.assignedAgent && /^agent:(.+)$/.exec(view.assignedAgent)?.[1];
  const assignedAgentLabel = owner
    ? ((await findApiKeyLabel(deps.db, caller.clientId, owner)) ?? null)
    : null;
  return { id: c.ref, mode: view?.mode ?? c.mode, view, assignedAgentLabel, messages };
}

/** The subject's messages in the order the conversation handled them (`seq`), decrypted. */
export async function readTranscript(deps: Omit<ConversationAccessDeps, 'temporal'>, subject: Subject) {
  const { db, vault } = deps;
  const rows = await transcriptRows(db, subject.clientId, subject.subjectHash);
  const labels = await agentLabels(
    db,
    subject.clientId,
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

/** The personal data a list entry may carry for an agent (audited as `conversation.preview`). */
export interface Personal {
  contactName?: string;
  lastMessage?: string;
}

/**
 * What agents are shown of each listed customer: the WhatsApp profile name, and for a waiting
 * conversation a short preview of the last inbound message, so they can triage the queue. Each
 * conversation shown with either is audited like a transcript read (`conversation.preview`, one
 * record per conversation per list), since it is the customer's data.
 */
export async function personalPreviews(
  deps: Omit<ConversationAccessDeps, 'temporal'>,
  caller: Caller,
  rows: readonly ConversationRow[],
): Promise<Map<string, Personal>> {
  if (rows.length === 0) return new Map();
  const { db, vault } = deps;
  const { clientId } = caller;
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
    { clientId, actor: caller.keyId, action: 'conversation.preview' },
    audited.map((r) => ({ subjectHash: r.subjectHash, resource: r.ref })),
  );
  return shown;
}

const PREVIEW_LENGTH = 80;

/** The first characters of a message on one line, cut at a character boundary with an ellipsis. */
function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  return chars.length > PREVIEW_LENGTH ? `${chars.slice(0, PREVIEW_LENGTH - 1).join('')}…` : line;
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

/**
 * Runs an update on the conversation's workflow. A validator's refusal is an UpdateRefusedError
 * (its `Refusal` type and owner as details); a conversation whose run has ended, a
 * ConversationNotFoundError.
 */
export async function updateConversation<T>(
  temporal: Client,
  workflowId: string,
  fn: (h: Handle) => Promise<T>,
): Promise<T> {
  try {
    return await fn(temporal.workflow.getHandle(workflowId));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw refused(err.cause);
    if (err instanceof WorkflowNotFoundError) throw new ConversationNotFoundError();
    if (/already completed/i.test((err as Error).message)) throw new ConversationNotFoundError();
    throw err;
  }
}

function refused(cause: Error | undefined): UpdateRefusedError {
  if (!(cause instanceof ApplicationFailure))
    return new UpdateRefusedError(cause?.message ?? 'update refused');
  const [detail] = cause.details ?? [];
  const owner = (detail as { owner?: unknown } | undefined)?.owner;
  return new UpdateRefusedError(cause.message, {
    reason: cause.type,
    ...(typeof owner === 'string' ? { owner } : {}),
  });
}

/** The agent id the workflow knows a caller's key by. */
export const agentIdOf = (caller: Caller) => `agent:${caller.keyId}`;

/**
 * Assigns the conversation to the caller (`takeover`: from the bot, no handoff asked), audited as
 * `conversation.assign` or `conversation.takeover`. A refusal naming the owning agent also carries
 * that key's label, so the second agent reads who has the conversation (labels are names the
 * client gave its own keys, not end-user data).
 */
export async function assignConversation(
  deps: ConversationAccessDeps,
  caller: Caller,
  c: ConversationOfRef,
  takeover: boolean,
): Promise<ConversationView> {
  const view = await updateConversation(deps.temporal, c.workflowId, (h) =>
    h.executeUpdate(assignAgentUpdate, { args: [{ agentId: agentIdOf(caller), takeover }] }),
  ).catch((err: unknown) => withOwnerLabel(deps.db, caller.clientId, err));
  await auditConversation(deps.db, caller, takeover ? 'conversation.takeover' : 'conversation.assign', c);
  return view;
}

async function withOwnerLabel(db: Queryable, clientId: string, err: unknown): Promise<never> {
  const owner = err instanceof UpdateRefusedError ? err.details?.owner : undefined;
  const keyId = owner?.startsWith('agent:') ? owner.slice('agent:'.length) : undefined;
  if (!keyId || !(err instanceof UpdateRefusedError)) throw err;
  const label = await findApiKeyLabel(db, clientId, keyId);
  if (!label) throw err;
  throw new UpdateRefusedError(`${err.message} (${label})`, { ...err.details, ownerLabel: label });
}

/** Sends the caller's message through the conversation's one send path (the owner check, opt-out, pacing). */
export function sendAgentMessage(
  temporal: Client,
  caller: Caller,
  workflowId: string,
  clientMessageId: string,
  content: AgentContent,
) {
  return updateConversation(temporal, workflowId, (h) =>
    h.executeUpdate(agentMessageUpdate, { args: [{ agentId: agentIdOf(caller), clientMessageId, content }] }),
  );
}

/** Hands the conversation back to the bot. */
export function resolveConversation(temporal: Client, caller: Caller, workflowId: string) {
  return updateConversation(temporal, workflowId, (h) =>
    h.executeUpdate(resolveUpdate, { args: [{ agentId: agentIdOf(caller) }] }),
  );
}
