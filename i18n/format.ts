import { minorDigits } from '../shipping/currencies';
import type { Language } from '.';

/**
 * Numbers, money and dates for a reader of `lang`, with the client's regional conventions (its
 * `country`) and its timezone: `33,00 €`, `3 de dezembro às 19:08`. Plain ECMA-402 Intl, which the workflow
 * sandbox has too, so workflows format with it. An unknown timezone falls back to UTC rather than
 * failing a message.
 */
export interface FormatContext {
  lang: Language;
  timeZone: string;
  /** ISO 3166-1 alpha-2 of the client (regional conventions: `pt-PT` against `pt-BR`). */
  country?: string;
}

/** The BCP 47 locale for a language in a client's country (`pt` + `PT` → `pt-PT`). */
export function localeOf(ctx: Pick<FormatContext, 'lang' | 'country'>): string {
  if (!ctx.country) return ctx.lang;
  try {
    return Intl.getCanonicalLocales(`${ctx.lang}-${ctx.country}`)[0] ?? ctx.lang;
  } catch {
    return ctx.lang;
  }
}

function zoneOrUtc(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/** Integer minor units of an ISO 4217 currency, as a reader of the language writes money. */
export function formatMoney(minor: number, currency: string, ctx: FormatContext): string {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(localeOf(ctx), {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

function formatInstant(iso: string, ctx: FormatContext, options: Intl.DateTimeFormatOptions): string {
  const timeZone = zoneOrUtc(ctx.timeZone);
  return new Intl.DateTimeFormat(localeOf(ctx), { ...options, timeZone }).format(new Date(iso));
}

/** A date and time in the client's timezone: "3 de dezembro às 19:08". */
export function formatDateTime(iso: string, ctx: FormatContext): string {
  return formatInstant(iso, ctx, { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
}

/** When something happens, with its weekday: "segunda-feira, 7 de dezembro às 09:00". */
export function formatWhen(iso: string, ctx: FormatContext): string {
  return formatInstant(iso, ctx, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A country's name in the language ("Espanha"); the code itself when ICU has no name. */
export function countryName(code: string, ctx: Pick<FormatContext, 'lang'>): string {
  try {
    return new Intl.DisplayNames([ctx.lang], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}
