import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SubjectErasedError, type SubjectVault } from '../../crypto/vault';
import { auditConversation, conversationOfRef } from '../../conversations/access';
import type { AuditAction } from '../../db/audit';
import { findApiKeyLabel } from '../../db/clients';
import type { ConversationRow } from '../../db/conversations';
import { deleteLabel, deleteNote, insertLabel, insertNote, SubjectErasingError } from '../../db/notes';
import type { Db } from '../../db/pool';
import { requireScope, type AuthContext } from '../auth';
import { jsonBody } from '../body';
import { conflict, notFound, parseOr400 } from '../errors';
import { LABEL_FIELD, labelBody, labelHash, NOTE_FIELD, noteBody } from '../notes';

export const noteIdParam = z.object({ noteId: z.string().regex(/^note_[\w-]{1,64}$/) });
export const labelIdParam = z.object({ labelId: z.string().regex(/^lbl_[\w-]{1,64}$/) });

/**
 * Private notes on the conversation's contact and labels on the conversation (scope `agent`):
 * `POST /v1/conversations/:id/notes`, `DELETE …/notes/:noteId`, `POST …/labels`,
 * `DELETE …/labels/:labelId`. Never sent to the customer. Both are the customer's personal data:
 * sealed under their data key, shown on the card (`GET …/contact`, audited as `contact.read`), in
 * the export, gone with erasure and retention. Every change writes one audit record.
 */
export function notesRouter(deps: { db: Db; vault: SubjectVault; indexKey: Buffer }): Router {
  const router = Router();
  const agent = requireScope(deps.db, 'agent');
  const json = jsonBody('16kb');
  const who = (res: Response) => res.locals.auth as AuthContext;

  const conversationOf = (req: Request, res: Response) =>
    conversationOfRef(deps.db, who(res).clientId, String(req.params.id));
  const audit = (res: Response, action: AuditAction, c: ConversationRow, id: string) =>
    auditConversation(deps.db, who(res), action, c, `${c.ref}:${id}`);
  router.post('/v1/conversations/:id/notes', agent, json, async (req, res) => {
    const { text } = parseOr400(noteBody, req.body);
    const c = await conversationOf(req, res);
    const subject = { clientId: who(res).clientId, subjectHash: c.subjectHash };
    const author = `agent:${who(res).keyId}`;
    const note = await insertNote(
      deps.db,
      subject,
      author,
      await sealed(deps.vault, subject, NOTE_FIELD, text),
    ).catch(erasing);
    await audit(res, 'note.add', c, note.id);
    res.status(201).json({
      id: note.id,
      text,
      author,
      authorLabel: (await findApiKeyLabel(deps.db, subject.clientId, who(res).keyId)) ?? null,
      createdAt: note.createdAt.toISOString(),
    });
  });

  router.delete('/v1/conversations/:id/notes/:noteId', agent, async (req, res) => {
    const { noteId } = parseOr400(noteIdParam, req.params, 'path');
    const c = await conversationOf(req, res);
    if (!(await deleteNote(deps.db, { clientId: who(res).clientId, subjectHash: c.subjectHash }, noteId)))
      throw notFound('note');
    await audit(res, 'note.delete', c, noteId);
    res.status(204).end();
  });

  router.post('/v1/conversations/:id/labels', agent, json, async (req, res) => {
    const { label } = parseOr400(labelBody, req.body);
    const c = await conversationOf(req, res);
    const subject = { clientId: who(res).clientId, subjectHash: c.subjectHash };
    const addedBy = `agent:${who(res).keyId}`;
    const row = await insertLabel(deps.db, subject, c.ref, {
      hash: labelHash(deps.indexKey, subject.clientId, label),
      enc: await sealed(deps.vault, subject, LABEL_FIELD, label),
      addedBy,
    }).catch(erasing);
    if (!row) throw conflict('the conversation already has this label');
    await audit(res, 'label.add', c, row.id);
    res.status(201).json({ id: row.id, label, addedBy, createdAt: row.createdAt.toISOString() });
  });

  router.delete('/v1/conversations/:id/labels/:labelId', agent, async (req, res) => {
    const { labelId } = parseOr400(labelIdParam, req.params, 'path');
    const c = await conversationOf(req, res);
    if (!(await deleteLabel(deps.db, who(res).clientId, c.ref, labelId))) throw notFound('label');
    await audit(res, 'label.delete', c, labelId);
    res.status(204).end();
  });

  return router;
}

/** A customer whose data is being erased gets nothing new: 409. */
function erasing(err: unknown): never {
  if (err instanceof SubjectErasingError) throw conflict(err.message);
  throw err;
}

/** Seals for the subject; a customer whose data is being erased gets nothing new (409). */
async function sealed(
  vault: SubjectVault,
  subject: { clientId: string; subjectHash: string },
  field: string,
  text: string,
): Promise<string> {
  try {
    return await vault.seal(subject, field, text);
  } catch (err) {
    if (err instanceof SubjectErasedError) throw conflict(new SubjectErasingError().message);
    throw err;
  }
}
