import { z } from 'zod';
import type { ZodOpenApiOperationObject } from 'zod-openapi';
import { SCOPES } from '../../db/clients';
import { clientSettingsSchema } from '../../settings/client-settings';
import { rateTableSchema } from '../../shipping/rate-table';
import { notificationSchema } from '../../whatsapp/webhook-schema';
import { apiKeyInputSchema, clientInputSchema, clientUpdateSchema, scopeSchema } from '../provisioning';
import { clientIdParam, clientListQuery } from '../routes/admin';
import { pageQuery } from '../routes/audit';
import { payloadsSchema } from '../routes/codec';
import { agentMeSchema, availabilityBody, availabilitySchema } from '../routes/agents';
import { callbackIdParam, callbackSchema, callbacksQuery } from '../routes/callbacks';
import { agentMessageBody, emptyBody, listQuery } from '../routes/conversations';
import {
  botTextsSchema,
  faqContentSchema,
  faqCreateSchema,
  faqIdParam,
  faqListQuery,
  languageParam,
  reviewIdParam,
  teachSchema,
} from '../routes/bot';
import { querySchema as insightsQuery, reviewQuerySchema } from '../routes/insights';
import { cancelSchema, idParam, orderSchema, paymentSchema, shipmentSchema } from '../routes/orders';
import { mediaIdParam, uploadFields } from '../routes/media';
import { requestParam, userParam } from '../routes/privacy';
import { conversationInput, mediaInput, textInput } from '../routes/sandbox';
import { quoteSchema } from '../routes/shipping';
import { templateSendBody, usableTemplateSchema } from '../routes/templates';
import { templateListQuery, templateListSchema, templateSyncSchema } from '../routes/message-templates';
import {
  deliveriesQuery,
  deliveryParams,
  deliverySchema,
  endpointCreateSchema,
  endpointIdParam,
  endpointSchema,
  endpointUpdateSchema,
  endpointWithSecret,
} from '../routes/webhooks';

import { CANNED_VARIABLES, cannedContentSchema } from '../canned';
import { labelBody, noteBody } from '../notes';
import { cannedIdParam, cannedListQuery } from '../routes/canned-responses';
import { labelIdParam, noteIdParam } from '../routes/notes';
import { operation, type Operation } from './operation';

