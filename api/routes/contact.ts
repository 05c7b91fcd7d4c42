import { Router, type Response } from 'express';
import type { SubjectVault } from '../../crypto/vault';
import { writeAudit } from '../../db/audit';
import { findConversation } from '../../db/conversations';
import type { Db } from '../../db/pool';
import { workflowIdFromRef } from '../../workflows/conversation/contract';
import { requireScope, type AuthContext } from '../auth';
import { contactCard } from '../contact-card';
import { notFound } from '../errors';
import { openLabels, openNotes } from '../notes';

/**
 * `GET /v1/conversations/:id/contact` (scope `agent`): the customer card beside the transcript —
 * profile name, number or user id, language, consent, first contact, the 24-hour window, resolved
 * handoffs, orders, the agents' notes on the contact and the conversation's labels. Personal data in clear, so every read writes one `contact.read` record and
 * the answer is never cached.
 */
export function contactRouter(deps: { db: Db; vault: SubjectVault }): Router {
  const router = Router();
  const auth = (res: Response) => res.locals.auth as AuthContext;
  router.get('/v1/conversations/:id/contact', requireScope(deps.db, 'agent'), async (req, res) => {
    const { clientId, keyId } = auth(res);
    const ref = String(req.params.id);
    const row = workflowIdFromRef(clientId, ref) && (await findConversation(deps.db, clientId, ref));
    if (!row) throw notFound('conversation');
    const card = await contactCard(deps.db, deps.vault, { clientId, subjectHash: row.subjectHash });
    if (!card) throw notFound('contact');
    await writeAudit(deps.db, {
      clientId,
      actor: keyId,
      action: 'contact.read',
      subjectHash: row.subjectHash,
      resource: ref,
    });
    res.setHeader('cache-control', 'no-store');
    const subject = { clientId, subjectHash: row.subjectHash };
    res.json({
      ...card,
      notes: await openNotes(deps.db, deps.vault, subject),
      labels: await openLabels(deps.db, deps.vault, subject, ref),
    });
  });
  return router;
}
