import type { Scope } from '../db/clients';

/**
 * Every client route and the scope it requires: the access-control test enumerates the app's router
 * and fails for any route that is neither listed here nor excluded below, so a new route cannot ship
 * without a decision about who may call it. `any` = any valid API key of the client; a list = any
 * one of those scopes (as `requireScope(db, ...scopes)` takes them).
 */
export const ROUTE_SCOPES: Record<string, Scope | readonly Scope[] | 'any'> = {
  'GET /v1/me': 'any',
  'GET /v1/settings': 'settings',
  'PUT /v1/settings': 'settings',
  'PATCH /v1/settings': 'settings',
  'GET /v1/callbacks': 'agent',
  'POST /v1/callbacks/:id/done': 'agent',
  'GET /v1/audit': 'admin',
  'GET /v1/insights': 'settings',
  'GET /v1/insights/no-match': 'settings',
  'POST /v1/insights/no-match/:id/teach': 'settings',
  'GET /v1/bot/faq': 'settings',
  'POST /v1/bot/faq': 'settings',
  'GET /v1/bot/faq/:id': 'settings',
  'PUT /v1/bot/faq/:id': 'settings',
  'DELETE /v1/bot/faq/:id': 'settings',
  'GET /v1/bot/texts': 'settings',
  'PUT /v1/bot/texts/:language': 'settings',
  'GET /v1/privacy/subjects/:userId/export': 'privacy',
  'DELETE /v1/privacy/subjects/:userId': 'privacy',
  'GET /v1/privacy/requests/:id': 'privacy',
  'POST /v1/orders': 'orders:write',
  'GET /v1/orders/:id': 'orders:read',
  'POST /v1/orders/:id/payment': 'orders:write',
  'POST /v1/orders/:id/shipment': 'orders:write',
  'POST /v1/orders/:id/delivered': 'orders:write',
  'POST /v1/orders/:id/cancel': 'orders:write',
  'PUT /v1/shipping/rates': ['settings', 'orders:write'],
  'GET /v1/shipping/rates': ['settings', 'orders:read'],
  'POST /v1/shipping/quote': 'orders:read',
  'GET /v1/conversations': ['agent', 'conversations:read'],
  'GET /v1/conversations/events': ['agent', 'conversations:read'],
  'GET /v1/conversations/:id': ['agent', 'conversations:read'],
  'GET /v1/conversations/:id/orders': ['agent', 'orders:read'],
  'GET /v1/conversations/:id/contact': 'agent',
  'POST /v1/conversations/:id/assign': 'agent',
  'POST /v1/conversations/:id/takeover': 'agent',
  'POST /v1/conversations/:id/messages': 'agent',
  'POST /v1/conversations/:id/resolve': 'agent',
  'GET /v1/conversations/:id/templates': 'agent',
  'POST /v1/conversations/:id/templates': 'agent',
  'GET /v1/agents/me': 'agent',
  'PUT /v1/agents/me/availability': 'agent',
  'GET /v1/conversations/:id/media/:mediaId': 'agent',
  'POST /v1/conversations/:id/media': 'agent',
};

/** Routes authenticated otherwise (or public by design), by path or path prefix (`/codec` → `/codec/…`), and why. */
export const ROUTES_NOT_KEYED: Record<string, string> = {
  '/healthz': 'public liveness probe',
  '/readyz': 'public readiness probe',
  '/metrics': 'scraped by the deployment',
  '/webhooks/whatsapp': 'Meta: X-Hub-Signature-256',
  '/admin/v1': 'deployment admin token',
  '/codec': 'operator token or codec session',
  '/sandbox': 'local phone simulator page',
  '/console': 'agent console static page (its API calls use agent keys)',
  '/i18n': 'the message catalogue for the pages: product copy, no data',
  '/': 'public landing page',
  '/docs': 'public API reference page',
  '/openapi.json': 'public OpenAPI document',
};
