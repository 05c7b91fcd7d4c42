import type { Queryable } from './pool';

/**
 * Kinds of insight events. Dimensions are low-cardinality labels (message type, intent, engine,
 * handoff reason, template purpose, delivery status); never user ids, numbers or text.
 * `nlu_result` carries `{intent, engine, matched}`; `notification_status` is recorded once per
 * notification and level reached: `{status: 'delivered'}` when it first reaches delivered or read,
 * `{status: 'read'}` when it reaches read. `csat_rating` carries `{score: '1'…'5', agent: 'agent:<key id>'}`,
 * once per resolved handoff.
 */
export type InsightKind =
  | 'conversation_started'
  | 'message_in'
  | 'message_out'
  | 'nlu_result'
  | 'handoff_requested'
  | 'agent_first_response'
  | 'handoff_resolved'
  | 'opt_out'
  | 'opt_in'
  | 'notification_sent'
  | 'notification_status'
  | 'csat_rating';

export interface InsightEvent {
  clientId: string;
  kind: InsightKind;
  dims?: Record<string, string | boolean>;
  valueMs?: number;
  at?: Date;
  /**
   * Natural key (message id, wamid hash, handoff id…): the same key and kind is recorded once, so
   * retries are harmless. Never a wamid in clear (it holds the user's number).
   */
  key?: string;
}

/** Records one event; answers false when an event of that kind and key was already recorded. */
/** An insight keyed by `event_key` counts once: the conflict clause every keyed insert ends with. */
export const ONCE_PER_KEY = 'ON CONFLICT (client_id, kind, event_key) WHERE event_key IS NOT NULL DO NOTHING';

