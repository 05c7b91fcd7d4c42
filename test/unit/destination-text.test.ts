import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDestinationText } from '../../shipping/destination-text';
import type { RateTable } from '../../shipping/rate-table';

const zone = (id: string, countries: string[], extra: Partial<RateTable['zones'][number]> = {}) => ({
  id,
  name: id,
  countries,
  basePrice: 100,
  brackets: [{ fromGrams: 0, price: 0 }],
  ...extra,
});
const table: RateTable = {
  currency: 'EUR',
  zones: [
    zone('pt-islands', ['PT'], { postalCodePrefixes: ['9'] }),
    zone('pt', ['PT']),
    zone('es', ['ES']),
    zone('br', ['BR']),
  ],
};
const read = (text: string, home = 'PT') => parseDestinationText(text, table, home);

describe('destinations typed in chat', () => {
  it('when a country is named in English, Spanish or Portuguese, or by its ISO code, then it is found', () => {
    for (const text of ['Espanha', 'España', 'Spain', 'and to spain?', 'ES'])
      assert.deepEqual(read(text), { country: 'ES' }, text);
    for (const text of ['Brasil', 'Brazil']) assert.deepEqual(read(text), { country: 'BR' }, text);
    assert.deepEqual(read('Estados Unidos'), { country: 'US' });
    assert.equal(read('es lejos'), undefined, 'a code only in capitals');
  });

  it("when a postal code comes without a country, then it is read in the table countries, the client's first", () => {
    assert.deepEqual(read('1100-053'), { country: 'PT', postalCode: '1100-053' });
    assert.deepEqual(read('28013'), { country: 'ES', postalCode: '28013' });
    assert.deepEqual(read('01310-100'), { country: 'BR', postalCode: '01310-100' });
    assert.deepEqual(read('9000100'), { country: 'PT', postalCode: '9000-100' }, 'Madeira without its dash');
    assert.equal(read('94105'), undefined, 'a US ZIP is no country of this table');
    assert.equal(read('#4521'), undefined, 'an order number is no postal code');
  });

  it('when a city of the table countries is named, then its country is found (one letter off too)', () => {
    assert.deepEqual(read('Sevilla'), { country: 'ES', city: 'Sevilla' });
    assert.deepEqual(read('quiero enviarlo a Sevilla'), { country: 'ES', city: 'Sevilla' });
    assert.deepEqual(read('São Paulo'), { country: 'BR', city: 'São Paulo' });
    assert.deepEqual(read('Lisboa'), { country: 'PT', city: 'Lisboa' });
    assert.equal(read('ok'), undefined);
  });
});