const anyObject = z.looseObject({});
const faqEntry = faqContentSchema.extend({
  id: z.string(),
  language: z.enum(['en', 'es', 'pt']),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const cannedResponse = z.object({
  id: z.string(),
  shortcut: z.string(),
  language: z.enum(['en', 'es', 'pt']),
  body: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const conversationParam = z.object({
  id: z
    .string()
    .regex(/^[\w-]{1,100}$/)
    .meta({ description: 'a conversation ref from `GET /v1/conversations`' }),
});
const keyIdParam = clientIdParam.extend({ keyId: z.string().min(1).max(100) });
const apiKeyCreated = z.object({ apiKey: z.string(), keyId: z.string() });
const orderSummary = z.looseObject({
  orderId: z.string(),
  status: z.string(),
  subtotal: z.number().int(),
  shippingCost: z.number().int(),
  total: z.number().int(),
  currency: z.string(),
});
const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.enum(['ok', 'down', 'rejected', 'blocked'])),
  down: z.array(z.string()).optional(),
  graphTokenRejected: z.array(z.string()).optional(),
  templatesBlocked: z
    .array(z.object({ clientId: z.string(), name: z.string(), language: z.string(), status: z.string() }))
    .optional()
    .meta({ description: 'templates Meta paused or disabled, by client (sends that need them are refused)' }),
});
const clientSummary = z.object({
  clientId: z.string(),
  name: z.string(),
  phoneNumberIds: z.array(z.string()),
  wabaId: z.string().optional(),
  graphToken: z.object({
    status: z.enum(['ok', 'rejected', 'missing']),
    rejectedAt: z.string().optional(),
    rotatedAt: z.string().optional(),
  }),
  createdAt: z.string(),
});
const keySummary = z.object({
  keyId: z.string(),
  label: z.string().nullable(),
  scopes: z.array(scopeSchema),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
const payloads = payloadsSchema;
const page = (tag: string, summary: string) =>
  operation({
    summary,
    tag,
    auth: 'none',
    ok: { status: 200, description: 'an HTML page', contentType: 'text/html' },
  });

/**
 * Every route the API serves, by `METHOD /express/path`, described from the same zod schemas the
 * routes validate with. `test/api/contract.test.ts` enumerates the Express router and fails on a
 * route missing here: add the route's entry (its summary, auth, the schemas it parses, its answers).
 */
export const OPERATIONS: Record<string, ZodOpenApiOperationObject> = {
  'GET /': page(
    'pages',
    'Landing page: what Aura Engage is, links to the console, the sandbox and these docs',
  ),
  'GET /docs': page('pages', 'This interactive API reference'),
  'GET /openapi.json': operation({
    summary: 'This OpenAPI 3.1 document',
    tag: 'pages',
    auth: 'none',
    ok: { status: 200, description: 'the document', schema: anyObject },
  }),
  'GET /console': page('pages', 'Redirects to the agent console at /console/'),
  'GET /i18n/:file': operation({
    summary: 'One section of the message catalogue, every language (`common.json`, `landing.json` …)',
    tag: 'pages',
    auth: 'none',
    path: z.object({ file: z.string().meta({ example: 'common.json' }) }),
    ok: {
      status: 200,
      description: 'the section',
      schema: z.object({
        en: z.record(z.string(), z.string()),
        es: z.record(z.string(), z.string()),
        pt: z.record(z.string(), z.string()),
      }),
    },
  }),
  'GET /healthz': operation({
    summary: 'Liveness: the process runs',
    tag: 'operations',
    auth: 'none',
    ok: { status: 200, description: 'alive', schema: z.object({ status: z.literal('ok') }) },
  }),
  'GET /readyz': operation({
    summary: 'Readiness: every dependency answers',
    tag: 'operations',
    auth: 'none',
    ok: { status: 200, description: 'ready', schema: readiness },
    errors: [503],
  }),
  'GET /metrics': operation({
    summary: 'Prometheus metrics of this API process',
    tag: 'operations',
    auth: 'none',
    ok: { status: 200, description: 'Prometheus text format', contentType: 'text/plain' },
  }),
  'GET /webhooks/whatsapp': operation({
    summary: "Meta's verification handshake",
    tag: 'webhook',
    auth: 'none',
    query: z.object({
      'hub.mode': z.string().optional(),
      'hub.verify_token': z.string().optional(),
      'hub.challenge': z.string().optional(),
    }),
    ok: { status: 200, description: 'the challenge, echoed', contentType: 'text/plain' },
    errors: [403],
  }),
  'POST /webhooks/whatsapp': operation({
    summary: 'Notifications from Meta (signed with X-Hub-Signature-256 over the raw body)',
    tag: 'webhook',
    auth: 'signature',
    rawBody: { contentType: 'application/json', schema: notificationSchema },
    ok: {
      status: 200,
      description: 'every message is durably in Temporal',
      schema: z.object({ ok: z.literal(true) }),
    },
    errors: [400, 413, 503],
  }),
  'GET /codec/login': page('codec', 'Operator sign-in page for the Temporal UI codec'),
  'POST /codec/login': operation({
    summary: 'Sign in with the admin token: sets the codec session cookie',
    tag: 'codec',
    auth: 'none',
    rawBody: { contentType: 'application/x-www-form-urlencoded', schema: z.object({ token: z.string() }) },
    ok: { status: 200, description: 'signed in', contentType: 'text/plain' },
    errors: [401],
  }),
  'POST /codec/encode': operation({
    summary: "Temporal's remote codec: encode payloads",
    tag: 'codec',
    auth: 'codec',
    body: payloads,
    ok: { status: 200, description: 'encoded payloads', schema: payloads },
    errors: [400],
  }),
  'POST /codec/decode': operation({
    summary: "Temporal's remote codec: decode payloads",
    tag: 'codec',
    auth: 'codec',
    body: payloads,
    ok: { status: 200, description: 'decoded payloads', schema: payloads },
    errors: [400],
  }),
  'POST /admin/v1/clients': operation({
    summary: 'Provision a client and its first API key (shown once)',
    tag: 'admin',
    auth: 'adminToken',
    body: clientInputSchema,
    ok: { status: 201, description: 'created', schema: apiKeyCreated.extend({ clientId: z.string() }) },
    errors: [409],
  }),
  'GET /admin/v1/clients': operation({
    summary: 'Clients in creation order, a page at a time (numbers and Graph token state, never the token)',
    tag: 'admin',
    auth: 'adminToken',
    query: clientListQuery,
    ok: {
      status: 200,
      description: 'a page of clients; `next` is the `after` of the next page',
      schema: z.object({ clients: z.array(clientSummary), next: z.string().optional() }),
    },
  }),
  'GET /admin/v1/clients/:clientId': operation({
    summary: 'One client',
    tag: 'admin',
    auth: 'adminToken',
    path: clientIdParam,
    ok: { status: 200, description: 'the client', schema: clientSummary },
  }),
  'PATCH /admin/v1/clients/:clientId': operation({
    summary: 'Change what is given: name, the set of numbers, the Graph token (rotation)',
    tag: 'admin',
    auth: 'adminToken',
    path: clientIdParam,
    body: clientUpdateSchema,
    ok: { status: 200, description: 'the client after the change', schema: clientSummary },
    errors: [409],
  }),
  'GET /admin/v1/clients/:clientId/keys': operation({
    summary: "A client's API keys (labels, scopes, revocations; never a hash)",
    tag: 'admin',
    auth: 'adminToken',
    path: clientIdParam,
    ok: {
      status: 200,
      description: 'the keys, newest first',
      schema: z.object({ keys: z.array(keySummary) }),
    },
  }),
  'POST /admin/v1/clients/:clientId/keys': operation({
    summary: 'Mint another API key for a client (shown once)',
    tag: 'admin',
    auth: 'adminToken',
    path: clientIdParam,
    body: apiKeyInputSchema,
    ok: { status: 201, description: 'created', schema: apiKeyCreated },
  }),
  'DELETE /admin/v1/clients/:clientId/keys/:keyId': operation({
    summary: 'Revoke an API key',
    tag: 'admin',
    auth: 'adminToken',
    path: keyIdParam,
    ok: { status: 204, description: 'revoked' },
  }),
  'GET /v1/me': operation({
    summary: 'The client and scopes of the calling API key',
    tag: 'client',
    auth: 'apiKey',
    ok: {
      status: 200,
      description: 'who is calling',
      schema: z.object({
        clientId: z.string(),
        keyId: z.string(),
        label: z.string().nullable(),
        scopes: z.array(scopeSchema),
      }),
    },
  }),
  'GET /v1/settings': operation({
    summary: "The client's settings (every field, defaults filled in)",
    tag: 'settings',
    auth: 'apiKey',
    ok: { status: 200, description: 'settings', schema: clientSettingsSchema },
    errors: [404],
  }),
  'PUT /v1/settings': operation({
    summary: "Replace the client's settings with a complete document (audited); 400 names what is missing",
    tag: 'settings',
    auth: 'apiKey',
    body: clientSettingsSchema,
    ok: { status: 200, description: 'the stored settings', schema: clientSettingsSchema },
  }),
  'PATCH /v1/settings': operation({
    summary:
      "Change some of the client's settings: a JSON merge patch (RFC 7396; application/merge-patch+json or application/json), audited",
    tag: 'settings',
    auth: 'apiKey',
    body: anyObject.meta({ description: 'objects merge, null puts a field back to its default' }),
    ok: { status: 200, description: 'the stored settings', schema: clientSettingsSchema },
  }),
  'POST /v1/webhooks': operation({
    summary: 'Register an event endpoint (URL and events); its signing secret is shown only in this answer',
    tag: 'settings',
    auth: 'apiKey',
    body: endpointCreateSchema,
    ok: { status: 201, description: 'the endpoint, with its secret', schema: endpointWithSecret },
  }),
  'GET /v1/webhooks': operation({
    summary: "The client's event endpoints (without secrets)",
    tag: 'settings',
    auth: 'apiKey',
    ok: { status: 200, description: 'endpoints', schema: z.object({ endpoints: z.array(endpointSchema) }) },
  }),
  'GET /v1/webhooks/:id': operation({
    summary: 'One event endpoint',
    tag: 'settings',
    auth: 'apiKey',
    path: endpointIdParam,
    ok: { status: 200, description: 'the endpoint', schema: endpointSchema },
  }),
  'PATCH /v1/webhooks/:id': operation({
    summary: 'Change an endpoint: URL, events, or enabled (enabling sends what waited)',
    tag: 'settings',
    auth: 'apiKey',
    path: endpointIdParam,
    body: endpointUpdateSchema,
    ok: { status: 200, description: 'the endpoint', schema: endpointSchema },
  }),
  'DELETE /v1/webhooks/:id': operation({
    summary: 'Remove an endpoint and its deliveries',
    tag: 'settings',
    auth: 'apiKey',
    path: endpointIdParam,
    ok: { status: 204, description: 'removed' },
  }),
  'POST /v1/webhooks/:id/rotate-secret': operation({
    summary: 'A new signing secret, shown only in this answer; the old one stops signing at once',
    tag: 'settings',
    auth: 'apiKey',
    path: endpointIdParam,
    ok: { status: 200, description: 'the endpoint, with its new secret', schema: endpointWithSecret },
  }),
  'GET /v1/webhooks/:id/deliveries': operation({
    summary: "An endpoint's deliveries, newest first: payload, attempts, last status and error",
    tag: 'settings',
    auth: 'apiKey',
    path: endpointIdParam,
    query: deliveriesQuery,
    ok: {
      status: 200,
      description: 'deliveries',
      schema: z.object({ deliveries: z.array(deliverySchema) }),
    },
  }),
  'POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver': operation({
    summary: 'Send a delivery again (same event id and body), after what is pending',
    tag: 'settings',
    auth: 'apiKey',
    path: deliveryParams,
    ok: { status: 202, description: 'the new delivery', schema: deliverySchema },
    errors: [409],
  }),
  'GET /v1/callbacks': operation({
    summary: 'Customers who asked to be contacted after the maximum wait, oldest first',
    tag: 'conversations',
    auth: 'apiKey',
    query: callbacksQuery,
    ok: {
      status: 200,
      description: 'open callback requests',
      schema: z.object({ callbacks: z.array(callbackSchema) }),
    },
  }),
  'POST /v1/callbacks/:id/done': operation({
    summary: 'Mark a callback request done once an agent has called back',
    tag: 'conversations',
    auth: 'apiKey',
    path: callbackIdParam,
    ok: { status: 204, description: 'closed' },
  }),
  'GET /v1/audit': operation({
    summary: "The client's audit records in id order, paged by cursor",
    tag: 'settings',
    auth: 'apiKey',
    query: pageQuery,
    ok: {
      status: 200,
      description: 'a page of records',
      schema: z.object({ records: z.array(anyObject), nextCursor: z.string().nullable() }),
    },
  }),
  'GET /v1/insights': operation({
    summary: 'Service metrics over a period (default the last 30 days, at most 366)',
    tag: 'insights',
    auth: 'apiKey',
    query: insightsQuery,
    ok: { status: 200, description: 'aggregates', schema: anyObject },
  }),
  'GET /v1/insights/no-match': operation({
    summary: 'Redacted utterances the NLU did not understand (when review is on); each read is audited',
    tag: 'insights',
    auth: 'apiKey',
    query: reviewQuerySchema,
    ok: {
      status: 200,
      description: 'utterances, newest first',
      schema: z.object({ from: z.string(), to: z.string(), enabled: z.boolean(), items: z.array(anyObject) }),
    },
  }),
  'POST /v1/insights/no-match/:id/teach': operation({
    summary:
      'Teach the bot a kept no-match utterance: an example of an FAQ entry (`entryId`) or a new entry (`answer`); the item leaves the review',
    tag: 'insights',
    auth: 'apiKey',
    path: reviewIdParam,
    body: teachSchema,
    ok: { status: 200, description: 'the entry that learnt it (201 when new)', schema: faqEntry },
    errors: [409],
  }),
  'GET /v1/bot/faq': operation({
    summary: "The client's FAQ entries, of one language or all, oldest first",
    tag: 'bot',
    auth: 'apiKey',
    query: faqListQuery,
    ok: { status: 200, description: 'entries', schema: z.object({ entries: z.array(faqEntry) }) },
  }),
  'POST /v1/bot/faq': operation({
    summary: 'Add an FAQ entry: example questions in one language and the answer (audited; the bot retrains)',
    tag: 'bot',
    auth: 'apiKey',
    body: faqCreateSchema,
    ok: { status: 201, description: 'the entry', schema: faqEntry },
    errors: [409],
  }),
  'GET /v1/bot/faq/:id': operation({
    summary: 'One FAQ entry',
    tag: 'bot',
    auth: 'apiKey',
    path: faqIdParam,
    ok: { status: 200, description: 'the entry', schema: faqEntry },
  }),
  'PUT /v1/bot/faq/:id': operation({
    summary: "Replace an FAQ entry's examples and answer (audited; the bot retrains)",
    tag: 'bot',
    auth: 'apiKey',
    path: faqIdParam,
    body: faqContentSchema,
    ok: { status: 200, description: 'the entry', schema: faqEntry },
  }),
  'DELETE /v1/bot/faq/:id': operation({
    summary: 'Delete an FAQ entry (audited; the bot retrains)',
    tag: 'bot',
    auth: 'apiKey',
    path: faqIdParam,
    ok: { status: 204, description: 'deleted' },
  }),
  'GET /v1/bot/texts': operation({
    summary: 'The greeting and menu texts the client set over the catalogue, per language',
    tag: 'bot',
    auth: 'apiKey',
    ok: {
      status: 200,
      description: 'overrides by language',
      schema: z.object({ texts: z.record(z.string(), botTextsSchema) }),
    },
  }),
  'PUT /v1/bot/texts/:language': operation({
    summary: "Replace one language's greeting and menu texts (absent keys use the catalogue's; audited)",
    tag: 'bot',
    auth: 'apiKey',
    path: languageParam,
    body: botTextsSchema,
    ok: {
      status: 200,
      description: 'the stored texts',
      schema: z.object({ language: z.string(), texts: botTextsSchema }),
    },
  }),
  'GET /v1/privacy/subjects/:userId/export': operation({
    summary: 'Everything held about an end-user, decrypted (audited)',
    tag: 'privacy',
    auth: 'apiKey',
    path: userParam,
    ok: { status: 200, description: 'the export', schema: anyObject },
  }),
  'DELETE /v1/privacy/subjects/:userId': operation({
    summary: 'Erase everything held about an end-user (follow it at /v1/privacy/requests/{id})',
    tag: 'privacy',
    auth: 'apiKey',
    path: userParam,
    ok: { status: 202, description: 'erasure started', schema: z.object({ requestId: z.string() }) },
    errors: [503],
  }),
  'GET /v1/privacy/requests/:id': operation({
    summary: 'The state of an erasure request',
    tag: 'privacy',
    auth: 'apiKey',
    path: requestParam,
    ok: { status: 200, description: 'the request', schema: anyObject },
  }),
  'POST /v1/orders': operation({
    summary: 'Create an order (the same id and content again answers 200)',
    tag: 'orders',
    auth: 'apiKey',
    body: orderSchema,
    ok: { status: 201, description: 'created, with its shipping cost', schema: orderSummary },
    errors: [409, 422, 503],
  }),
  'GET /v1/orders/:id': operation({
    summary: 'An order with its notifications',
    tag: 'orders',
    auth: 'apiKey',
    path: idParam,
    ok: { status: 200, description: 'the order', schema: anyObject },
    errors: [503],
  }),
  'POST /v1/orders/:id/payment': transition('Record a payment status', paymentSchema),
  'POST /v1/orders/:id/shipment': transition('Record the shipment (carrier, tracking)', shipmentSchema),
  'POST /v1/orders/:id/delivered': transition('Record the delivery', emptyBody),
  'POST /v1/orders/:id/cancel': transition('Cancel the order', cancelSchema.optional()),
  'PUT /v1/shipping/rates': operation({
    summary: "Replace the client's shipping rate table",
    tag: 'shipping',
    auth: 'apiKey',
    body: rateTableSchema,
    ok: { status: 200, description: 'the stored table', schema: rateTableSchema },
  }),
  'GET /v1/shipping/rates': operation({
    summary: "The client's shipping rate table",
    tag: 'shipping',
    auth: 'apiKey',
    ok: { status: 200, description: 'the table', schema: rateTableSchema },
    errors: [404],
  }),
  'POST /v1/shipping/quote': operation({
    summary: 'Quote shipping for a destination and items',
    tag: 'shipping',
    auth: 'apiKey',
    body: quoteSchema,
    ok: { status: 200, description: 'the quote', schema: anyObject },
    errors: [422],
  }),
  'GET /v1/conversations': operation({
    summary:
      "Conversations by mode and/or label (`?label=`, looked up by its keyed hash); agents also get the customer's name and, when queued, a preview (audited)",
    tag: 'conversations',
    auth: 'apiKey',
    query: listQuery,
    ok: {
      status: 200,
      description: 'conversations',
      schema: z.object({ conversations: z.array(anyObject) }),
    },
  }),
  'GET /v1/conversations/events': operation({
    summary: "Server-sent events of the client's conversations (ref, mode, event type)",
    tag: 'conversations',
    auth: 'apiKey',
    ok: { status: 200, description: 'an event stream', contentType: 'text/event-stream' },
  }),
  'GET /v1/conversations/:id': conversationOp(
    'A conversation with its decrypted transcript (audited)',
    undefined,
    200,
  ),
  'GET /v1/conversations/:id/orders': conversationOp(
    "The orders of the conversation's end-user",
    undefined,
    200,
  ),
  'GET /v1/conversations/:id/contact': conversationOp(
    'The customer card: name, number, language, consent, window, past handoffs, orders (audited, never cached)',
    undefined,
    200,
  ),
  'POST /v1/conversations/:id/assign': conversationOp('Accept a queued conversation as its agent', emptyBody),
  'POST /v1/conversations/:id/takeover': conversationOp(
    'Take a conversation over from the bot or another agent',
    emptyBody,
  ),
  'POST /v1/conversations/:id/messages': conversationOp('Send a message as the agent', agentMessageBody, 201),
  'GET /v1/conversations/:id/media/:mediaId': operation({
    summary: 'A file of the conversation, streamed while it is unsealed (audited, never cached)',
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam.extend({ mediaId: mediaIdParam }),
    ok: {
      status: 200,
      description: 'the file, with its own Content-Type and a safe file name',
      contentType: 'application/octet-stream',
      schema: z.string().meta({ format: 'binary' }),
    },
    errors: [503],
  }),
  'POST /v1/conversations/:id/media': operation({
    summary: 'Send an image or a document as the agent (multipart: `file`, optional `caption`)',
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam,
    rawBody: {
      contentType: 'multipart/form-data',
      schema: uploadFields.extend({ file: z.string().meta({ format: 'binary' }) }),
    },
    ok: { status: 201, description: 'sent', schema: anyObject },
    errors: [409, 413, 415, 503],
  }),
  'POST /v1/conversations/:id/resolve': conversationOp('Hand the conversation back to the bot', emptyBody),
  'GET /v1/conversations/:id/templates': operation({
    summary:
      "The client's templates an agent may send here, in the conversation's language (else the client's default)",
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam,
    ok: {
      status: 200,
      description: 'one template per configured purpose',
      schema: z.object({ language: z.string(), templates: z.array(usableTemplateSchema) }),
    },
  }),
  'POST /v1/conversations/:id/templates': operation({
    summary: 'Send one of those templates as the agent (also outside the 24-hour window)',
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam,
    body: templateSendBody,
    ok: { status: 201, description: 'sent', schema: anyObject },
    errors: [409],
  }),
  'GET /v1/templates': templateOp(
    "The client's WhatsApp Business Account templates (status, quality, components and the parameters a send fills), as last synced from the Graph API and updated by Meta's template webhooks",
    { status: 200, description: 'the templates, by name and language', schema: templateListSchema },
    templateListQuery,
  ),
  'POST /v1/templates/sync': templateOp(
    "Sync the client's templates from the Graph API now (every page of Meta's list)",
    { status: 200, description: 'synced', schema: templateSyncSchema },
  ),
  'GET /v1/agents/me': operation({
    summary: "The calling agent's availability and the client's handoff SLA",
    tag: 'conversations',
    auth: 'apiKey',
    ok: { status: 200, description: 'the agent', schema: agentMeSchema },
  }),
  'PUT /v1/agents/me/availability': operation({
    summary: 'Set the calling agent available or away (away agents do not count at the handoff SLA)',
    tag: 'conversations',
    auth: 'apiKey',
    body: availabilityBody,
    ok: { status: 200, description: 'the availability', schema: availabilitySchema },
  }),
  'GET /sandbox/api/numbers': sandbox('The business numbers the phone simulator can write to'),
  'POST /sandbox/api/messages': sandbox('Send a text or a button reply as an end-user', textInput),
  'POST /sandbox/api/media': operation({
    summary: 'Send an image or a voice note as an end-user (local profile only)',
    tag: 'sandbox',
    auth: 'none',
    query: mediaInput,
    rawBody: { contentType: 'application/octet-stream', schema: z.string().meta({ format: 'binary' }) },
    ok: { status: 200, description: 'delivered to the webhook', schema: anyObject },
    errors: [502],
  }),
  'GET /sandbox/api/conversation': operation({
    summary: 'Both sides of a simulated conversation (local profile only)',
    tag: 'sandbox',
    auth: 'none',
    query: conversationInput,
    ok: { status: 200, description: 'the conversation', schema: anyObject },
    errors: [502],
  }),
  // Canned responses, notes and labels.
  'GET /v1/canned-responses': operation({
    summary: "The client's canned responses, of one language or all, by shortcut",
    tag: 'settings',
    auth: 'apiKey',
    query: cannedListQuery,
    ok: { status: 200, description: 'responses', schema: z.object({ responses: z.array(cannedResponse) }) },
  }),
  'POST /v1/canned-responses': operation({
    summary: `Add a canned response: a shortcut, a language and a body with variables among ${CANNED_VARIABLES.map((v) => `{{${v}}}`).join(', ')} (audited)`,
    tag: 'settings',
    auth: 'apiKey',
    body: cannedContentSchema,
    ok: { status: 201, description: 'the response', schema: cannedResponse },
    errors: [409],
  }),
  'GET /v1/canned-responses/:id': operation({
    summary: 'One canned response',
    tag: 'settings',
    auth: 'apiKey',
    path: cannedIdParam,
    ok: { status: 200, description: 'the response', schema: cannedResponse },
  }),
  'PUT /v1/canned-responses/:id': operation({
    summary: 'Replace a canned response (audited)',
    tag: 'settings',
    auth: 'apiKey',
    path: cannedIdParam,
    body: cannedContentSchema,
    ok: { status: 200, description: 'the response', schema: cannedResponse },
    errors: [409],
  }),
  'DELETE /v1/canned-responses/:id': operation({
    summary: 'Delete a canned response (audited)',
    tag: 'settings',
    auth: 'apiKey',
    path: cannedIdParam,
    ok: { status: 204, description: 'deleted' },
  }),
  'GET /v1/conversations/:id/canned-responses': operation({
    summary:
      "The canned responses in the conversation's language (else the client's default), variables filled for this customer (audited when the name is read)",
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam,
    ok: {
      status: 200,
      description: 'responses with `text` filled and the variables left `missing`',
      schema: z.object({
        language: z.enum(['en', 'es', 'pt']),
        responses: z.array(cannedResponse.extend({ text: z.string(), missing: z.array(z.string()) })),
      }),
    },
  }),
  'POST /v1/conversations/:id/notes': operation({
    summary: "Add a private note on the conversation's contact (never sent; sealed; audited)",
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam,
    body: noteBody,
    ok: { status: 201, description: 'the note', schema: anyObject },
    errors: [409],
  }),
  'DELETE /v1/conversations/:id/notes/:noteId': operation({
    summary: "Delete a note on the conversation's contact (audited)",
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam.extend(noteIdParam.shape),
    ok: { status: 204, description: 'deleted' },
  }),
  'POST /v1/conversations/:id/labels': operation({
    summary: 'Label the conversation (sealed; the list filters by it with `?label=`; audited)',
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam,
    body: labelBody,
    ok: { status: 201, description: 'the label', schema: anyObject },
    errors: [409],
  }),
  'DELETE /v1/conversations/:id/labels/:labelId': operation({
    summary: 'Remove a label from the conversation (audited)',
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam.extend(labelIdParam.shape),
    ok: { status: 204, description: 'removed' },
  }),
};

function transition(summary: string, body: z.ZodType): ZodOpenApiOperationObject {
  return operation({
    summary,
    tag: 'orders',
    auth: 'apiKey',
    path: idParam,
    body,
    ok: { status: 200, description: 'the order after the change', schema: anyObject },
    errors: [409, 503],
  });
}

function conversationOp(summary: string, body?: z.ZodType, status = 200): ZodOpenApiOperationObject {
  return operation({
    summary,
    tag: 'conversations',
    auth: 'apiKey',
    path: conversationParam,
    body,
    ok: { status, description: 'done', schema: anyObject },
    errors: body ? [409] : [],
  });
}

/**
 * A template route: it may run a sync first, so it answers 409 without an account id, 502 when Meta
 * refuses the list and 503 when the sync cannot finish.
 */
function templateOp(
  summary: string,
  ok: Operation['ok'],
  query?: Operation['query'],
): ZodOpenApiOperationObject {
  return operation({ summary, tag: 'settings', auth: 'apiKey', query, ok, errors: [409, 502, 503] });
}

function sandbox(summary: string, body?: z.ZodType): ZodOpenApiOperationObject {
  return operation({
    summary: `${summary} (local profile only)`,
    tag: 'sandbox',
    auth: 'none',
    body,
    ok: { status: 200, description: 'done', schema: anyObject },
    errors: [502],
  });
}

/** The scopes a key may carry, for the security scheme's description. */
export const SCOPE_LIST = SCOPES.join(', ');
