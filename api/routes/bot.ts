import { Router } from 'express';
import { z } from 'zod';
import { SubjectErasedError, type SubjectVault } from '../../crypto/vault';
import { writeAudit } from '../../db/audit';
import {
  BOT_TEXT_KEYS,
  countFaqEntries,
  deleteFaqEntry,
  findFaqEntry,
  insertFaqEntry,
  listFaqEntries,
  loadBotTexts,
  saveBotTexts,
  updateFaqEntry,
} from '../../db/bot-content';
import { deleteReviewItem, findReviewItem, REVIEW_TEXT_FIELD } from '../../db/nlu-review';
import { inTransaction, type Db, type Queryable } from '../../db/pool';
import { requireScope, type AuthContext } from '../auth';
import { jsonBody } from '../body';
import { badRequest, conflict, notFound, parseOr400 } from '../errors';

/** The most FAQ entries a client keeps: each is a class of its model, trained in the worker. */
export const MAX_FAQ_ENTRIES = 500;

const language = z.enum(['en', 'es', 'pt']);
const example = z.string().trim().min(2).max(300);
export const faqAnswerSchema = z
  .strictObject({
    text: z.string().trim().min(1).max(1024),
    // WhatsApp reply buttons: at most three, titles of at most 20 characters.
    buttons: z.array(z.string().trim().min(1).max(20)).min(1).max(3).optional(),
    link: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }).max(2000),
        label: z.string().trim().min(1).max(60).optional(),
      })
      .optional(),
  })
  .refine((a) => !(a.buttons && a.link), { message: 'an answer has buttons or a link, not both' });
export const faqContentSchema = z.strictObject({
  examples: z.array(example).min(1).max(50),
  answer: faqAnswerSchema,
});
export const faqCreateSchema = faqContentSchema.extend({ language });
export const faqListQuery = z.strictObject({ language: language.optional() });
export const faqIdParam = z.object({ id: z.string().regex(/^faq_[\w-]{1,64}$/) });
export const languageParam = z.object({ language });
export const botTextsSchema = z.strictObject(
  Object.fromEntries(
    BOT_TEXT_KEYS.map((k) => [
      k,
      z
        .string()
        .trim()
        .min(1)
        .max(k.startsWith('menu.') ? 24 : 1024)
        .optional(),
    ]),
  ),
);
export const reviewIdParam = z.object({ id: z.string().regex(/^\d{1,20}$/) });
export const teachSchema = z.union([
  z.strictObject({ entryId: faqIdParam.shape.id }),
  z.strictObject({ answer: faqAnswerSchema, examples: z.array(example).max(49).optional() }),
]);

const auditBot = (db: Queryable, auth: AuthContext, resource: string) =>
  writeAudit(db, { clientId: auth.clientId, actor: auth.keyId, action: 'bot.update', resource });

/**
 * What a business teaches its bot (scope `settings`, every change audited): `GET|POST /v1/bot/faq`,
 * `GET|PUT|DELETE /v1/bot/faq/:id` (FAQ entries: example questions and one answer, per language),
 * `GET /v1/bot/texts`, `PUT /v1/bot/texts/:language` (greeting and menu texts over the catalogue's),
 * and `POST /v1/insights/no-match/:id/teach` (a kept no-match utterance becomes an example of an
 * entry, or a new entry; the review item goes). Every change moves the client's content version, so
 * the workers retrain that client's model before its next message.
 */
