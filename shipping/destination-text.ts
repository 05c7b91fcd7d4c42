import type { Destination, RateTable } from './rate-table';

/**
 * Reads a destination out of what a customer typed in chat ("how much to 1000-001 Lisboa, Portugal?").
 * A country is recognised by its ISO code written in capitals or by its name (English or the client's
 * language; the table's countries are tried first), a region by the name the client's rate table
 * gives it, a postal code by its shape.
 */
export function parseDestinationText(
  text: string,
  table: RateTable,
  language = 'en',
): Destination | undefined {
  const country = findCountry(text, table, language);
  if (!country) return undefined;
  const folded = fold(text);
  const region = table.zones
    .filter((z) => z.countries.includes(country))
    .flatMap((z) => z.regions ?? [])
    .find((r) => containsWord(folded, fold(r)));
  const postalCode = POSTAL_PATTERNS.map((p) => p.exec(text)?.[0]).find(Boolean);
  return { country, ...(region ? { region } : {}), ...(postalCode ? { postalCode } : {}) };
}

const POSTAL_PATTERNS = [/\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/i, /\b\d{3,6}(?:-\d{3,4})?\b/];

const fold = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

const containsWord = (haystack: string, needle: string) =>
  needle.length > 0 && ` ${haystack} `.includes(` ${needle} `);

function countryNames(code: string, language: string): string[] {
  const names: string[] = [];
  for (const locale of new Set(['en', language])) {
    try {
      const name = new Intl.DisplayNames([locale], { type: 'region' }).of(code);
      if (name && name !== code) names.push(fold(name));
    } catch {
      // An unknown locale tag only loses that language's names.
    }
  }
  return names;
}

const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'ZZ', 'QO']);

/** Every region code ICU can name: a country outside the table must still be recognised, to refuse it. */
const ALL_COUNTRIES = (() => {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return [...letters]
    .flatMap((a) => [...letters].map((b) => a + b))
    .filter((code) => names.of(code) !== undefined && !NOT_COUNTRIES.has(code));
})();

function findCountry(text: string, table: RateTable, language: string): string | undefined {
  const candidates = [...new Set([...table.zones.flatMap((z) => z.countries), ...ALL_COUNTRIES])];
  const folded = fold(text);
  const byName = candidates.find((code) => countryNames(code, language).some((n) => containsWord(folded, n)));
  if (byName) return byName;
  // Codes only in capitals, so "in" or "at" in a sentence are not read as India or Austria.
  const codes = new Set(text.match(/\b[A-Z]{2}\b/g) ?? []);
  return candidates.find((code) => codes.has(code));
}
