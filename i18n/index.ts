/**
 * The one message catalogue: every text a person reads — the bot's messages on WhatsApp, the agent
 * console, the sandbox page — in English, Spanish and Portuguese. Each area keeps its texts in one
 * section (`i18n/<area>.ts`, built with `section`), whose Spanish and Portuguese halves must have
 * exactly the English keys (the compiler checks it; `test/unit/i18n.test.ts` also checks that the
 * placeholders match). Pure and deterministic, so workflow code may import it.
 */
export type Language = 'en' | 'es' | 'pt';

export const LANGUAGES: readonly Language[] = ['en', 'es', 'pt'];

/** The supported language for a code such as `pt`, `pt-BR` or `es_ES`; anything else → `fallback`. */
export function supportedLanguage(code: string | undefined, fallback: Language = 'en'): Language {
  const base = (code ?? '').slice(0, 2).toLowerCase();
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Language) : fallback;
}

/** One area's texts in every language; the keys of `en` are the section's keys. */
export type Section<K extends string = string> = Readonly<Record<Language, Readonly<Record<K, string>>>>;

/** Declares a section; the type makes a key missing from `es` or `pt` a compile error. */
export function section<K extends string>(
  en: Record<K, string>,
  es: Record<K, string>,
  pt: Record<K, string>,
): Section<K> {
  return { en, es, pt };
}

/** One section made of two files' texts, for an area too large for one file; throws on a key in both. */
export function joined<A extends string, B extends string>(a: Section<A>, b: Section<B>): Section<A | B> {
  const twice = Object.keys(b.en).filter((key) => key in a.en);
  if (twice.length) throw new Error(`keys in both halves of a section: ${twice.join(', ')}`);
  return { en: { ...a.en, ...b.en }, es: { ...a.es, ...b.es }, pt: { ...a.pt, ...b.pt } };
}

/** Fills `{name}` placeholders; a placeholder with no value is left as it is, so a gap is visible. */
export function fill(text: string, vars: Readonly<Record<string, string | number>> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The text of `key` in `lang`, placeholders filled. */
export function translate<K extends string>(
  texts: Section<K>,
  lang: Language,
  key: K,
  vars?: Readonly<Record<string, string | number>>,
): string {
  return fill(texts[lang][key], vars);
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

/** What is wrong with a section: keys missing or extra in a language, empty texts, other placeholders. */
export function sectionProblems(texts: Section): string[] {
  const problems: string[] = [];
  const keys = Object.keys(texts.en);
  for (const lang of LANGUAGES) {
    const own = texts[lang];
    for (const key of keys) {
      const text = own[key];
      if (text === undefined) problems.push(`${lang} lacks ${key}`);
      else if (!text.trim()) problems.push(`${lang}.${key} is empty`);
      else if (placeholders(text).join() !== placeholders(texts.en[key]!).join())
        problems.push(`${lang}.${key} has other placeholders than en`);
    }
    for (const key of Object.keys(own)) if (!(key in texts.en)) problems.push(`${lang} has extra ${key}`);
  }
  return problems;
}

/** A client-written text given once for all languages or per language. */
export type ClientText = string | Partial<Record<Language, string>>;

/**
 * The client's own text for `lang`: the text itself when it gave one for every language, else its
 * version in `lang`, else in `fallback` (the client's default language); undefined when it gave none.
 */
export function clientText(
  value: ClientText | undefined,
  lang: Language,
  fallback: Language,
): string | undefined {
  if (value === undefined || typeof value === 'string') return value || undefined;
  return value[lang] ?? value[fallback];
}
