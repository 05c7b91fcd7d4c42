import { randomUUID } from 'node:crypto';
import type { Language } from '../i18n';
import type { BotTexts, FaqAnswer, FaqEntry } from '../settings/bot-content';
import type { Queryable } from './pool';

export {
  BOT_TEXT_KEYS,
  type BotTextKey,
  type BotTexts,
  type FaqAnswer,
  type FaqEntry,
} from '../settings/bot-content';

interface FaqRecord {
  id: string;
  language: Language;
  examples: string[];
  answer: FaqAnswer;
  created_at: Date;
  updated_at: Date;
}

const entryOf = (r: FaqRecord): FaqEntry => ({
  id: r.id,
  language: r.language,
  examples: r.examples,
  answer: r.answer,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const COLUMNS = 'id, language, examples, answer, created_at, updated_at';

/** Moves the client's content version: the workers' models of this client are stale from now on. */
async function bump(db: Queryable, clientId: string): Promise<void> {
  await db.query(
    `INSERT INTO bot_content_version(client_id, version) VALUES ($1, 1)
     ON CONFLICT (client_id) DO UPDATE SET version = bot_content_version.version + 1`,
    [clientId],
  );
}

/** The client's content version (0 before any change): what a cached model is checked against. */
export async function botContentVersion(db: Queryable, clientId: string): Promise<number> {
  const { rows } = await db.query<{ version: string }>(
    'SELECT version FROM bot_content_version WHERE client_id = $1',
    [clientId],
  );
  return Number(rows[0]?.version ?? 0);
}

/** The client's FAQ entries, of one language or all, oldest first. */
export async function listFaqEntries(
  db: Queryable,
  clientId: string,
  language?: Language,
): Promise<FaqEntry[]> {
  const { rows } = await db.query<FaqRecord>(
    `SELECT ${COLUMNS} FROM bot_faq WHERE client_id = $1 AND ($2::text IS NULL OR language = $2)
     ORDER BY created_at, id`,
    [clientId, language ?? null],
  );
  return rows.map(entryOf);
}

/** How many FAQ entries the client keeps. */
export async function countFaqEntries(db: Queryable, clientId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM bot_faq WHERE client_id = $1', [
    clientId,
  ]);
  return Number(rows[0]?.n ?? 0);
}

export async function findFaqEntry(
  db: Queryable,
  clientId: string,
  id: string,
): Promise<FaqEntry | undefined> {
  const { rows } = await db.query<FaqRecord>(
    `SELECT ${COLUMNS} FROM bot_faq WHERE client_id = $1 AND id = $2`,
    [clientId, id],
  );
  return rows[0] && entryOf(rows[0]);
}

/** Adds an entry (call inside a transaction: the version moves with it). */
export async function insertFaqEntry(
  db: Queryable,
  clientId: string,
  e: { language: Language; examples: string[]; answer: FaqAnswer },
): Promise<FaqEntry> {
  const { rows } = await db.query<FaqRecord>(
    `INSERT INTO bot_faq(id, client_id, language, examples, answer) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${COLUMNS}`,
    [`faq_${randomUUID()}`, clientId, e.language, JSON.stringify(e.examples), JSON.stringify(e.answer)],
  );
  await bump(db, clientId);
  return entryOf(rows[0]!);
}

/** Replaces an entry's examples and answer; undefined when the client has no such entry. */
export async function updateFaqEntry(
  db: Queryable,
  clientId: string,
  id: string,
  e: { examples: string[]; answer: FaqAnswer },
): Promise<FaqEntry | undefined> {
  const { rows } = await db.query<FaqRecord>(
    `UPDATE bot_faq SET examples = $3, answer = $4, updated_at = now()
      WHERE client_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [clientId, id, JSON.stringify(e.examples), JSON.stringify(e.answer)],
  );
  if (rows[0]) await bump(db, clientId);
  return rows[0] && entryOf(rows[0]);
}

/** Deletes an entry; answers whether there was one. */
export async function deleteFaqEntry(db: Queryable, clientId: string, id: string): Promise<boolean> {
  const res = await db.query('DELETE FROM bot_faq WHERE client_id = $1 AND id = $2', [clientId, id]);
  if (res.rowCount) await bump(db, clientId);
  return Boolean(res.rowCount);
}

/** The client's text overrides, per language (languages without any are absent). */
export async function loadBotTexts(
  db: Queryable,
  clientId: string,
): Promise<Partial<Record<Language, BotTexts>>> {
  const { rows } = await db.query<{ language: Language; texts: BotTexts }>(
    'SELECT language, texts FROM bot_texts WHERE client_id = $1',
    [clientId],
  );
  return Object.fromEntries(rows.map((r) => [r.language, r.texts]));
}

/** Replaces one language's text overrides (an empty object removes them). */
export async function saveBotTexts(
  db: Queryable,
  clientId: string,
  language: Language,
  texts: BotTexts,
): Promise<void> {
  if (Object.keys(texts).length === 0) {
    await db.query('DELETE FROM bot_texts WHERE client_id = $1 AND language = $2', [clientId, language]);
  } else {
    await db.query(
      `INSERT INTO bot_texts(client_id, language, texts) VALUES ($1, $2, $3)
       ON CONFLICT (client_id, language) DO UPDATE SET texts = EXCLUDED.texts, updated_at = now()`,
      [clientId, language, JSON.stringify(texts)],
    );
  }
  await bump(db, clientId);
}
