import type { Queryable } from '../db/pool';
import { findTemplate } from '../db/templates';
import type { Language } from '../i18n';
import { templatesByPreference, type TemplateEntry, type TemplateRef } from '../settings/client-settings';
import type { OutboundContent } from '../whatsapp/outbound';
import { BLOCKED_STATUSES, type BlockedStatus } from '../whatsapp/templates';

/** Why a template send is refused: Meta paused or disabled the template. */
export type TemplateRefusal = (typeof BLOCKED_STATUSES)[BlockedStatus];

/**
 * The refusal for sending `name` in `language` now, when Meta paused or disabled it (as its
 * webhooks or the last sync said). A template we never synced is not refused: a client without an
 * account keeps working as before, and Meta's own answer (132xxx) stays the last word.
 */
export async function templateRefusal(
  db: Queryable,
  clientId: string,
  t: { name: string; language: string },
): Promise<TemplateRefusal | undefined> {
  const stored = await findTemplate(db, clientId, t.name, t.language);
  return stored && BLOCKED_STATUSES[stored.status as BlockedStatus];
}

/** A template ref of the settings as content to send. */
export const templateContent = (t: TemplateRef): Extract<OutboundContent, { type: 'template' }> => ({
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
