import { Router, type Response } from 'express';
import { z } from 'zod';
import { auditConversation, conversationOfRef } from '../../conversations/access';
import type { SubjectVault } from '../../crypto/vault';
import { writeAudit } from '../../db/audit';
import {
  deleteCannedResponse,
  DuplicateShortcutError,
  findCannedResponse,
  insertCannedResponse,
  listCannedResponses,
  updateCannedResponse,
  type CannedResponse,
} from '../../db/canned-responses';
import { findApiKeyLabel, findStoredSettings } from '../../db/clients';
import { findContactLanguage } from '../../db/contacts';
import type { Db } from '../../db/pool';
import { supportedLanguage, type Language } from '../../i18n';
import { settingsFrom } from '../../settings/client-settings';
import { requireScope, type AuthContext } from '../auth';
import { jsonBody } from '../body';
import { cannedContentSchema, renderCanned } from '../canned';
import { conflict, notFound, parseOr400 } from '../errors';

/** The most canned responses a client keeps (every picker opening renders them all). */
export const MAX_CANNED_RESPONSES = 300;

export const cannedIdParam = z.object({ id: z.string().regex(/^cr_[\w-]{1,64}$/) });
export const cannedListQuery = z.strictObject({ language: z.enum(['en', 'es', 'pt']).optional() });

/**
 * Canned responses: `GET|POST /v1/canned-responses`, `GET|PUT|DELETE /v1/canned-responses/:id`
 * (scope `settings`, every change audited as `canned.update`), and for agents
 * `GET /v1/conversations/:id/canned-responses`: the ones of the conversation's language (per
 * shortcut, else the client's default language's), with their variables filled on the server. The
 * agent sends the text through `POST /v1/conversations/:id/messages`, under that route's rules.
 */
export function cannedResponsesRouter(deps: { db: Db; vault: SubjectVault }): Router {
  const router = Router();
  const settings = requireScope(deps.db, 'settings');
  const json = jsonBody('64kb');
  const who = (res: Response) => res.locals.auth as AuthContext;
  const audit = (res: Response, id: string) =>
    writeAudit(deps.db, {
      clientId: who(res).clientId,
      actor: who(res).keyId,
      action: 'canned.update',
      resource: `canned_response:${id}`,
    });
  const duplicate = (err: unknown): never => {
    if (err instanceof DuplicateShortcutError) throw conflict(err.message);
    throw err;
  };

  router.get('/v1/canned-responses', settings, async (req, res) => {
    const q = parseOr400(cannedListQuery, req.query, 'query');
    res.json({ responses: await listCannedResponses(deps.db, who(res).clientId, q.language) });
  });

  router.post('/v1/canned-responses', settings, json, async (req, res) => {
    const body = parseOr400(cannedContentSchema, req.body);
    if ((await listCannedResponses(deps.db, who(res).clientId)).length >= MAX_CANNED_RESPONSES)
      throw conflict(`a client keeps at most ${MAX_CANNED_RESPONSES} canned responses`);
    const created = await insertCannedResponse(deps.db, who(res).clientId, body).catch(duplicate);
    await audit(res, created.id);
    res.status(201).json(created);
  });

  router.get('/v1/canned-responses/:id', settings, async (req, res) => {
    const { id } = parseOr400(cannedIdParam, req.params, 'path');
    const found = await findCannedResponse(deps.db, who(res).clientId, id);
    if (!found) throw notFound('canned response');
    res.json(found);
  });

  router.put('/v1/canned-responses/:id', settings, json, async (req, res) => {
    const { id } = parseOr400(cannedIdParam, req.params, 'path');
    const body = parseOr400(cannedContentSchema, req.body);
    const updated = await updateCannedResponse(deps.db, who(res).clientId, id, body).catch(duplicate);
    if (!updated) throw notFound('canned response');
    await audit(res, id);
    res.json(updated);
  });

  router.delete('/v1/canned-responses/:id', settings, async (req, res) => {
    const { id } = parseOr400(cannedIdParam, req.params, 'path');
    if (!(await deleteCannedResponse(deps.db, who(res).clientId, id))) throw notFound('canned response');
    await audit(res, id);
    res.status(204).end();
  });

  router.get('/v1/conversations/:id/canned-responses', requireScope(deps.db, 'agent'), async (req, res) => {
    const { clientId, keyId } = who(res);
    const row = await conversationOfRef(deps.db, clientId, String(req.params.id));
    const { subject } = row;
    const fallback = supportedLanguage(
      settingsFrom((await findStoredSettings(deps.db, clientId))?.settings).language,
    );
    const language = (await findContactLanguage(deps.db, clientId, row.subjectHash)) ?? fallback;
    const chosen = ofLanguage(await listCannedResponses(deps.db, clientId), language, fallback);
    // A key without a label has no name to give the customer (its id is not one): left as missing.
    const agentName = (await findApiKeyLabel(deps.db, clientId, keyId)) ?? undefined;
    const { rendered, nameRead } = await renderCanned(deps, subject, agentName, chosen);
    // The customer's name is personal data read for this agent: audited like the card's read.
    if (nameRead) await auditConversation(deps.db, who(res), 'canned.render', row);
    res.setHeader('cache-control', 'no-store');
    res.json({ language, responses: rendered });
  });

  return router;
}

/** Per shortcut, the response in `language`, else the one in `fallback`; by shortcut. */
function ofLanguage(
  all: readonly CannedResponse[],
  language: Language,
  fallback: Language,
): CannedResponse[] {
  const byShortcut = new Map<string, CannedResponse>();
  for (const r of all) {
    const held = byShortcut.get(r.shortcut);
    if (r.language === language || (r.language === fallback && held?.language !== language))
      byShortcut.set(r.shortcut, r);
  }
  return [...byShortcut.values()].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
}
