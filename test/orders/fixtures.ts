import type { RateTable } from '../../shipping/rate-table';
import type { OrderInput } from '../../workflows/order/contract';

/** A rate table used across the order tests: Portugal (mainland by postal prefix, islands), Spain. */
export const RATES: RateTable = {
  currency: 'EUR',
  zones: [
    {
      id: 'pt-islands',
      name: 'Azores and Madeira',
      countries: ['PT'],
      postalCodePrefixes: ['9'],
      basePrice: 900,
      brackets: [{ fromGrams: 0, price: 0 }],
    },
    {
      id: 'pt',
      name: 'Portugal',
      countries: ['PT'],
      basePrice: 300,
      brackets: [
        { fromGrams: 0, toGrams: 1000, price: 0 },
        { fromGrams: 1000, toGrams: 5000, price: 250 },
      ],
      freeShippingThreshold: 10000,
    },
    {
      id: 'es-canarias',
      name: 'Canary Islands',
      countries: ['ES'],
      regions: ['Canarias'],
      basePrice: 1500,
      brackets: [{ fromGrams: 0, price: 0 }],
    },
    {
      id: 'es',
      name: 'Spain',
      countries: ['ES'],
      basePrice: 600,
      brackets: [{ fromGrams: 0, price: 100 }],
    },
  ],
};

/** A valid order input; override what a test is about. */
export function orderInput(overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    clientId: 'cl_00000000000000000000',
    orderId: 'A-1001',
    subjectHash: 'f'.repeat(64),
    phoneNumberId: '100000000001',
    customer: { userId: '351910000001', name: 'Ana Silva' },
    currency: 'EUR',
    items: [{ sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1250, weightGrams: 400 }],
    deliveryAddress: {
      name: 'Ana Silva',
      lines: ['Rua A 1'],
      city: 'Lisboa',
      postalCode: '1000-001',
      country: 'PT',
    },
    contentHash: 'c'.repeat(64),
    requestId: 'req-1',
    source: 'api',
    ...overrides,
  };
}
