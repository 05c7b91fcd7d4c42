import type { Queryable } from '../db/pool';
import { findTemplate, type TemplateRow } from '../db/templates';
import type { Language } from '../i18n';
import { templatesByPreference, type TemplateEntry, type TemplateRef } from '../settings/client-settings';
import type { OutboundContent } from '../whatsapp/outbound';
import { BLOCKED_STATUSES, withParameterNames, type BlockedStatus } from '../whatsapp/templates';

/** Why a template send is refused: Meta paused or disabled the template. */
export type TemplateRefusal = (typeof BLOCKED_STATUSES)[BlockedStatus];

type TemplateContent = Extract<OutboundContent, { type: 'template' }>;

/**
 * A template send as Meta takes it now: refused when Meta paused or disabled the template (as its
 * webhooks or the last sync said); its body parameters named when the synced template names its
 * placeholders. A template we never synced goes as it is: a client without an account keeps working
 * as before, and Meta's own answer (132xxx) stays the last word.
 */
export async function gateTemplate(
  db: Queryable,
  clientId: string,
  t: TemplateContent,
): Promise<TemplateContent | TemplateRefusal> {
  const stored = await findTemplate(db, clientId, t.name, t.language);
  if (!stored) return t;
  return BLOCKED_STATUSES[stored.status as BlockedStatus] ?? withParameterNames(t, stored.components);
}

/** A template ref of the settings as content to send, its parameters named as the synced template (if any) names them. */
export function templateContent(t: TemplateRef, stored?: TemplateRow): TemplateContent {
  const content: TemplateContent = { type: 'template', ...t };
  return stored ? withParameterNames(content, stored.components) : content;
}

/**
 * The purpose's template for a reader of `lang` that Meta lets us send: the preferred one, else the
 * next language of the entry (a paused Spanish template falls back to the English one). `blocked`
 * when every one is paused or disabled (the preferred one's reason); undefined when none is configured.
 * The usable one comes with its synced template, when there is one.
 */
export async function usableTemplate(
  db: Queryable,
  clientId: string,
  entry: TemplateEntry | undefined,
  lang: Language | undefined,
  fallback: string,
): Promise<{ ref: TemplateRef; stored?: TemplateRow } | { blocked: TemplateRefusal } | undefined> {
  let blocked: TemplateRefusal | undefined;
  for (const ref of templatesByPreference(entry, lang, fallback)) {
    const stored = await findTemplate(db, clientId, ref.name, ref.language);
    const refusal = stored && BLOCKED_STATUSES[stored.status as BlockedStatus];
    if (!refusal) return stored ? { ref, stored } : { ref };
    blocked ??= refusal;
  }
  return blocked && { blocked };
}
