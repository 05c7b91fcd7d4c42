import type { TemplateRow } from '../db/templates';
import { SENDABLE_STATUSES, templateSlots, type StoredTemplate } from '../whatsapp/templates';
import type { ClientSettings, TemplateEntry, TemplatePurpose, TemplateRef } from './client-settings';

/**
 * Settings that name a template, checked against the account's templates as last synced: it exists
 * in that language, Meta approved it, and the parameters the send will fill fit its slots (the body's
 * count, the header's kind, the buttons' placeholders). Pure: the settings route runs it.
 */

/**
 * The body parameters the system fills for a purpose when the settings give none, in order
 * (`orderTemplateParameters`, docs/orders.md "Order templates"); a template may use the first N.
 * Other purposes send only the parameters the settings give.
 */
export const SYSTEM_PARAMETERS: Partial<Record<TemplatePurpose, readonly string[]>> = {
  order_confirmation: ['order', 'total', 'payment deadline'],
  payment_received: ['order'],
  order_shipped: ['order', 'carrier', 'tracking number', 'tracking URL'],
  order_delivered: ['order'],
  order_cancelled: ['order'],
  order_refunded: ['order', 'refunded amount'],
  payment_expired: ['order'],
};

/** Purposes whose URL button takes the order's tracking link as its suffix. */
const TRACKING_BUTTON: readonly TemplatePurpose[] = ['order_shipped'];

export interface TemplateProblem {
  field: string;
  message: string;
}

const refsOf = (entry: TemplateEntry): { ref: TemplateRef; at: string }[] =>
  Array.isArray(entry) ? entry.map((ref, i) => ({ ref, at: `.${i}` })) : [{ ref: entry, at: '' }];

/**
 * The problems of the template entries `next` sets that `current` did not (an unchanged entry is
 * not checked again: a template Meta paused since is reported by `/readyz`, not by every settings
 * change). Empty when all fit.
 */
export function templateProblems(
  next: ClientSettings,
  current: ClientSettings,
  templates: readonly TemplateRow[],
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const [purpose, entry] of Object.entries(next.templates) as [TemplatePurpose, TemplateEntry][]) {
    if (JSON.stringify(entry) === JSON.stringify(current.templates[purpose])) continue;
    for (const { ref, at } of refsOf(entry)) {
      const message = refProblem(purpose, ref, templates);
      if (message) problems.push({ field: `templates.${purpose}${at}`, message });
    }
  }
  return problems;
}

function refProblem(
  purpose: TemplatePurpose,
  ref: TemplateRef,
  templates: readonly StoredTemplate[],
): string | undefined {
  const named = templates.filter((t) => t.name === ref.name);
  const t = named.find((x) => x.language === ref.language);
  if (!t && named.length)
    return `template ${ref.name} has no ${ref.language} version at Meta (it has ${named.map((x) => x.language).join(', ')})`;
  if (!t)
    return `no template named ${ref.name} in the WhatsApp Business Account (POST /v1/templates/sync if it was just created)`;
  if (!SENDABLE_STATUSES.includes(t.status))
    return `template ${ref.name} (${ref.language}) is ${t.status} at Meta, not APPROVED`;
  return bodyProblem(purpose, ref, t) ?? headerProblem(ref, t) ?? buttonProblem(purpose, ref, t);
}

function bodyProblem(purpose: TemplatePurpose, ref: TemplateRef, t: StoredTemplate): string | undefined {
  const slots = templateSlots(t.components).body;
  const name = `template ${ref.name} (${ref.language})`;
  if (ref.parameters)
    return ref.parameters.length === slots
      ? undefined
      : `${name} takes ${slots} body parameters; parameters gives ${ref.parameters.length}`;
  const system = SYSTEM_PARAMETERS[purpose] ?? [];
  if (slots <= system.length) return undefined;
  return system.length
    ? `${name} takes ${slots} body parameters; ${purpose} fills ${system.length} (${system.join(', ')})`
    : `${name} takes ${slots} body parameters: give them in parameters`;
}

function headerProblem(ref: TemplateRef, t: StoredTemplate): string | undefined {
  const slot = templateSlots(t.components).header;
  const name = `template ${ref.name} (${ref.language})`;
  if (!slot) return ref.header ? `${name} has no header parameter: remove header` : undefined;
  if (slot === 'location') return `${name} has a location header, which Aura does not fill`;
  if (!ref.header)
    return `${name}'s header takes a ${slot} parameter: give it in header ({type: '${slot}', …})`;
  return ref.header.type === slot
    ? undefined
    : `${name}'s header takes a ${slot} parameter; header gives ${ref.header.type}`;
}

function buttonProblem(purpose: TemplatePurpose, ref: TemplateRef, t: StoredTemplate): string | undefined {
  const slots = templateSlots(t.components).buttons;
  const name = `template ${ref.name} (${ref.language})`;
  for (const b of ref.buttons ?? [])
    if (!slots.some((s) => s.index === b.index && s.type === b.type))
      return `${name} has no ${b.type} button with a parameter at index ${b.index}`;
  for (const s of slots) {
    const given = ref.buttons?.some((b) => b.index === s.index);
    if (s.type === 'url' && !given && !TRACKING_BUTTON.includes(purpose))
      return `${name}'s button ${s.index} is a URL ending in a placeholder: give its suffix in buttons`;
  }
  return undefined;
}
