import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { normalizeUserId } from '../../whatsapp/user-id';
import { keyedHash } from '../../crypto/keys';
import type { SubjectVault } from '../../crypto/vault';
import { writeAudit } from '../../db/audit';
import { inTransaction, type Db } from '../../db/pool';
import { findPrivacyRequest, openErasureRequest } from '../../db/privacy-requests';
import { holdSubjectConversations } from '../../privacy/held-conversations';
import {
  ERASURE_WORKFLOW_TYPE,
  erasureWorkflowId,
  type ErasureInput,
} from '../../workflows/erasure/contract';
import { requireScope, type AuthContext } from '../auth';
import { exportSubject } from '../privacy-export';
import { notFound, parseOr400, unavailable } from '../errors';
import type { erasureWorkflow } from '../../workflows/erasure/workflow';

export interface PrivacyRouteDeps {
  db: Db;
  temporal: Client;
  vault: SubjectVault;
  /** Key of the blind index that hashes end-user ids (the same one the webhook uses). */
  indexKey: Buffer;
  taskQueue: string;
}

/**
 * The end-user id: a wa_id, a phone number as typed (`+351 91…`, normalised to the wa_id's digits
 * as orders do) or a business-scoped user id.
 */
export const userParam = z.object({
  userId: z
    .string()
    .trim()
    .min(3)
    .max(128)
    .regex(/^[\w.:+() -]+$/, 'must be a WhatsApp user id or phone number')
    .transform(normalizeUserId),
});
export const requestParam = z.object({
  id: z.string().regex(/^pr_[0-9a-f]{32}$/, 'must be a privacy request id'),
});

/**
 * `/v1/privacy` (scope `privacy`): export everything held about an end-user, erase it, follow the
 * erasure. Every export and erasure is audited (by key id and subject hash, never the user id).
 */
export function privacyRouter(deps: PrivacyRouteDeps): Router {
  const router = Router();
  const auth = requireScope(deps.db, 'privacy');
  const subjectOf = (clientId: string, userId: string) => ({
    clientId,
    subjectHash: keyedHash(deps.indexKey, clientId, userId),
  });

  router.get('/v1/privacy/subjects/:userId/export', auth, async (req, res) => {
    const { userId } = parseOr400(userParam, req.params, 'path');
    const { clientId, keyId } = res.locals.auth as AuthContext;
    const subject = subjectOf(clientId, userId);
    await writeAudit(deps.db, {
      clientId,
      actor: keyId,
      action: 'subject.export',
      subjectHash: subject.subjectHash,
    });
    const doc = await exportSubject(deps.db, deps.vault, subject);
    if (!doc) throw notFound('subject');
    res.json(doc);
  });

  router.delete('/v1/privacy/subjects/:userId', auth, async (req, res) => {
    const { userId } = parseOr400(userParam, req.params, 'path');
    const { clientId, keyId } = res.locals.auth as AuthContext;
    const subject = subjectOf(clientId, userId);
    const request = await inTransaction(deps.db, async (tx) => {
      const opened = await openErasureRequest(tx, { ...subject, requestedBy: keyId });
      await writeAudit(tx, {
        clientId,
        actor: keyId,
        action: 'subject.erase',
        subjectHash: subject.subjectHash,
        resource: opened.id,
      });
      return opened;
    });
    // The request is recorded first: if Temporal is unreachable, a repeated DELETE finds it and
    // starts its workflow (same id, so never twice). The subject's conversations are held before
    // the answer, so every message after it waits for the erasure (the workflow holds them too).
    const input: ErasureInput = { requestId: request.id, ...subject };
    await holdSubjectConversations(deps, input)
      .then(() =>
        deps.temporal.workflow.start(ERASURE_WORKFLOW_TYPE, {
          workflowId: erasureWorkflowId(clientId, request.id),
          taskQueue: deps.taskQueue,
          args: [input] satisfies Parameters<typeof erasureWorkflow>,
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      )
      .catch(() => {
        throw unavailable('could not start the erasure; retry the request');
      });
    res.status(202).json({ requestId: request.id });
  });

  router.get('/v1/privacy/requests/:id', auth, async (req, res) => {
    const { id } = parseOr400(requestParam, req.params, 'path');
    const found = await findPrivacyRequest(deps.db, (res.locals.auth as AuthContext).clientId, id);
    if (!found) throw notFound('privacy request');
    res.json(found);
  });

  return router;
}
