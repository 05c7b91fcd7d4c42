import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMoney } from '../../i18n/format';
import { decimalToMinor, isCurrency, minorDigits } from '../../shipping/currencies';
import { parseDestinationText } from '../../shipping/destination-text';
import { quote, rateTableSchema } from '../../shipping/rate-table';
import { RATES } from '../orders/fixtures';

const issues = (table: unknown) => {
  const r = rateTableSchema.safeParse(table);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('currencies', () => {
  it('when a currency has 0, 2 or 3 minor digits, then amounts format and parse exactly in integers', () => {
    assert.equal(minorDigits('JPY'), 0);
    assert.equal(minorDigits('KWD'), 3);
    const en = { lang: 'en' as const, timeZone: 'UTC' };
    assert.equal(formatMoney(1234, 'EUR', en), '€12.34');
    assert.equal(formatMoney(5, 'EUR', en), '€0.05');
    assert.equal(formatMoney(1234, 'JPY', en), '¥1,234');
    assert.match(formatMoney(1234, 'KWD', en), /^KWD\s1\.234$/);
    assert.equal(decimalToMinor(0.1, 'EUR'), 10);
    assert.equal(decimalToMinor(19.99, 'EUR'), 1999);
    assert.equal(decimalToMinor('12.5', 'EUR'), 1250);
    assert.equal(decimalToMinor(1500, 'JPY'), 1500);
  });

  it('when an amount has more decimals than its currency, is negative or is not a decimal, then it is refused', () => {
    assert.equal(decimalToMinor(1.5, 'JPY'), undefined);
    assert.equal(decimalToMinor('1.234', 'EUR'), undefined);
    assert.equal(decimalToMinor(-1, 'EUR'), undefined);
    assert.equal(decimalToMinor(1e21, 'EUR'), undefined);
    assert.equal(isCurrency('EUR'), true);
    assert.equal(isCurrency('EURO'), false);
    assert.equal(isCurrency('XAU'), false);
  });
});

describe('rate table validation', () => {
  it('when the fixture table is parsed, then it is valid', () => {
    assert.deepEqual(issues(RATES), []);
  });

  it('when brackets overlap, then the problem names the zone, the bracket and the overlap', () => {
    const bad = structuredClone(RATES);
    bad.zones[1]!.brackets = [
      { fromGrams: 0, toGrams: 1000, price: 0 },
      { fromGrams: 900, toGrams: 2000, price: 100 },
    ];
    const [problem, ...rest] = issues(bad);
    assert.equal(rest.length, 0);
    assert.match(problem!, /^zones\.1\.brackets\.1: bracket overlaps another: 0 g to 1000 g overlaps 900 g$/);
  });

  it('when an open-ended bracket is followed by another, a bracket has a gap, or does not start at 0, then each is named', () => {
    const zone = RATES.zones[3]!;
    const withBrackets = (brackets: unknown) => ({ ...RATES, zones: [{ ...zone, brackets }] });
    assert.match(
      issues(
        withBrackets([
          { fromGrams: 0, price: 1 },
          { fromGrams: 500, price: 2 },
        ]),
      )[0]!,
      /overlaps/,
    );
    assert.match(
      issues(
        withBrackets([
          { fromGrams: 0, toGrams: 500, price: 1 },
          { fromGrams: 600, price: 2 },
        ]),
      )[0]!,
      /gap in brackets between 500 g and 600 g/,
    );
    assert.match(issues(withBrackets([{ fromGrams: 100, price: 1 }]))[0]!, /must start at 0 g/);
    assert.match(
      issues(withBrackets([{ fromGrams: 0, toGrams: 0, price: 1 }]))[0]!,
      /must be above fromGrams/,
    );
  });

  it('when the currency is unknown, prices are fractional or zone ids repeat, then the field is named', () => {
    assert.match(issues({ ...RATES, currency: 'EUX' })[0]!, /^currency: must be an ISO 4217 currency/);
    const fractional = structuredClone(RATES);
    (fractional.zones[0] as { basePrice: number }).basePrice = 9.5;
    assert.match(issues(fractional)[0]!, /^zones\.0\.basePrice: must be an integer in minor units/);
    const dup = { ...RATES, zones: [RATES.zones[0], RATES.zones[0]] };
    assert.match(issues(dup)[0]!, /^zones\.1\.id: duplicate zone id pt-islands/);
  });
});

describe('quotes', () => {
  it('when the destination matches several zones, then the most specific wins (postal prefix > region > country)', () => {
    const parcel = { weightGrams: 500, subtotal: 1000 };
    const island = quote(RATES, { country: 'PT', postalCode: '9500-123' }, parcel);
    assert.deepEqual(island.ok && [island.zoneId, island.cost], ['pt-islands', 900]);
    const mainland = quote(RATES, { country: 'pt', postalCode: '1000-001' }, parcel);
    assert.deepEqual(mainland.ok && [mainland.zoneId, mainland.cost], ['pt', 300]);
    const canarias = quote(RATES, { country: 'ES', region: 'canarias' }, parcel);
    assert.deepEqual(canarias.ok && canarias.zoneId, 'es-canarias');
    const madrid = quote(RATES, { country: 'ES', region: 'Madrid' }, parcel);
    assert.deepEqual(madrid.ok && [madrid.zoneId, madrid.cost], ['es', 700]);
  });

  it('when weight picks a bracket or the subtotal reaches the threshold, then the cost follows', () => {
    const to = { country: 'PT', postalCode: '1000-001' };
    const heavier = quote(RATES, to, { weightGrams: 1000, subtotal: 0 });
    assert.equal(heavier.ok && heavier.cost, 550);
    const free = quote(RATES, to, { weightGrams: 1000, subtotal: 10000 });
    assert.deepEqual(free.ok && [free.cost, free.freeShipping], [0, true]);
  });

  it('when no zone matches or the parcel is heavier than every bracket, then the quote says so', () => {
    assert.deepEqual(quote(RATES, { country: 'FR' }, { weightGrams: 1, subtotal: 1 }), {
      ok: false,
      reason: 'no_zone',
    });
    assert.deepEqual(
      quote(RATES, { country: 'PT', postalCode: '1000' }, { weightGrams: 5000, subtotal: 1 }),
      {
        ok: false,
        reason: 'too_heavy',
      },
    );
  });

  it('when a customer writes a destination in chat, then country, region and postal code are read from it', () => {
    assert.deepEqual(parseDestinationText('how much to 9500-123 Ponta Delgada, Portugal?', RATES), {
      country: 'PT',
      postalCode: '9500-123',
    });
    assert.deepEqual(parseDestinationText('envío a Canarias, España', RATES, 'es'), {
      country: 'ES',
      region: 'Canarias',
    });
    assert.deepEqual(parseDestinationText('shipping to ES please', RATES), { country: 'ES' });
    assert.deepEqual(parseDestinationText('do you ship to france?', RATES), { country: 'FR' });
    assert.equal(parseDestinationText('is it in stock', RATES), undefined);
  });
});