export function botRouter(deps: { db: Db; vault: SubjectVault }): Router {
  const router = Router();
  const auth = requireScope(deps.db, 'settings');
  const json = jsonBody('100kb');
  const who = (res: { locals: Record<string, unknown> }) => res.locals.auth as AuthContext;

  router.get('/v1/bot/faq', auth, async (req, res) => {
    const q = parseOr400(faqListQuery, req.query, 'query');
    res.json({ entries: await listFaqEntries(deps.db, who(res).clientId, q.language) });
  });

  router.post('/v1/bot/faq', auth, json, async (req, res) => {
    const body = parseOr400(faqCreateSchema, req.body);
    const entry = await inTransaction(deps.db, async (tx) => {
      await refuseBeyondLimit(tx, who(res).clientId);
      const created = await insertFaqEntry(tx, who(res).clientId, body);
      await auditBot(tx, who(res), `bot_faq:${created.id}`);
      return created;
    });
    res.status(201).json(entry);
  });

  router.get('/v1/bot/faq/:id', auth, async (req, res) => {
    const { id } = parseOr400(faqIdParam, req.params, 'path');
    const entry = await findFaqEntry(deps.db, who(res).clientId, id);
    if (!entry) throw notFound('FAQ entry');
    res.json(entry);
  });

  router.put('/v1/bot/faq/:id', auth, json, async (req, res) => {
    const { id } = parseOr400(faqIdParam, req.params, 'path');
    const body = parseOr400(faqContentSchema, req.body);
    const entry = await inTransaction(deps.db, async (tx) => {
      const updated = await updateFaqEntry(tx, who(res).clientId, id, body);
      if (!updated) throw notFound('FAQ entry');
      await auditBot(tx, who(res), `bot_faq:${id}`);
      return updated;
    });
    res.json(entry);
  });

  router.delete('/v1/bot/faq/:id', auth, async (req, res) => {
    const { id } = parseOr400(faqIdParam, req.params, 'path');
    await inTransaction(deps.db, async (tx) => {
      if (!(await deleteFaqEntry(tx, who(res).clientId, id))) throw notFound('FAQ entry');
      await auditBot(tx, who(res), `bot_faq:${id}`);
    });
    res.status(204).end();
  });

  router.get('/v1/bot/texts', auth, async (_req, res) => {
    res.json({ texts: await loadBotTexts(deps.db, who(res).clientId) });
  });

  router.put('/v1/bot/texts/:language', auth, json, async (req, res) => {
    const { language: lang } = parseOr400(languageParam, req.params, 'path');
    const texts = parseOr400(botTextsSchema, req.body) as Record<string, string>;
    await inTransaction(deps.db, async (tx) => {
      await saveBotTexts(tx, who(res).clientId, lang, texts);
      await auditBot(tx, who(res), `bot_texts:${lang}`);
    });
    res.json({ language: lang, texts });
  });

  router.post('/v1/insights/no-match/:id/teach', auth, json, async (req, res) => {
    const { id } = parseOr400(reviewIdParam, req.params, 'path');
    const body = parseOr400(teachSchema, req.body);
    res.status('entryId' in body ? 200 : 201).json(await teach(deps, who(res), id, body));
  });

  return router;
}

async function refuseBeyondLimit(db: Queryable, clientId: string): Promise<void> {
  if ((await countFaqEntries(db, clientId)) >= MAX_FAQ_ENTRIES)
    throw conflict(`a client keeps at most ${MAX_FAQ_ENTRIES} FAQ entries: delete one first`);
}

/** The review utterance becomes an example (of the entry, or of a new one in its language); the item goes. */
async function teach(
  deps: { db: Db; vault: SubjectVault },
  auth: AuthContext,
  reviewId: string,
  body: z.infer<typeof teachSchema>,
) {
  return inTransaction(deps.db, async (tx) => {
    const item = await findReviewItem(tx, auth.clientId, reviewId);
    if (!item) throw notFound('review item');
    const subject = { clientId: auth.clientId, subjectHash: item.subjectHash };
    const said = await deps.vault.openText(subject, REVIEW_TEXT_FIELD, item.textEnc).catch((err: unknown) => {
      if (err instanceof SubjectErasedError) throw notFound('review item');
      throw err;
    });
    await writeAudit(tx, {
      ...subject,
      actor: auth.keyId,
      action: 'nlu_review.read',
      resource: 'nlu_review',
    });
    const text = parseOr400(example, said.slice(0, 300), 'review item text');
    const entry =
      'entryId' in body
        ? await addExample(tx, auth, body.entryId, text)
        : await newEntry(tx, auth, item.language, text, body);
    await deleteReviewItem(tx, auth.clientId, reviewId);
    await auditBot(tx, auth, `bot_faq:${entry.id}`);
    return entry;
  });
}

async function addExample(tx: Queryable, auth: AuthContext, entryId: string, text: string) {
  const entry = await findFaqEntry(tx, auth.clientId, entryId);
  if (!entry) throw notFound('FAQ entry');
  if (entry.examples.length >= 50) throw conflict('the entry has 50 examples already');
  const examples = entry.examples.includes(text) ? entry.examples : [...entry.examples, text];
  return (await updateFaqEntry(tx, auth.clientId, entryId, { examples, answer: entry.answer }))!;
}

async function newEntry(
  tx: Queryable,
  auth: AuthContext,
  lang: string | null,
  text: string,
  body: { answer: z.infer<typeof faqAnswerSchema>; examples?: string[] },
) {
  await refuseBeyondLimit(tx, auth.clientId);
  const parsed = language.safeParse(lang);
  if (!parsed.success) throw badRequest('the review item has no language of ours');
  const examples = [text, ...(body.examples ?? []).filter((e) => e !== text)];
  return insertFaqEntry(tx, auth.clientId, { language: parsed.data, examples, answer: body.answer });
}
