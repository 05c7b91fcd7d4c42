import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { ROUTE_SCOPES } from '../route-scopes';
import { eventWebhooks } from './events';
import { OPERATIONS, SCOPE_LIST } from './operations';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** `/v1/orders/:id` (Express) → `/v1/orders/{id}` (OpenAPI). */
export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

const scopeNote = (route: string) => {
  const scope = ROUTE_SCOPES[route];
  if (!scope) return undefined;
  if (scope === 'any') return 'Any valid API key of the client.';
  return `Scope: ${typeof scope === 'string' ? scope : scope.join(' or ')} (or admin).`;
};

/** The OpenAPI 3.1 document of every route in `OPERATIONS`, built once per process. */
export function buildOpenApiDocument(): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const [route, op] of Object.entries(OPERATIONS)) {
    const [method, expressPath] = route.split(' ') as [string, string];
    const path = openApiPath(expressPath);
    const note = scopeNote(route);
    paths[path] = {
      ...paths[path],
      [method.toLowerCase() as Method]: { ...op, ...(note ? { description: note } : {}) },
    };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Aura Engage API',
      version: '1',
      description:
        'Automated customer support on WhatsApp. Client routes under `/v1` take a client API key ' +
        '(`Authorization: Bearer aura_…`) and act on that key’s client only; `/admin/v1` takes the ' +
        'deployment’s admin token. Errors are `{error: {code, message, details?}}`; a 400 names every ' +
        'refused field and the form expected in `details.fields`.',
    },
    tags: [
      { name: 'orders' },
      { name: 'shipping' },
      { name: 'conversations' },
      { name: 'privacy' },
      { name: 'settings' },
      { name: 'insights' },
      { name: 'bot', description: 'what a business teaches its bot: FAQ entries, greeting and menu texts' },
      { name: 'client' },
      { name: 'admin' },
      { name: 'webhook' },
      { name: 'codec' },
      { name: 'operations' },
      { name: 'sandbox', description: 'the phone simulator: local profile only' },
      { name: 'pages' },
      { name: 'events', description: 'signed outbound events POSTed to the endpoints of `/v1/webhooks`' },
    ],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: `A client API key (shown once when minted). Scopes: ${SCOPE_LIST}.`,
        },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The deployment’s AURA_ADMIN_TOKEN.' },
        codecSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'aura_codec',
          description: 'Set by POST /codec/login (8 hours).',
        },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Hub-Signature-256',
          description: 'sha256=HMAC-SHA256 of the raw body with the Meta app secret.',
        },
      },
    },
    paths,
    webhooks: eventWebhooks(),
  });
}
