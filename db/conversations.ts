import type { Language } from '../i18n';
import type { BotTexts } from './bot-content';
import type { Queryable } from './pool';

/** The channel agents' consoles listen on (PostgreSQL LISTEN/NOTIFY); payloads carry no PII. */
export const CONVERSATION_EVENTS_CHANNEL = 'aura_conversation_events';

export type ListedMode = 'bot' | 'queued' | 'agent' | 'opted_out' | 'closed';

export interface ConversationRow {
  ref: string;
  phoneNumberId: string;
  subjectHash: string;
  mode: ListedMode;
  assignedAgent: string | null;
  updatedAt: Date;
  queue: { position: number; priority: number; queuedAt: Date; reason: string } | null;
}

/** The `conversations` columns a `ConversationRow` is read from. */
interface ConversationColumns {
  ref: string;
  phone_number_id: string;
  subject_hash: string;
  mode: ListedMode;
  assigned_agent: string | null;
  updated_at: Date;
}

function fromColumns(r: ConversationColumns, queue: ConversationRow['queue']): ConversationRow {
  return {
    ref: r.ref,
    phoneNumberId: r.phone_number_id,
    subjectHash: r.subject_hash,
    mode: r.mode,
    assignedAgent: r.assigned_agent,
    updatedAt: r.updated_at,
    queue,
  };
}

/** The agents' row of a conversation as the workflow keeps it. */
export interface ConversationUpsert {
  clientId: string;
  ref: string;
  phoneNumberId: string;
  subjectHash: string;
  mode: ListedMode;
  assignedAgent: string | null;
}

/**
 * The agents' row upserted from `source` (VALUES or SELECT of client id, ref, number id, subject
 * hash, mode, agent), answering `created`: whether the row is new.
 */
const conversationUpsertSql = (source: string) =>
  `INSERT INTO conversations(client_id, ref, phone_number_id, subject_hash, mode, assigned_agent)
     ${source}
     ON CONFLICT (client_id, ref) DO UPDATE SET mode = EXCLUDED.mode,
       assigned_agent = EXCLUDED.assigned_agent, updated_at = now()
     RETURNING (xmax = 0) AS created`;

/** What a conversation's turn reads, with its row kept current (`openTurnRow`). */
export interface TurnRow {
  /** The client's stored settings document (parse with `settingsFrom`). */
  settings: unknown;
  /** The language the contact kept, when asked for. */
  contactLanguage?: Language;
  /** The client's greeting and menu overrides by language. */
  texts: Partial<Record<Language, BotTexts>>;
  /** The client's bot content version (FAQ entries, texts; 0 before any): the NLU's model key. */
  contentVersion: number;
}

/**
 * A turn's database work in one statement: the agents' row of the conversation created or updated
 * (mode, agent, last activity), a `conversation_started` insight when it is new, and what the turn
 * reads — the client's settings, its bot texts and content version and, unless `languageKnown`, the
 * contact's language.
 * Undefined when the client no longer exists (and then nothing is written).
 */
export async function openTurnRow(
  db: Queryable,
  c: ConversationUpsert & { languageKnown?: boolean },
): Promise<TurnRow | undefined> {
  const { rows } = await db.query<{
    settings: unknown;
    contact_language: Language | null;
    texts: TurnRow['texts'] | null;
    content_version: number | null;
  }>(
    `WITH client AS (SELECT settings FROM clients WHERE id = $1),
     conversation AS (${conversationUpsertSql('SELECT $1, $2, $3, $4, $5, $6 FROM client')}),
     started AS (
       INSERT INTO insight_events(client_id, kind) SELECT $1, 'conversation_started' FROM conversation WHERE created
     )
     SELECT client.settings,
       CASE WHEN $7 THEN NULL ELSE
         (SELECT language FROM contacts WHERE client_id = $1 AND subject_hash = $4) END AS contact_language,
       (SELECT json_object_agg(language, texts) FROM bot_texts WHERE client_id = $1) AS texts,
       (SELECT version FROM bot_content_version WHERE client_id = $1) AS content_version
     FROM client`,
    [c.clientId, c.ref, c.phoneNumberId, c.subjectHash, c.mode, c.assignedAgent, c.languageKnown ?? false],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    settings: row.settings,
    ...(row.contact_language ? { contactLanguage: row.contact_language } : {}),
    texts: row.texts ?? {},
    contentVersion: Number(row.content_version ?? 0),
  };
}

