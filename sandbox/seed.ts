import { SANDBOX_TEMPLATE_SETTINGS } from './templates';

/**
 * The Sandbox Shop `npm start` provisions on a fresh data folder: its number, the token the sandbox
 * Graph API accepts, and what it gets through the public API once the system is ready — a small
 * shipping rate table and a few orders for the two sample customers of the phone simulator (Ana and
 * Bruno), so that asking the bot about an order, or the first `POST /v1/orders` of docs/orders.md,
 * works straight away.
 */
export const SANDBOX_PHONE_NUMBER_ID = '100000000001';

/** The Graph access token of sandbox clients: the sandbox Graph API accepts any bearer token. */
export const SANDBOX_GRAPH_TOKEN = 'sandbox-access-token';

/** The phone simulator's sample customers (wa_ids), as `sandbox/public/index.html` lists them. */
export const SAMPLE_CUSTOMERS = {
  ana: { userId: '5511999990001', name: 'Ana Souza' },
  bruno: { userId: '5511999990002', name: 'Bruno Lima' },
} as const;

/**
 * A zone's weight brackets: up to 2 kg the base price alone, above it `surcharge` more (up to
 * `maxGrams` where the zone sets a limit).
 */
function surchargeOverTwoKilos(surcharge: number, maxGrams?: number) {
  const heavy = maxGrams === undefined ? {} : { toGrams: maxGrams };
  return [
    { fromGrams: 0, toGrams: 2000, price: 0 },
    { fromGrams: 2000, ...heavy, price: surcharge },
  ];
}

/** Brazilian reais: São Paulo state (CEP 0… and 1…), the rest of Brazil, and Portugal and Spain. */
export const SANDBOX_RATE_TABLE = {
  currency: 'BRL',
  zones: [
    {
      id: 'sp',
      name: 'São Paulo (state)',
      countries: ['BR'],
      postalCodePrefixes: ['0', '1'],
      basePrice: 1500,
      freeShippingThreshold: 20000,
      brackets: surchargeOverTwoKilos(1000, 10000),
    },
    {
      id: 'br',
      name: 'Rest of Brazil',
      countries: ['BR'],
      basePrice: 2500,
      freeShippingThreshold: 30000,
      brackets: surchargeOverTwoKilos(1500, 10000),
    },
    {
      id: 'iberia',
      name: 'Portugal and Spain',
      countries: ['PT', 'ES'],
      basePrice: 9000,
      brackets: surchargeOverTwoKilos(4000),
    },
  ],
};

/** Where the sample customers have their orders delivered. */
const DELIVERY_ADDRESSES = {
  ana: {
    lines: ['Rua Augusta, 1500'],
    city: 'São Paulo',
    region: 'SP',
    postalCode: '01304-001',
    country: 'BR',
  },
  bruno: {
    lines: ['Av. Boa Viagem, 300'],
    city: 'Recife',
    region: 'PE',
    postalCode: '51011-000',
    country: 'BR',
  },
};

/** What the Sandbox Shop sells, as its sample orders list it (prices in centavos). */
const PRODUCTS = {
  mug: { sku: 'MUG-01', name: 'Aura mug', unitPrice: 4990, weightGrams: 400 },
  tShirt: { sku: 'TEE-M', name: 'Aura T-shirt (M)', unitPrice: 7990, weightGrams: 250 },
  toteBag: { sku: 'BAG-01', name: 'Aura tote bag', unitPrice: 12900, weightGrams: 2500 },
};

type Step = { path: string; body: Record<string, unknown> };

/**
 * An order in reais of one product, to the customer's address, and the calls that follow its
 * creation: with `shipped`, it is paid by PIX and sent by Correios under that tracking number (then
 * delivered, where said); without, it waits for payment.
 */
function sampleOrder(
  orderId: string,
  who: keyof typeof SAMPLE_CUSTOMERS,
  product: (typeof PRODUCTS)[keyof typeof PRODUCTS],
  quantity: number,
  shipped?: { trackingNumber: string; delivered?: boolean },
): { order: Record<string, unknown>; then: Step[] } {
  const customer = SAMPLE_CUSTOMERS[who];
  const then: Step[] = shipped
    ? [
        { path: 'payment', body: { status: 'paid', reference: `PIX-${orderId}` } },
        { path: 'shipment', body: { carrier: 'Correios', trackingNumber: shipped.trackingNumber } },
        ...(shipped.delivered ? [{ path: 'delivered', body: {} }] : []),
      ]
    : [];
  return {
    order: {
      orderId,
      customer,
      currency: 'BRL',
      items: [{ ...product, quantity }],
      deliveryAddress: { name: customer.name, ...DELIVERY_ADDRESSES[who] },
    },
    then,
  };
}

