import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { findContactLanguage } from '../../db/contacts';
import { findConversation } from '../../db/conversations';
import type { Db } from '../../db/pool';
import { supportedLanguage } from '../../i18n';
import { usableTemplate, type TemplateRefusal } from '../../activities/template-gate';
import {
  loadClientSettings,
  TEMPLATE_PURPOSES,
  type ClientSettings,
  type TemplatePurpose,
  type TemplateRef,
} from '../../settings/client-settings';
import { agentMessageUpdate, workflowIdFromRef } from '../../workflows/conversation/contract';
import { requireScope, type AuthContext } from '../auth';
import { jsonBody } from '../body';
import { badRequest, HttpError, notFound, parseOr400 } from '../errors';
import { updateConversation } from '../../conversations/access';
import { agentMessageBody } from './conversations';
import { bodyTextOf, templateSlots, type TemplateComponent } from '../../whatsapp/templates';

/** Most body parameters a template may be sent with (as the settings allow). */
const MAX_PARAMETERS = 10;

export const templateSendBody = z.strictObject({
  purpose: z.enum(TEMPLATE_PURPOSES),
  parameters: z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .max(1024)
        // Meta refuses body parameters with new lines, tabs or more than four spaces in a row.
        .regex(/^(?!.* {5})[^\n\t]*$/, 'must be one line, without tabs or more than four spaces in a row'),
    )
    .max(MAX_PARAMETERS)
    .default([]),
  clientMessageId: agentMessageBody.shape.clientMessageId,
});

/** A template an agent may send, as `GET /v1/conversations/:id/templates` lists it. */
export const usableTemplateSchema = z.object({
  purpose: z.enum(TEMPLATE_PURPOSES),
  name: z.string(),
  language: z.string(),
  parameters: z.array(z.string()).meta({ description: 'the values the settings give, one per body slot' }),
  parameterCount: z.number().int().nullable().meta({
    description:
      "how many body parameters the send requires (the synced template's slots, else as many as the settings give); null: unknown, 0 to 10 free fields",
  }),
  parameterNames: z.array(z.string()).nullable().meta({
    description: "the body placeholders' names when the template names them ({{first_name}}); null: numbered",
  }),
  body: z.string().nullable().meta({
    description: "the template's body text as Meta holds it, placeholders included; null: not synced",
  }),
});
export type UsableTemplate = z.infer<typeof usableTemplateSchema>;

/** Where the agent's templates are read: the client and its settings, the conversation's language. */
interface PickContext {
  db: Db;
  clientId: string;
  settings: ClientSettings;
  language: string;
}

/**
 * The client's template for `purpose` and a reader of the context's language, as the send path
 * picks it: the conversation's language, else the client's default, else the first, skipping one
 * Meta paused or disabled (`blocked`: every one is, with the preferred one's reason; undefined: none
 * is configured). A synced template gives its body text and slots; without one, configured values
 * fix the number of slots, else the count is unknown and the agent fills free fields.
 */
async function agentTemplate(
  c: PickContext,
  purpose: TemplatePurpose,
): Promise<UsableTemplate | { blocked: TemplateRefusal } | undefined> {
  const entry = c.settings.templates[purpose];
  const usable = await usableTemplate(
    c.db,
    c.clientId,
    entry,
    supportedLanguage(c.language),
    c.settings.language,
  );
  if (!usable || 'blocked' in usable) return usable;
  return usableOf(purpose, usable.ref, usable.stored?.components);
}

/** Every purpose's template an agent may send now (see `agentTemplate`), in the purposes' order. */
async function usableTemplates(c: PickContext): Promise<UsableTemplate[]> {
  const picked = await Promise.all(TEMPLATE_PURPOSES.map((purpose) => agentTemplate(c, purpose)));
  return picked.filter((p): p is UsableTemplate => p !== undefined && !('blocked' in p));
}

/** A template of the settings as the agent sees it; `components` are the synced template's, if any. */
function usableOf(
  purpose: TemplatePurpose,
  t: TemplateRef,
  components: TemplateComponent[] | undefined,
): UsableTemplate {
  const parameters = t.parameters ?? [];
  const slots = components && templateSlots(components);
  return {
    purpose,
    name: t.name,
    language: t.language,
    parameters,
    parameterCount: slots ? slots.body : parameters.length > 0 ? parameters.length : null,
    parameterNames: slots?.bodyNames ?? null,
    body: (components && bodyTextOf(components)) ?? null,
  };
}

/**
 * `GET /v1/conversations/:id/templates` and `POST /v1/conversations/:id/templates` (scope `agent`):
 * the approved templates an agent may send in a conversation (the only messages WhatsApp lets a
 * business send once the customer's 24-hour window has closed), and sending one as the agent. The
 * send goes through the conversation's agent-message update, so the owner check, opt-out, pacing and
 * the outbound record are those of every agent reply.
 */
export function templatesRouter({ db, temporal }: { db: Db; temporal: Client }): Router {
  const router = Router();
  const act = requireScope(db, 'agent');
  const auth = (res: Response) => res.locals.auth as AuthContext;

  async function conversationOf(ref: string, res: Response) {
    const { clientId } = auth(res);
    const workflowId = workflowIdFromRef(clientId, ref);
    const row = workflowId && (await findConversation(db, clientId, ref));
    if (!workflowId || !row) throw notFound('conversation');
    const settings = await loadClientSettings(db, clientId);
    if (!settings) throw notFound('conversation');
    const language = (await findContactLanguage(db, clientId, row.subjectHash)) ?? settings.language;
    return { workflowId, pick: { db, clientId, settings, language } };
  }

  router.get('/v1/conversations/:id/templates', act, async (req, res) => {
    const { pick } = await conversationOf(String(req.params.id), res);
    res.json({ language: pick.language, templates: await usableTemplates(pick) });
  });

  router.post('/v1/conversations/:id/templates', act, jsonBody('16kb'), async (req, res) => {
    const body = parseOr400(templateSendBody, req.body);
    const c = await conversationOf(String(req.params.id), res);
    const template = await agentTemplate(c.pick, body.purpose);
    if (!template) throw badRequest(`no ${body.purpose} template is configured for this client`);
    if ('blocked' in template)
      throw new HttpError(409, 'not_sent', `every ${body.purpose} template is paused or disabled by Meta`, {
        reason: template.blocked,
      });
    if (template.parameterCount !== null && body.parameters.length !== template.parameterCount)
      throw badRequest(`the ${template.name} template takes ${template.parameterCount} parameters`);
    const clientMessageId = body.clientMessageId ?? randomUUID();
    const content = {
      type: 'template' as const,
      name: template.name,
      language: template.language,
      ...(body.parameters.length ? { parameters: body.parameters } : {}),
    };
    const agentId = `agent:${auth(res).keyId}`;
    const result = await updateConversation(temporal, c.workflowId, (h) =>
      h.executeUpdate(agentMessageUpdate, { args: [{ agentId, clientMessageId, content }] }),
    );
    if (result.status !== 'sent')
      throw new HttpError(409, 'not_sent', `the template was not sent: ${result.reason}`, {
        reason: result.reason,
      });
    res
      .status(201)
      .json({ status: 'sent', clientMessageId, template: { ...content, purpose: body.purpose } });
  });

  return router;
}