/** Creates or updates the agents' view of a conversation; answers true when it created it. */
export async function upsertConversation(db: Queryable, c: ConversationUpsert): Promise<boolean> {
  const { rows } = await db.query<{ created: boolean }>(
    conversationUpsertSql('VALUES ($1, $2, $3, $4, $5, $6)'),
    [c.clientId, c.ref, c.phoneNumberId, c.subjectHash, c.mode, c.assignedAgent],
  );
  return rows[0]?.created ?? false;
}

/** Closes an assigned request whose agent was released, so the conversation can queue afresh. */
export async function releaseAssignedHandoff(db: Queryable, clientId: string, ref: string): Promise<void> {
  await db.query(
    `UPDATE handoff_queue SET status = 'expired', closed_at = now()
     WHERE client_id = $1 AND ref = $2 AND status = 'assigned'`,
    [clientId, ref],
  );
}

/**
 * Opens a handoff request unless one is open (retries are harmless); returns its queue position
 * (1-based) and, when this call opened it, the new request's id.
 */
export async function openHandoff(
  db: Queryable,
  h: { clientId: string; ref: string; subjectHash: string; reason: string; priority: number },
): Promise<{ position: number; openedId?: string }> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO handoff_queue(client_id, ref, subject_hash, reason, priority, status)
     VALUES ($1, $2, $3, $4, $5, 'waiting')
     ON CONFLICT (client_id, ref) WHERE status IN ('waiting', 'assigned') DO NOTHING RETURNING id`,
    [h.clientId, h.ref, h.subjectHash, h.reason, h.priority],
  );
  return { position: await queuePosition(db, h.clientId, h.ref), openedId: rows[0]?.id };
}

/** 1-based position among the client's waiting requests (priority first, then time); 0 if not waiting. */
export async function queuePosition(db: Queryable, clientId: string, ref: string): Promise<number> {
  const { rows } = await db.query<{ position: string | null }>(
    `SELECT (SELECT count(*) FROM handoff_queue o WHERE o.client_id = q.client_id AND o.status = 'waiting'
              AND (o.priority > q.priority OR (o.priority = q.priority AND o.queued_at <= q.queued_at))) AS position
     FROM handoff_queue q WHERE q.client_id = $1 AND q.ref = $2 AND q.status = 'waiting'`,
    [clientId, ref],
  );
  return Number(rows[0]?.position ?? 0);
}

/** A handoff an agent saw through, for the customer card's history. */
export interface PastHandoff {
  ref: string;
  queuedAt: Date;
  closedAt: Date;
  agent: string | null;
  /** Milliseconds from the agent's accept to the resolve. */
  handledMs: number | null;
}

/** The customer's resolved handoffs with this client (any of its numbers), newest first. */
export async function pastHandoffs(
  db: Queryable,
  clientId: string,
  subjectHash: string,
  limit = 20,
): Promise<PastHandoff[]> {
  const { rows } = await db.query<{
    ref: string;
    queued_at: Date;
    closed_at: Date;
    assigned_agent: string | null;
    ms: number | null;
  }>(
    `SELECT ref, queued_at, closed_at, assigned_agent,
            (extract(epoch FROM closed_at - assigned_at) * 1000)::float8 AS ms
     FROM handoff_queue
     WHERE client_id = $1 AND subject_hash = $2 AND status = 'resolved' AND closed_at IS NOT NULL
     ORDER BY closed_at DESC LIMIT $3`,
    [clientId, subjectHash, limit],
  );
  return rows.map((r) => ({
    ref: r.ref,
    queuedAt: r.queued_at,
    closedAt: r.closed_at,
    agent: r.assigned_agent,
    handledMs: r.ms === null ? null : Math.round(r.ms),
  }));
}

/** Sets the priority of the open request (escalation); idempotent because the value is absolute. */
export async function setHandoffPriority(
  db: Queryable,
  clientId: string,
  ref: string,
  priority: number,
): Promise<void> {
  await db.query(
    `UPDATE handoff_queue SET priority = $3 WHERE client_id = $1 AND ref = $2 AND status = 'waiting'`,
    [clientId, ref, priority],
  );
}

/** A handoff request that changed state: its id and the milliseconds the measured step took. */
export interface HandoffStep {
  id: string;
  ms: number;
}

/** Assigns the open request to an agent; when it was waiting, answers how long it waited. */
export async function assignHandoff(
  db: Queryable,
  clientId: string,
  ref: string,
  agent: string,
): Promise<HandoffStep | undefined> {
  const { rows } = await db.query<{ id: string; ms: number; was_waiting: boolean }>(
    `WITH prior AS (SELECT id, status FROM handoff_queue
                     WHERE client_id = $1 AND ref = $2 AND status IN ('waiting', 'assigned') FOR UPDATE)
     UPDATE handoff_queue q SET status = 'assigned', assigned_agent = $3, assigned_at = COALESCE(q.assigned_at, now())
       FROM prior WHERE q.id = prior.id
     RETURNING q.id, (extract(epoch FROM q.assigned_at - q.queued_at) * 1000)::float8 AS ms,
               prior.status = 'waiting' AS was_waiting`,
    [clientId, ref, agent],
  );
  const r = rows[0];
  return r?.was_waiting ? { id: r.id, ms: Math.round(r.ms) } : undefined;
}

/**
 * Closes the open request (if any) with its outcome. Answers what was closed: `waited` is set when it
 * was still waiting (ms queued), `handled` when an agent had it (ms from accept to close).
 */
export async function closeHandoff(
  db: Queryable,
  clientId: string,
  ref: string,
  status: 'resolved' | 'expired' | 'cancelled',
): Promise<{ waited?: HandoffStep; handled?: HandoffStep }> {
  const { rows } = await db.query<{ id: string; queued_ms: number; assigned_ms: number | null }>(
    `UPDATE handoff_queue SET status = $3, closed_at = now()
     WHERE client_id = $1 AND ref = $2 AND status IN ('waiting', 'assigned')
     RETURNING id, (extract(epoch FROM closed_at - queued_at) * 1000)::float8 AS queued_ms,
               (extract(epoch FROM closed_at - assigned_at) * 1000)::float8 AS assigned_ms`,
    [clientId, ref, status],
  );
  const r = rows[0];
  if (!r) return {};
  if (r.assigned_ms === null) return { waited: { id: r.id, ms: Math.round(r.queued_ms) } };
  return { handled: { id: r.id, ms: Math.round(r.assigned_ms) } };
}

/**
 * Marks the agent's first reply on the conversation's assigned request; answers the milliseconds from
 * queueing to that reply the first time only.
 */
export async function markFirstAgentResponse(
  db: Queryable,
  clientId: string,
  subjectHash: string,
): Promise<HandoffStep | undefined> {
  const { rows } = await db.query<{ id: string; ms: number }>(
    `UPDATE handoff_queue SET first_response_at = now()
     WHERE client_id = $1 AND subject_hash = $2 AND status = 'assigned' AND first_response_at IS NULL
     RETURNING id, (extract(epoch FROM first_response_at - queued_at) * 1000)::float8 AS ms`,
    [clientId, subjectHash],
  );
  const r = rows[0];
  return r && { id: r.id, ms: Math.round(r.ms) };
}

/** Records that the user asked to be contacted after the maximum wait (once per conversation and day). */
export async function recordCallbackRequest(
  db: Queryable,
  h: { clientId: string; ref: string; subjectHash: string },
): Promise<void> {
  await db.query(
    `INSERT INTO handoff_queue(client_id, ref, subject_hash, reason, priority, status, closed_at)
     SELECT $1, $2, $3, 'callback', 0, 'callback', NULL
     WHERE NOT EXISTS (SELECT 1 FROM handoff_queue WHERE client_id = $1 AND ref = $2 AND status = 'callback'
                       AND queued_at > now() - interval '1 day')`,
    [h.clientId, h.ref, h.subjectHash],
  );
}

/** Publishes a conversation event to listening consoles (committed with the caller's transaction). */
export async function notifyConversationEvent(
  db: Queryable,
  event: { clientId: string; ref: string; type: string; mode: string; agent?: string | null },
): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [CONVERSATION_EVENTS_CHANNEL, JSON.stringify(event)]);
}

/** The client's conversations, optionally of one mode or with one label (its keyed hash); queued ones first by priority and time. */
export async function listConversations(
  db: Queryable,
  clientId: string,
  mode: ListedMode | undefined,
  limit: number,
  labelHash?: string,
): Promise<ConversationRow[]> {
  const { rows } = await db.query<
    ConversationColumns & {
      priority: number | null;
      queued_at: Date | null;
      reason: string | null;
      position: string | null;
    }
  >(
    `SELECT c.ref, c.phone_number_id, c.subject_hash, c.mode, c.assigned_agent, c.updated_at,
            q.priority, q.queued_at, q.reason,
            CASE WHEN q.status = 'waiting' THEN
              row_number() OVER (PARTITION BY q.status ORDER BY q.priority DESC, q.queued_at) END AS position
     FROM conversations c
     LEFT JOIN handoff_queue q ON q.client_id = c.client_id AND q.ref = c.ref AND q.status IN ('waiting', 'assigned')
     WHERE c.client_id = $1 AND ($2::text IS NULL OR c.mode = $2)
       AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM conversation_labels l
             WHERE l.client_id = c.client_id AND l.ref = c.ref AND l.label_hash = $4))
     ORDER BY q.priority DESC NULLS LAST, q.queued_at NULLS LAST, c.updated_at DESC
     LIMIT $3`,
    [clientId, mode ?? null, limit, labelHash ?? null],
  );
  return rows.map((r) =>
    fromColumns(
      r,
      r.queued_at && r.reason
        ? {
            position: Number(r.position ?? 0),
            priority: r.priority ?? 0,
            queuedAt: r.queued_at,
            reason: r.reason,
          }
        : null,
    ),
  );
}

export async function findConversation(
  db: Queryable,
  clientId: string,
  ref: string,
): Promise<ConversationRow | undefined> {
  const { rows } = await db.query<ConversationColumns>(
    'SELECT ref, phone_number_id, subject_hash, mode, assigned_agent, updated_at FROM conversations WHERE client_id = $1 AND ref = $2',
    [clientId, ref],
  );
  return rows[0] && fromColumns(rows[0], null);
}

/** A recorded NLU result (sealed) for an inbound message, if the NLU already ran for it. */
export async function findNluResult(
  db: Queryable,
  clientId: string,
  messageId: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ result_enc: string }>(
    'SELECT result_enc FROM nlu_results WHERE client_id = $1 AND message_id = $2',
    [clientId, messageId],
  );
  return rows[0]?.result_enc;
}

/** Records an NLU result; the first one recorded wins, and that is the one returned. */
export async function recordNluResult(
  db: Queryable,
  r: { clientId: string; messageId: string; subjectHash: string; engine: string; resultEnc: string },
): Promise<string> {
  await db.query(
    `INSERT INTO nlu_results(client_id, message_id, subject_hash, engine, result_enc) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (client_id, message_id) DO NOTHING`,
    [r.clientId, r.messageId, r.subjectHash, r.engine, r.resultEnc],
  );
  return (await findNluResult(db, r.clientId, r.messageId))!;
}

/** The sealed body of each conversation's latest inbound message, keyed by ref. */
export async function lastInboundBodies(
  db: Queryable,
  clientId: string,
  conversations: readonly { ref: string; phoneNumberId: string; subjectHash: string }[],
): Promise<Map<string, string>> {
  if (conversations.length === 0) return new Map();
  const { rows } = await db.query<{ phone_number_id: string; subject_hash: string; body_enc: string }>(
    `SELECT DISTINCT ON (m.phone_number_id, m.subject_hash) m.phone_number_id, m.subject_hash, m.body_enc
     FROM messages m JOIN unnest($2::text[], $3::text[]) AS c(phone_number_id, subject_hash)
       ON m.phone_number_id = c.phone_number_id AND m.subject_hash = c.subject_hash
     WHERE m.client_id = $1 AND m.direction = 'in' AND m.body_enc IS NOT NULL
     ORDER BY m.phone_number_id, m.subject_hash, m.seq DESC`,
    [clientId, conversations.map((c) => c.phoneNumberId), conversations.map((c) => c.subjectHash)],
  );
  const refOf = new Map(conversations.map((c) => [`${c.phoneNumberId}:${c.subjectHash}`, c.ref]));
  const bodies = new Map<string, string>();
  for (const r of rows) {
    const ref = refOf.get(`${r.phone_number_id}:${r.subject_hash}`);
    if (ref) bodies.set(ref, r.body_enc);
  }
  return bodies;
}

/**
 * Tells listening consoles that an outbound message's delivery status moved (ticks), naming its
 * conversation by ref only. A message sent before the conversation row existed notifies nothing.
 */
export async function notifyStatusEvents(
  db: Queryable,
  clientId: string,
  wamidHashes: readonly string[],
): Promise<void> {
  if (wamidHashes.length === 0) return;
  await db.query(
    `SELECT pg_notify($3, json_build_object('clientId', c.client_id, 'ref', c.ref, 'type', 'status', 'mode', c.mode)::text)
     FROM messages m JOIN conversations c ON c.client_id = m.client_id AND c.phone_number_id = m.phone_number_id
       AND c.subject_hash = m.subject_hash
     WHERE m.client_id = $1 AND m.wamid_hash = ANY($2) AND m.direction = 'out'`,
    [clientId, wamidHashes, CONVERSATION_EVENTS_CHANNEL],
  );
}

/** A customer's request to be contacted after the maximum wait, as agents list it. */
export interface CallbackRequestRow {
  id: string;
  ref: string;
  requestedAt: Date;
  /** The customer's language, when their writing showed it (contacts.language). */
  language: string | null;
  subjectHash: string;
}

/** The client's open callback requests, oldest first. */
export async function listCallbackRequests(
  db: Queryable,
  clientId: string,
  limit: number,
): Promise<CallbackRequestRow[]> {
  const { rows } = await db.query<{
    id: string;
    ref: string;
    queued_at: Date;
    language: string | null;
    subject_hash: string;
  }>(
    `SELECT q.id, q.ref, q.queued_at, ct.language, q.subject_hash
     FROM handoff_queue q
     LEFT JOIN contacts ct ON ct.client_id = q.client_id AND ct.subject_hash = q.subject_hash
     WHERE q.client_id = $1 AND q.status = 'callback' AND q.closed_at IS NULL
     ORDER BY q.queued_at, q.id
     LIMIT $2`,
    [clientId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    ref: r.ref,
    requestedAt: r.queued_at,
    language: r.language,
    subjectHash: r.subject_hash,
  }));
}

/** Marks an open callback request done; false when the client has no such open request. */
export async function closeCallbackRequest(db: Queryable, clientId: string, id: string): Promise<boolean> {
  const res = await db.query(
    `UPDATE handoff_queue SET closed_at = now()
     WHERE client_id = $1 AND id = $2 AND status = 'callback' AND closed_at IS NULL`,
    [clientId, id],
  );
  return (res.rowCount ?? 0) > 0;
}

/** The sealed NLU results of some messages, by message id (a transcript's voice notes). */
export async function nluResultsOf(
  db: Queryable,
  clientId: string,
  messageIds: string[],
): Promise<Map<string, string>> {
  if (messageIds.length === 0) return new Map();
  const { rows } = await db.query<{ message_id: string; result_enc: string }>(
    'SELECT message_id, result_enc FROM nlu_results WHERE client_id = $1 AND message_id = ANY($2)',
    [clientId, messageIds],
  );
  return new Map(rows.map((r) => [r.message_id, r.result_enc]));
}

/** Conversations waiting for an agent, across clients (the queue-depth gauge). */
export async function countWaitingHandoffs(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM handoff_queue WHERE status = 'waiting'",
  );
  return rows[0]?.n ?? 0;
}
