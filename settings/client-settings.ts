import { z } from 'zod';
import { findStoredSettings } from '../db/clients';
import type { Queryable } from '../db/pool';
import { LANGUAGES, type Language } from '../i18n';
import { businessHoursSchema, timeZoneSchema } from './business-hours';

/**
 * A client's settings: how its bot behaves, which templates it may send, how long data is kept.
 * Stored as JSON on the client row; every field has a default, so a read always yields a full object
 * and a client only stores what it changed. `PUT /v1/settings` and provisioning validate with this.
 */
const httpsLink = z
  .string()
  .max(2000)
  .regex(/^https:\/\/\S+$/, 'must be an https URL');
const buttonIndex = z.number().int().min(0).max(9);
const template = z.strictObject({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be an approved template name (lowercase, digits, _)'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code like en or pt_BR'),
  /** The body's parameters; when absent, the system fills them (order notifications: docs/orders.md). */
  parameters: z.array(z.string().max(1024)).max(10).optional(),
  /** The header's parameter, when the template's header takes one: its text or its media (by link). */
  header: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('text'), text: z.string().min(1).max(60) }),
      z.strictObject({ type: z.enum(['image', 'video', 'document']), link: httpsLink }),
    ])
    .optional(),
  /** Button parameters by the button's index: a URL button's suffix, a quick reply's payload. */
  buttons: z
    .array(
      z.discriminatedUnion('type', [
        z.strictObject({ index: buttonIndex, type: z.literal('url'), text: z.string().min(1).max(2000) }),
        z.strictObject({
          index: buttonIndex,
          type: z.literal('quick_reply'),
          payload: z.string().min(1).max(1000),
        }),
      ]),
    )
    .max(10)
    .optional(),
});
export type TemplateRef = z.infer<typeof template>;

/**
 * A purpose's template: one (the shape before templates had languages), or one per language, from
 * which the conversation's language wins, then the client's default language, then the first.
 */
const templateEntry = z.union([template, z.array(template).min(1).max(20)]);
export type TemplateEntry = z.infer<typeof templateEntry>;

/** The template of an entry for a reader of `lang` (see `templateEntry`). */
export function pickTemplate(
  entry: TemplateEntry | undefined,
  lang: Language | undefined,
  fallback: string,
): TemplateRef | undefined {
  return templatesByPreference(entry, lang, fallback)[0];
}

/**
 * An entry's templates, best first for a reader of `lang`: theirs, the client's default language's,
 * then the rest in the order given. The send path falls back along it when Meta paused one.
 */
export function templatesByPreference(
  entry: TemplateEntry | undefined,
  lang: Language | undefined,
  fallback: string,
): TemplateRef[] {
  if (!entry) return [];
  if (!Array.isArray(entry)) return [entry];
  const of = (l: string | undefined) => entry.filter((t) => l && t.language.slice(0, 2) === l.slice(0, 2));
  return [...new Set([...of(lang), ...of(fallback), ...entry])];
}

/** A text the client writes once for every language, or per language (`{en, es, pt}`). */
const clientText = z.union([
  z.string().max(1000),
  z.partialRecord(z.enum(LANGUAGES as [Language, ...Language[]]), z.string().max(1000)),
]);

/** Purposes the system sends templates for. */
export const TEMPLATE_PURPOSES = [
  'window_reopen',
  'order_confirmation',
  'payment_received',
  'order_shipped',
  'order_delivered',
  'order_cancelled',
  'order_refunded',
  'payment_expired',
  'handoff_update',
  'csat_survey',
] as const;
export type TemplatePurpose = (typeof TEMPLATE_PURPOSES)[number];

const days = (max: number) => z.number().int().min(1).max(max);

export const clientSettingsSchema = z.strictObject({
  language: z
    .string()
    .regex(/^[a-z]{2}$/, 'must be a two-letter language code')
    .default('en'),
  timezone: timeZoneSchema.default('UTC'),
  /** The client's own country (ISO 3166-1 alpha-2): postal codes without a country are read there. */
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like PT')
    .optional(),
  templates: z.partialRecord(z.enum(TEMPLATE_PURPOSES), templateEntry).default({}),
  /** When agents answer; absent means always. */
  businessHours: businessHoursSchema.optional(),
  handoff: z
    .strictObject({
      slaMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(15),
      maxWaitMinutes: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60)
        .default(60),
      agentIdleMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(30),
      keywords: z.array(z.string().min(1).max(50)).max(50).default([]),
    })
    .default({ slaMinutes: 15, maxWaitMinutes: 60, agentIdleMinutes: 30, keywords: [] }),
  orders: z
    .strictObject({
      paymentDeadlineHours: z
        .number()
        .int()
        .min(1)
        .max(30 * 24)
        .default(48),
      /** How to pay, in the order confirmation; the catalogue's default text when absent. */
      paymentInstructions: clientText.optional(),
    })
    .default({ paymentDeadlineHours: 48 }),
  retention: z
    .strictObject({
      transcriptDays: days(3650).default(90),
      mediaDays: days(3650).default(30),
      orderRecordDays: days(3650).default(365),
    })
    .default({ transcriptDays: 90, mediaDays: 30, orderRecordDays: 365 }),
  pacing: z
    .strictObject({ messagesPerSecond: z.number().int().min(1).max(1000).default(80) })
    .default({ messagesPerSecond: 80 }),
  insights: z.strictObject({ reviewNoMatch: z.boolean().default(false) }).default({ reviewNoMatch: false }),
  /** The 1–5 satisfaction question sent when an agent resolves a handoff; off unless the client turns it on. */
  csat: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
});
export type ClientSettings = z.infer<typeof clientSettingsSchema>;

/** The full settings for stored JSON (defaults filled in). Stored values were validated on write. */
export function settingsFrom(stored: unknown): ClientSettings {
  const parsed = clientSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : clientSettingsSchema.parse({});
}

export async function loadClientSettings(
  db: Queryable,
  clientId: string,
): Promise<ClientSettings | undefined> {
  const stored = await findStoredSettings(db, clientId);
  return stored && settingsFrom(stored.settings);
}
