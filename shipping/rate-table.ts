import { z } from 'zod';
import { isCurrency } from './currencies';

/**
 * A client's shipping rate table and the pure logic that prices a parcel with it. A zone matches a
 * destination by country, optionally narrowed to regions or postal-code prefixes; its cost is the
 * zone's base price plus the price of the weight bracket the parcel falls in, or nothing at all once
 * the order's subtotal reaches the zone's free-shipping threshold. Money is integer minor units of
 * the table's one currency; weights are integer grams.
 */

const minor = z.number().int('must be an integer in minor units').min(0).max(1e12);
const grams = z.number().int('must be whole grams').min(0).max(1e9);
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like PT');

const bracketSchema = z.strictObject({
  /** Inclusive lower bound. */
  fromGrams: grams,
  /** Exclusive upper bound; omitted on the last bracket means "and heavier". */
  toGrams: grams.optional(),
  price: minor,
});

const zoneSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'must be 1-40 of a-z, 0-9, _ or -'),
  name: z.string().trim().min(1).max(100),
  countries: z.array(countryCode).min(1).max(300),
  regions: z.array(z.string().trim().min(1).max(100)).max(300).optional(),
  postalCodePrefixes: z
    .array(z.string().regex(/^[A-Za-z0-9]{1,10}$/, 'must be letters and digits'))
    .max(1000)
    .optional(),
  basePrice: minor,
  brackets: z.array(bracketSchema).min(1).max(50),
  freeShippingThreshold: minor.optional(),
});

export const rateTableSchema = z
  .strictObject({
    currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code we know, like EUR'),
    zones: z.array(zoneSchema).min(1).max(200),
  })
  .superRefine((table, ctx) => {
    const ids = new Set<string>();
    table.zones.forEach((zone, i) => {
      if (ids.has(zone.id))
        ctx.addIssue({ code: 'custom', path: ['zones', i, 'id'], message: `duplicate zone id ${zone.id}` });
      ids.add(zone.id);
      for (const problem of bracketProblems(zone.brackets))
        ctx.addIssue({
          code: 'custom',
          path: ['zones', i, 'brackets', problem.index],
          message: problem.message,
        });
    });
  });

export type RateTable = z.infer<typeof rateTableSchema>;
export type Zone = RateTable['zones'][number];
type Bracket = Zone['brackets'][number];

/** Brackets must start at 0 g and follow each other without overlap or gap; only the last is open. */
export function bracketProblems(brackets: Bracket[]): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = [];
  const sorted = brackets.map((b, index) => ({ ...b, index })).sort((a, b) => a.fromGrams - b.fromGrams);
  sorted.forEach((b, i) => {
    const next = sorted[i + 1];
    if (b.toGrams !== undefined && b.toGrams <= b.fromGrams)
      problems.push({
        index: b.index,
        message: `toGrams ${b.toGrams} must be above fromGrams ${b.fromGrams}`,
      });
    if (i === 0 && b.fromGrams !== 0)
      problems.push({ index: b.index, message: 'the lightest bracket must start at 0 g' });
    if (!next) return;
    if (b.toGrams === undefined || b.toGrams > next.fromGrams) {
      const until = b.toGrams === undefined ? 'no upper bound' : `${b.toGrams} g`;
      problems.push({
        index: next.index,
        message: `bracket overlaps another: ${b.fromGrams} g to ${until} overlaps ${next.fromGrams} g`,
      });
    } else if (b.toGrams < next.fromGrams) {
      problems.push({
        index: next.index,
        message: `gap in brackets between ${b.toGrams} g and ${next.fromGrams} g`,
      });
    }
  });
  return problems;
}

/** Where a parcel goes, as far as pricing cares. */
export interface Destination {
  country: string;
  region?: string;
  postalCode?: string;
}

export interface Parcel {
  weightGrams: number;
  /** The order's item subtotal, for the free-shipping threshold. */
  subtotal: number;
}

export type Quote =
  | { ok: true; zoneId: string; zoneName: string; cost: number; currency: string; freeShipping: boolean }
  | { ok: false; reason: 'no_zone' | 'too_heavy' };

const normalize = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]/gu, '')
    .toUpperCase();

/**
 * How specifically a zone matches: 0 no match, 1 country, 2 region, 3+ postal prefix (longer wins).
 * A zone that lists regions or prefixes matches only destinations inside them.
 */
function specificity(zone: Zone, to: Destination): number {
  if (!zone.countries.includes(to.country.toUpperCase())) return 0;
  let score = 1;
  if (zone.regions?.length) {
    const region = normalize(to.region ?? '');
    if (!region || !zone.regions.some((r) => normalize(r) === region)) return 0;
    score = 2;
  }
  if (zone.postalCodePrefixes?.length) {
    const postal = normalize(to.postalCode ?? '');
    const longest = Math.max(
      0,
      ...zone.postalCodePrefixes.filter((p) => postal.startsWith(normalize(p))).map((p) => p.length),
    );
    if (longest === 0) return 0;
    score = 3 + longest;
  }
  return score;
}

/** The most specific zone for a destination (the earlier one on a tie), if any. */
export function findZone(table: RateTable, to: Destination): Zone | undefined {
  let best: { zone: Zone; score: number } | undefined;
  for (const zone of table.zones) {
    const score = specificity(zone, to);
    if (score > 0 && (!best || score > best.score)) best = { zone, score };
  }
  return best?.zone;
}

/** Prices a parcel to a destination; refuses destinations outside every zone and parcels too heavy. */
export function quote(table: RateTable, to: Destination, parcel: Parcel): Quote {
  const zone = findZone(table, to);
  if (!zone) return { ok: false, reason: 'no_zone' };
  const bracket = zone.brackets.find(
    (b) => parcel.weightGrams >= b.fromGrams && (b.toGrams === undefined || parcel.weightGrams < b.toGrams),
  );
  if (!bracket) return { ok: false, reason: 'too_heavy' };
  const freeShipping =
    zone.freeShippingThreshold !== undefined && parcel.subtotal >= zone.freeShippingThreshold;
  return {
    ok: true,
    zoneId: zone.id,
    zoneName: zone.name,
    cost: freeShipping ? 0 : zone.basePrice + bracket.price,
    currency: table.currency,
    freeShipping,
  };
}

/** Why a quote failed, in words a customer can read (API 422 and chat). */
export function quoteRefusal(reason: 'no_zone' | 'too_heavy'): string {
  return reason === 'no_zone'
    ? "we don't ship there"
    : 'this parcel is heavier than anything we ship to that destination';
}

/**
 * Prices an order's parcel with a client's table (or its absence): the one check the API runs before
 * starting an order and the workflow's pricing activity runs again. `message` explains a refusal.
 */
export function priceWithTable(
  table: RateTable | undefined,
  currency: string,
  to: Destination,
  parcel: Parcel,
): { ok: true; quote: Extract<Quote, { ok: true }> } | { ok: false; message: string } {
  if (!table) return { ok: false, message: 'no shipping rates are configured: PUT /v1/shipping/rates first' };
  if (table.currency !== currency)
    return { ok: false, message: `shipping rates are in ${table.currency}, not ${currency}` };
  const q = quote(table, to, parcel);
  return q.ok ? { ok: true, quote: q } : { ok: false, message: quoteRefusal(q.reason) };
}
