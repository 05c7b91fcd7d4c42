import { z } from 'zod';
import type { TemplateHeader } from './outbound';

/**
 * Message templates as Meta's Graph API lists them (`GET /<WABA_ID>/message_templates`) and as its
 * template webhooks change them, and the parameter slots a send must fill. Pure: the sync activity,
 * the webhook route, settings validation and the send path share it.
 */

/** The fields the sync asks Meta for (and the fake Graph serves). */
export const TEMPLATE_FIELDS = 'id,name,language,status,category,components,quality_score';

const buttonSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  url: z.string().optional(),
});
const componentSchema = z.looseObject({
  type: z.string(),
  format: z.string().optional(),
  text: z.string().optional(),
  buttons: z.array(buttonSchema).optional(),
});
export type TemplateComponent = z.infer<typeof componentSchema>;

/** One template of Meta's list; `quality_score` is `{score}` (GREEN, YELLOW, RED, UNKNOWN). */
export const graphTemplateSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().min(1),
  language: z.string().min(1),
  status: z.string().min(1),
  category: z.string().optional(),
  components: z.array(componentSchema).default([]),
  quality_score: z.looseObject({ score: z.string().optional() }).optional(),
});

/** A page of Meta's list: `paging.cursors.after` and `paging.next` name the next one, when there is one. */
export const templatePageSchema = z.looseObject({
  data: z.array(z.unknown()).default([]),
  paging: z
    .looseObject({
      cursors: z.looseObject({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

/** A template as we keep it: Meta's components verbatim, its status and quality as Meta words them. */
export interface StoredTemplate {
  name: string;
  language: string;
  templateId: string | null;
  category: string | null;
  status: string;
  quality: string | null;
  components: TemplateComponent[];
}

export function storedTemplateOf(raw: unknown): StoredTemplate | undefined {
  const t = graphTemplateSchema.safeParse(raw);
  if (!t.success) return undefined;
  return {
    name: t.data.name,
    language: t.data.language,
    templateId: t.data.id ?? null,
    category: t.data.category ?? null,
    status: t.data.status.toUpperCase(),
    quality: t.data.quality_score?.score ?? null,
    components: t.data.components,
  };
}

export type HeaderSlot = 'text' | 'image' | 'video' | 'document' | 'location';

/** What a send of the template must (or may) fill. */
export interface TemplateSlots {
  /** The header's parameter: text when its text has a placeholder, else the media kind; none when static. */
  header?: HeaderSlot;
  /** How many body parameters (`{{1}}` … distinct placeholders). */
  body: number;
  /**
   * The body's placeholder names in order of first appearance, when the template names them
   * (`{{first_name}}`, Meta's NAMED parameter format): each body parameter is sent with its name.
   */
  bodyNames?: string[];
  /** The text header's placeholder name, when the template names it (`{{sale_name}}`). */
  headerName?: string;
  /**
   * Buttons that take a parameter, by their index among the template's buttons: a URL button whose
   * URL ends in a placeholder takes the suffix (`base` is the URL before it); a quick reply may carry
   * a payload (optional: Meta sends the button's text back without one).
   */
  buttons: { index: number; type: 'url' | 'quick_reply'; base?: string }[];
}

/** A placeholder named rather than numbered (`{{first_name}}`, not `{{1}}`). */
const isNamed = (placeholder: string) => !/^\d+$/.test(placeholder);

/** The distinct placeholders of a text in order of first appearance: `1`, `2` … or names. */
const placeholdersOf = (text: string | undefined) => [
  ...new Set([...(text ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!)),
];

/** The parameter slots of a template's components. */
export function templateSlots(components: readonly TemplateComponent[]): TemplateSlots {
  const slots: TemplateSlots = { body: 0, buttons: [] };
  for (const c of components) {
    const type = c.type.toUpperCase();
    if (type === 'BODY') {
      const names = placeholdersOf(c.text);
      slots.body = names.length;
      if (names.some(isNamed)) slots.bodyNames = names;
    }
    if (type === 'HEADER') {
      const format = (c.format ?? 'TEXT').toUpperCase();
      if (format !== 'TEXT') slots.header = format.toLowerCase() as HeaderSlot;
      else {
        const [name] = placeholdersOf(c.text);
        if (name !== undefined) slots.header = 'text';
        if (name !== undefined && isNamed(name)) slots.headerName = name;
      }
    }
    if (type === 'BUTTONS')
      (c.buttons ?? []).forEach((b, index) => {
        const kind = b.type.toUpperCase();
        const dynamic = b.url && /\{\{\s*\w+\s*\}\}$/.exec(b.url);
        if (kind === 'URL' && dynamic)
          slots.buttons.push({ index, type: 'url', base: b.url!.slice(0, dynamic.index) });
        if (kind === 'QUICK_REPLY') slots.buttons.push({ index, type: 'quick_reply' });
      });
  }
  return slots;
}

/** The body's text as Meta holds it, placeholders included (for an agent's preview). */
export const bodyTextOf = (components: readonly TemplateComponent[]) =>
  components.find((c) => c.type.toUpperCase() === 'BODY')?.text;

/**
 * A template send whose body and text-header parameters carry their names when the synced template
 * names its placeholders (Meta refuses unnamed parameters for such a template); else `t` unchanged.
 */
export function withParameterNames<
  T extends { parameters?: string[]; parameterNames?: string[]; header?: TemplateHeader },
>(t: T, components: readonly TemplateComponent[]): T {
  const { bodyNames, headerName } = templateSlots(components);
  let named = t;
  if (bodyNames && t.parameters?.length)
    named = { ...named, parameterNames: bodyNames.slice(0, t.parameters.length) };
  if (headerName && t.header?.type === 'text')
    named = { ...named, header: { ...t.header, name: headerName } };
  return named;
}

/** Statuses in which Meta refuses sends of a template, and the refusal each gives. */
export const BLOCKED_STATUSES = { PAUSED: 'template_paused', DISABLED: 'template_disabled' } as const;
export type BlockedStatus = keyof typeof BLOCKED_STATUSES;

/** The webhook `field`s that change a template. */
export const TEMPLATE_FIELDS_CHANGED = [
  'message_template_status_update',
  'message_template_quality_update',
  'message_template_components_update',
  'template_category_update',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS_CHANGED)[number];

export const isTemplateField = (field: string): field is TemplateField =>
  (TEMPLATE_FIELDS_CHANGED as readonly string[]).includes(field);

const idOrNumber = z.union([z.string(), z.number()]).transform(String);

/** The template a webhook names: Meta's id, and its name and language (all three usually present). */
const namedTemplate = z.looseObject({
  message_template_id: idOrNumber.optional(),
  message_template_name: z.string().optional(),
  message_template_language: z.string().optional(),
});

/** A template webhook's value, reduced to what changes: the status, the quality, the category. */
export const templateChangeSchema = namedTemplate.extend({
  event: z.string().optional(),
  new_quality_score: z.string().optional(),
  new_category: z.string().optional(),
  reason: z.string().nullish(),
});
export type TemplateChange = z.infer<typeof templateChangeSchema>;

/**
 * The status a status event leaves the template in: Meta's event names the new status, except
 * REINSTATED (a paused template is usable again: APPROVED). FLAGGED is kept as Meta says it: the
 * template is still sent, and Meta pauses or disables it if its quality does not recover.
 */
export function statusAfterEvent(event: string): string {
  const e = event.toUpperCase();
  return e === 'REINSTATED' ? 'APPROVED' : e;
}

/** Statuses whose templates are sent: approved, and flagged (approved, at risk). */
export const SENDABLE_STATUSES: readonly string[] = ['APPROVED', 'FLAGGED'];

/**
 * The suffix a URL button whose URL is `base` + `{{1}}` needs to open `url`: the rest of `url` when
 * it starts with `base`, else `fallback` (e.g. a tracking number, URL-encoded, for a button
 * `https://carrier.example/track/{{1}}`); undefined when neither fits.
 */
export function urlButtonSuffix(base: string, url?: string, fallback?: string): string | undefined {
  if (url && url.startsWith(base) && url.length > base.length) return url.slice(base.length);
  return fallback ? encodeURIComponent(fallback) : undefined;
}