/** Ana: one shipped, one delivered; Bruno: one waiting for payment. Order ids start `SB-`. */
export const SANDBOX_ORDERS = [
  sampleOrder('SB-1001', 'ana', PRODUCTS.mug, 2, { trackingNumber: 'BR123456785BR' }),
  sampleOrder('SB-1002', 'ana', PRODUCTS.tShirt, 1, { trackingNumber: 'BR987654325BR', delivered: true }),
  sampleOrder('SB-1003', 'bruno', PRODUCTS.toteBag, 1),
];

/** What the Sandbox Shop taught its bot (docs/conversations.md → Teaching the bot): hours and returns. */
export const SANDBOX_FAQ = [
  {
    language: 'en',
    examples: ['what are your opening hours?', 'when are you open?', 'are you open on Saturday?'],
    answer: { text: 'We answer Monday to Friday, 9:00–18:00 (São Paulo time), and Saturday 9:00–13:00.' },
  },
  {
    language: 'es',
    examples: ['¿cuál es el horario?', '¿a qué hora abren?', '¿abren los sábados?'],
    answer: {
      text: 'Atendemos de lunes a viernes, de 9:00 a 18:00 (hora de São Paulo), y los sábados de 9:00 a 13:00.',
    },
  },
  {
    language: 'pt',
    examples: ['qual é o horário de atendimento?', 'a que horas vocês abrem?', 'abrem aos sábados?'],
    answer: {
      text: 'Atendemos de segunda a sexta, das 9h às 18h (horário de São Paulo), e aos sábados das 9h às 13h.',
    },
  },
  {
    language: 'en',
    examples: [
      'how do returns work?',
      'can I return an item?',
      'I want to send a product back',
      'can I send it back?',
    ],
    answer: {
      text: 'You can return any item within 30 days: reply "a person" and we send you a free return label.',
    },
  },
  {
    language: 'es',
    examples: [
      '¿cómo funcionan las devoluciones?',
      '¿puedo devolver un producto?',
      'quiero devolver un artículo',
    ],
    answer: {
      text: 'Puedes devolver cualquier artículo en 30 días: responde "una persona" y te enviamos una etiqueta gratis.',
    },
  },
  {
    language: 'pt',
    examples: ['como funciona a devolução?', 'posso devolver um produto?', 'quero trocar um item'],
    answer: {
      text: 'Você pode devolver qualquer item em até 30 dias: responda "uma pessoa" e enviamos uma etiqueta grátis.',
    },
  },
];

/** A call to the API as the Sandbox Shop, which throws unless it succeeds. */
function shopCall(apiUrl: string, apiKey: string) {
  return async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  };
}

/** Syncs the shop's templates from its account and names them in the settings. */
export async function seedSandboxTemplates(apiUrl: string, apiKey: string): Promise<void> {
  const call = shopCall(apiUrl, apiKey);
  await call('POST', '/v1/templates/sync', undefined);
  await call('PATCH', '/v1/settings', { templates: SANDBOX_TEMPLATE_SETTINGS });
}

/** The templates (above); the rate table, the sample orders and the bot's FAQ, as a client would write them over HTTP with the shop's key. */
export async function seedSandboxShop(apiUrl: string, apiKey: string): Promise<void> {
  const call = shopCall(apiUrl, apiKey);
  await seedSandboxTemplates(apiUrl, apiKey);
  await call('PUT', '/v1/shipping/rates', SANDBOX_RATE_TABLE);
  for (const { order, then } of SANDBOX_ORDERS) {
    await call('POST', '/v1/orders', order);
    for (const step of then)
      await call('POST', `/v1/orders/${String(order.orderId)}/${step.path}`, step.body);
  }
  for (const entry of SANDBOX_FAQ) await call('POST', '/v1/bot/faq', entry);
}