export async function recordInsight(db: Queryable, e: InsightEvent): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO insight_events(client_id, kind, dims, value_ms, at, event_key) VALUES ($1, $2, $3, $4, $5, $6)
     ${ONCE_PER_KEY}`,
    [e.clientId, e.kind, e.dims ?? {}, e.valueMs ?? null, e.at ?? new Date(), e.key ?? null],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Records `notification_status` for an order notification's message (by wamid hash) reaching
 * delivered or read: once per notification and level, read implying delivered. A message that is no
 * order notification records nothing.
 */
export async function recordNotificationStatus(
  db: Queryable,
  clientId: string,
  statuses: readonly { wamidHash: string; status: string }[],
): Promise<void> {
  const counted = statuses.filter((s) => s.status === 'read' || s.status === 'delivered');
  if (counted.length === 0) return;
  await db.query(
    `INSERT INTO insight_events(client_id, kind, dims, event_key)
     SELECT n.client_id, 'notification_status', jsonb_build_object('status', l.level), n.wamid_hash || ':' || l.level
       FROM unnest($2::text[], $3::text[]) AS i(wamid_hash, status)
       JOIN order_notifications n ON n.client_id = $1 AND n.wamid_hash = i.wamid_hash
       CROSS JOIN LATERAL unnest(CASE i.status WHEN 'read' THEN ARRAY['delivered', 'read']
                                               ELSE ARRAY['delivered'] END) AS l(level)
     ${ONCE_PER_KEY}`,
    [clientId, counted.map((s) => s.wamidHash), counted.map((s) => s.status)],
  );
}

/**
 * Catches up `notification_status` for a notification whose wamid was recorded after its statuses had
 * already arrived (the status webhook found no notification row then). Idempotent like the above.
 */
export async function catchUpNotificationStatus(
  db: Queryable,
  clientId: string,
  wamidHash: string,
): Promise<void> {
  const { rows } = await db.query<{ status: string }>(
    "SELECT status FROM messages WHERE client_id = $1 AND wamid_hash = $2 AND direction = 'out'",
    [clientId, wamidHash],
  );
  if (rows[0]) await recordNotificationStatus(db, clientId, [{ wamidHash, status: rows[0].status }]);
}

export interface Insights {
  from: string;
  to: string;
  conversations: number;
  messages: { in: number; out: number; byType: Record<string, { in: number; out: number }> };
  intents: Record<string, number>;
  noMatchRate: number | null;
  handoff: { requested: number; rate: number | null; reasons: Record<string, number> };
  timeToFirstAgentResponseMs: { p50: number | null; avg: number | null };
  resolutionTimeMs: { p50: number | null; avg: number | null };
  optOuts: number;
  optIns: number;
  notifications: {
    sent: number;
    delivered: number;
    read: number;
    deliveryRate: number | null;
    readRate: number | null;
  };
  csat: Csat;
}

/** Satisfaction scores (1–5) after resolved handoffs: overall, per agent key and per week (ISO, Monday). */
export interface CsatFigures {
  count: number;
  average: number | null;
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}
export type Csat = CsatFigures & {
  byAgent: Record<string, CsatFigures>;
  byWeek: Record<string, CsatFigures>;
};

type CsatRow = { agent: string; week: string; score: string; n: number };

function csatFigures(rows: readonly CsatRow[]): CsatFigures {
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  for (const r of rows) if (r.score in distribution) distribution[r.score as '1'] += r.n;
  const count = Object.values(distribution).reduce((a, b) => a + b, 0);
  const sum = Object.entries(distribution).reduce((a, [score, n]) => a + Number(score) * n, 0);
  return { count, average: count === 0 ? null : Math.round((sum / count) * 100) / 100, distribution };
}

const groupBy = (rows: readonly CsatRow[], by: (r: CsatRow) => string) => {
  const groups = new Map<string, CsatRow[]>();
  for (const r of rows) groups.set(by(r), [...(groups.get(by(r)) ?? []), r]);
  return Object.fromEntries([...groups].map(([k, g]) => [k, csatFigures(g)]));
};

/** One client's satisfaction scores over [from, to). */
export async function aggregateCsat(db: Queryable, clientId: string, from: Date, to: Date): Promise<Csat> {
  const { rows } = await db.query<CsatRow>(
    `SELECT dims->>'agent' AS agent, dims->>'score' AS score, count(*)::int AS n,
            to_char(date_trunc('week', at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week
       FROM insight_events WHERE client_id = $1 AND kind = 'csat_rating' AND at >= $2 AND at < $3
      GROUP BY 1, 2, 4`,
    [clientId, from, to],
  );
  return {
    ...csatFigures(rows),
    byAgent: groupBy(rows, (r) => r.agent),
    byWeek: groupBy(rows, (r) => r.week),
  };
}

/** Aggregates one client's events over [from, to). */
export async function aggregateInsights(
  db: Queryable,
  clientId: string,
  from: Date,
  to: Date,
): Promise<Insights> {
  const { rows } = await db.query<{ kind: string; dim: string | null; key: string | null; n: number }>(
    `SELECT kind, d.key AS dim, d.value AS key, count(*)::int AS n
       FROM insight_events LEFT JOIN LATERAL jsonb_each_text(dims) d ON true
      WHERE client_id = $1 AND at >= $2 AND at < $3
      GROUP BY kind, d.key, d.value`,
    [clientId, from, to],
  );
  const { rows: totals } = await db.query<{ kind: string; n: number }>(
    'SELECT kind, count(*)::int AS n FROM insight_events WHERE client_id = $1 AND at >= $2 AND at < $3 GROUP BY kind',
    [clientId, from, to],
  );
  const { rows: durations } = await db.query<{ kind: string; p50: number | null; avg: number | null }>(
    `SELECT kind, percentile_cont(0.5) WITHIN GROUP (ORDER BY value_ms)::float8 AS p50, avg(value_ms)::float8 AS avg
       FROM insight_events WHERE client_id = $1 AND at >= $2 AND at < $3 AND value_ms IS NOT NULL
        AND kind IN ('agent_first_response', 'handoff_resolved') GROUP BY kind`,
    [clientId, from, to],
  );
  const total = (kind: string) => totals.find((t) => t.kind === kind)?.n ?? 0;
  const byDim = (kind: string, dim: string) =>
    Object.fromEntries(
      rows.filter((r) => r.kind === kind && r.dim === dim && r.key !== null).map((r) => [r.key!, r.n]),
    );
  const duration = (kind: string) => {
    const d = durations.find((x) => x.kind === kind);
    return { p50: d?.p50 ?? null, avg: d?.avg === null || d?.avg === undefined ? null : Math.round(d.avg) };
  };
  const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);

  const inByType = byDim('message_in', 'type');
  const outByType = byDim('message_out', 'type');
  const byType: Insights['messages']['byType'] = {};
  for (const type of new Set([...Object.keys(inByType), ...Object.keys(outByType)])) {
    byType[type] = { in: inByType[type] ?? 0, out: outByType[type] ?? 0 };
  }
  const statuses = byDim('notification_status', 'status');
  const nluResults = total('nlu_result');
  const sent = total('notification_sent');
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    conversations: total('conversation_started'),
    messages: { in: total('message_in'), out: total('message_out'), byType },
    intents: byDim('nlu_result', 'intent'),
    noMatchRate: ratio(byDim('nlu_result', 'matched').false ?? 0, nluResults),
    handoff: {
      requested: total('handoff_requested'),
      rate: ratio(total('handoff_requested'), total('conversation_started')),
      reasons: byDim('handoff_requested', 'reason'),
    },
    timeToFirstAgentResponseMs: duration('agent_first_response'),
    resolutionTimeMs: duration('handoff_resolved'),
    optOuts: total('opt_out'),
    optIns: total('opt_in'),
    notifications: {
      sent,
      delivered: statuses.delivered ?? 0,
      read: statuses.read ?? 0,
      deliveryRate: ratio(statuses.delivered ?? 0, sent),
      readRate: ratio(statuses.read ?? 0, sent),
    },
    csat: await aggregateCsat(db, clientId, from, to),
  };
}
