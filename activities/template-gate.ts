import type { Queryable } from '../db/pool';
import { findTemplate } from '../db/templates';
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

/** The refusal for sending `name` in `language` now, when Meta paused or disabled it (see `gateTemplate`). */
async function templateRefusal(
  db: Queryable,
  clientId: string,
  t: { name: string; language: string },
): Promise<TemplateRefusal | undefined> {
  const stored = await findTemplate(db, clientId, t.name, t.language);
  return stored && BLOCKED_STATUSES[stored.status as BlockedStatus];
}

/** A template ref of the settings as content to send. */
export const templateContent = (t: TemplateRef): TemplateContent => ({
  type: 'template',
  ...t,
});

/**
 * The purpose's template for a reader of `lang` that Meta lets us send: the preferred one, else the
 * next language of the entry (a paused Spanish template falls back to the English one). `blocked`
 * when every one is paused or disabled (the preferred one's reason); undefined when none is configured.
 */
export async function usableTemplate(
  db: Queryable,
  clientId: string,
  entry: TemplateEntry | undefined,
  lang: Language | undefined,
  fallback: string,
): Promise<{ ref: TemplateRef } | { blocked: TemplateRefusal } | undefined> {
  let blocked: TemplateRefusal | undefined;
  for (const ref of templatesByPreference(entry, lang, fallback)) {
    const refusal = await templateRefusal(db, clientId, ref);
    if (!refusal) return { ref };
    blocked ??= refusal;
  }
  return blocked && { blocked };
}
