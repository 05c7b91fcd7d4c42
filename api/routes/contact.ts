import { Router, type Response } from 'express';
import { auditConversation, conversationOfRef } from '../../conversations/access';
import type { SubjectVault } from '../../crypto/vault';
import type { Db } from '../../db/pool';
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
    const c = await conversationOfRef(deps.db, auth(res).clientId, String(req.params.id));
    const card = await contactCard(deps.db, deps.vault, c.subject);
    if (!card) throw notFound('contact');
    await auditConversation(deps.db, auth(res), 'contact.read', c);
    res.setHeader('cache-control', 'no-store');
    res.json({
      ...card,
      notes: await openNotes(deps.db, deps.vault, c.subject),
      labels: await openLabels(deps.db, deps.vault, c.subject, c.ref),
    });
  });
  return router;
}
