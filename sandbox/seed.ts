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
      brackets: [
        { fromGrams: 0, toGrams: 2000, price: 0 },
        { fromGrams: 2000, toGrams: 10000, price: 1000 },
      ],
    },
    {
      id: 'br',
      name: 'Rest of Brazil',
      countries: ['BR'],
      basePrice: 2500,
      freeShippingThreshold: 30000,
      brackets: [
        { fromGrams: 0, toGrams: 2000, price: 0 },
        { fromGrams: 2000, toGrams: 10000, price: 1500 },
      ],
    },
    {
      id: 'iberia',
      name: 'Portugal and Spain',
      countries: ['PT', 'ES'],
      basePrice: 9000,
      brackets: [
        { fromGrams: 0, toGrams: 2000, price: 0 },
        { fromGrams: 2000, price: 4000 },
      ],
    },
  ],
};

const SAO_PAULO = {
  lines: ['Rua Augusta, 1500'],
  city: 'São Paulo',
  region: 'SP',
  postalCode: '01304-001',
  country: 'BR',
};
const RECIFE = {
  lines: ['Av. Boa Viagem, 300'],
  city: 'Recife',
  region: 'PE',
  postalCode: '51011-000',
  country: 'BR',
};

type Step = { path: string; body: Record<string, unknown> };

/** Ana: one shipped, one delivered; Bruno: one waiting for payment. Order ids start `SB-`. */
export const SANDBOX_ORDERS: { order: Record<string, unknown>; then: Step[] }[] = [
  {
    order: {
      orderId: 'SB-1001',
      customer: SAMPLE_CUSTOMERS.ana,
      currency: 'BRL',
      items: [{ sku: 'MUG-01', name: 'Aura mug', quantity: 2, unitPrice: 4990, weightGrams: 400 }],
      deliveryAddress: { name: SAMPLE_CUSTOMERS.ana.name, ...SAO_PAULO },
    },
    then: [
      { path: 'payment', body: { status: 'paid', reference: 'PIX-SB-1001' } },
      { path: 'shipment', body: { carrier: 'Correios', trackingNumber: 'BR123456785BR' } },
    ],
  },
  {
    order: {
      orderId: 'SB-1002',
      customer: SAMPLE_CUSTOMERS.ana,
      currency: 'BRL',
      items: [{ sku: 'TEE-M', name: 'Aura T-shirt (M)', quantity: 1, unitPrice: 7990, weightGrams: 250 }],
      deliveryAddress: { name: SAMPLE_CUSTOMERS.ana.name, ...SAO_PAULO },
    },
    then: [
      { path: 'payment', body: { status: 'paid', reference: 'PIX-SB-1002' } },
      { path: 'shipment', body: { carrier: 'Correios', trackingNumber: 'BR987654325BR' } },
      { path: 'delivered', body: {} },
    ],
  },
  {
    order: {
      orderId: 'SB-1003',
      customer: SAMPLE_CUSTOMERS.bruno,
      currency: 'BRL',
      items: [{ sku: 'BAG-01', name: 'Aura tote bag', quantity: 1, unitPrice: 12900, weightGrams: 2500 }],
      deliveryAddress: { name: SAMPLE_CUSTOMERS.bruno.name, ...RECIFE },
    },
    then: [],
  },
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
