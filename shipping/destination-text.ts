import countries from 'i18n-iso-countries';
import { postcodeValidator, postcodeValidatorExistsForCountry } from 'postcode-validator';
import { findCity } from './cities';
import { fold } from './fold';
import type { Destination, RateTable } from './rate-table';

/**
 * Reads a destination out of what a customer typed in chat ("how much to 1000-001 Lisboa, Portugal?",
 * "Espanha", "28013", "Sevilla"). A country is recognised by any of its names in English, Spanish or
 * Portuguese (`i18n-iso-countries`, aliases included: "EUA", "USA") or by its ISO code in capitals; a
 * postal code by its country's format (`postcode-validator`), in the named country or else among the
 * rate table's countries, the client's own country first when several fit ("9000100" is Madeira's
 * 9000-100 without its dash); a region by the name the rate table gives it; a city by GeoNames'
 * names among the table's countries (see `cities.ts`).
 */
export interface ReadDestination extends Destination {
  /** The city named, as the customer wrote it, when that is how the country was found. */
  city?: string;
}

for (const lang of ['en', 'es', 'pt'] as const)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  countries.registerLocale(require(`i18n-iso-countries/langs/${lang}.json`));

/** Folded country name → ISO code, every name and alias in the three languages; longest names first. */
const COUNTRY_NAMES: [string, string][] = (() => {
  const names = new Map<string, string>();
  for (const lang of ['en', 'es', 'pt'])
    for (const [code, list] of Object.entries(countries.getNames(lang, { select: 'all' })))
      for (const name of list) if (fold(name).length > 2) names.set(fold(name), code);
  return [...names].sort((a, b) => b[0].length - a[0].length);
})();

const containsWord = (haystack: string, needle: string) => ` ${haystack} `.includes(` ${needle} `);

/** The country the text names, by name or by ISO code in capitals ("PT", not "at" or "in"). */
export function countryIn(text: string): string | undefined {
  const folded = fold(text);
  const byName = COUNTRY_NAMES.find(([name]) => containsWord(folded, name));
  if (byName) return byName[1];
  return (text.match(/\b[A-Z]{2}\b/g) ?? []).find((code) => countries.isValid(code));
}

/** Spellings to try for a postal code: as written, and digits-only ones with the usual separator. */
function spellings(token: string): string[] {
  if (!/^\d{6,9}$/.test(token)) return [token];
  return [token, `${token.slice(0, -3)}-${token.slice(-3)}`, `${token.slice(0, -4)}-${token.slice(-4)}`];
}

/** A postal code in the text valid in one of `candidates` (in order); the first that fits wins. */
export function postalCodeIn(
  text: string,
  candidates: readonly string[],
): { country: string; postalCode: string } | undefined {
  // "#4521" is an order number, never a postal code.
  const words = text.toUpperCase().match(/(?<![#\w-])[A-Z0-9]+(?:-[A-Z0-9]+)?/g) ?? [];
  const tokens = [...words.map((w, i) => `${w} ${words[i + 1] ?? ''}`.trim()), ...words].filter((t) =>
    /\d/.test(t),
  );
  for (const country of candidates.filter((c) => postcodeValidatorExistsForCountry(c)))
    for (const token of tokens)
      for (const postalCode of spellings(token))
        if (postcodeValidator(postalCode, country)) return { country, postalCode };
  return undefined;
}

/** The table's countries, the client's own first. */
function tableCountries(table: RateTable, home: string | undefined): string[] {
  const all = [...new Set(table.zones.flatMap((z) => z.countries))];
  return home && all.includes(home) ? [home, ...all.filter((c) => c !== home)] : all;
}

/** Every run of one to three words as written, longest first: the phrases a city name may be. */
function phrases(text: string): string[] {
  const words = text.split(/[^\p{L}\p{M}'-]+/u).filter((w) => /\p{L}/u.test(w));
  const out: string[] = [];
  for (let n = 3; n >= 1; n--)
    for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(' '));
  return out;
}

function cityIn(text: string, candidates: readonly string[]): { country: string; name: string } | undefined {
  let best: { country: string; name: string; population: number } | undefined;
  for (const exact of [true, false]) {
    for (const phrase of phrases(text)) {
      const match = findCity(fold(phrase), candidates, exact);
      if (match && (!best || match.population > best.population)) best = { ...match, name: phrase };
    }
    if (best) return { country: best.country, name: best.name };
  }
  return undefined;
}

/**
 * The destination in `text` for a client with rate table `table` and home country `home`, or
 * undefined when the text names no place the bot can tell.
 */
export function parseDestinationText(
  text: string,
  table: RateTable,
  home?: string,
): ReadDestination | undefined {
  const named = countryIn(text);
  const postal = postalCodeIn(text, named ? [named] : tableCountries(table, home));
  const folded = fold(text);
  const city = named || postal ? undefined : cityIn(text, tableCountries(table, home));
  const country = named ?? postal?.country ?? city?.country;
  if (!country) return undefined;
  const region = table.zones
    .filter((z) => z.countries.includes(country))
    .flatMap((z) => z.regions ?? [])
    .find((r) => containsWord(folded, fold(r)));
  return {
    country,
    ...(region ? { region } : {}),
    ...(postal ? { postalCode: postal.postalCode } : {}),
    ...(city ? { city: city.name } : {}),
  };
}
