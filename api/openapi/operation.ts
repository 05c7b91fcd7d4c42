import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject } from 'zod-openapi';

/** `{error: {code, message, details?}}`: every 4xx and 5xx. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'bad_request' }),
      message: z.string().meta({ example: 'invalid body: customer.userId: is required (expected string)' }),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

const ERROR_MEANING: Record<number, string> = {
  400: 'invalid input: the message and `details.fields` name each field and the form expected',
  401: 'missing, invalid or revoked credentials',
  403: 'the API key lacks the scope this route requires',
  404: 'no such resource for this client',
  409: 'the resource is in a state that refuses this change (the message says why)',
  413: 'request body too large',
  415: 'the body is not sent as application/json',
  422: 'well-formed but cannot be done (e.g. no shipping zone covers the destination)',
  429: 'this API key spent its rate limit: retry after `Retry-After` seconds',
  502: 'the Graph API did not answer (sandbox)',
  503: 'Temporal or PostgreSQL is unreachable: retry',
};

export type Auth = 'apiKey' | 'adminToken' | 'codec' | 'signature' | 'none';

export interface Operation {
  summary: string;
  tag: string;
  auth: Auth;
  path?: z.ZodObject;
  query?: z.ZodObject;
  /** A JSON body (optional when the schema accepts `undefined`). */
  body?: z.ZodType;
  /** A body of another content type (raw file, form). */
  rawBody?: { contentType: string; schema: z.ZodType; required?: boolean };
  /** The success status, its description and (when JSON) its schema. */
  ok: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  errors?: number[];
}

const KEY_ERRORS = [400, 401, 403, 429];
const BODY_ERRORS = [413, 415];

/** One route's OpenAPI operation: its auth, parameters and body from zod, its answers and every error it may give. */
export function operation(o: Operation): ZodOpenApiOperationObject {
  const errors = new Set([
    ...(o.auth === 'apiKey' ? KEY_ERRORS : o.auth === 'none' ? [] : [401]),
    ...(o.body || o.path || o.query ? [400] : []),
    ...(o.body ? BODY_ERRORS : []),
    ...(o.path ? [404] : []),
    ...(o.errors ?? []),
  ]);
  const responses: Record<string, ZodOpenApiResponseObject> = {
    [o.ok.status]: {
      description: o.ok.description,
      ...(o.ok.schema || o.ok.contentType
        ? { content: { [o.ok.contentType ?? 'application/json']: { schema: o.ok.schema ?? z.string() } } }
        : {}),
    },
  };
  for (const status of [...errors].sort())
    responses[status] = {
      description: ERROR_MEANING[status] ?? 'error',
      content: { 'application/json': { schema: errorSchema } },
    };
  const security: Record<string, string[]>[] = {
    apiKey: [{ apiKey: [] }],
    adminToken: [{ adminToken: [] }],
    codec: [{ adminToken: [] }, { codecSession: [] }],
    signature: [{ webhookSignature: [] }],
    none: [],
  }[o.auth];
  const body = o.body
    ? {
        required: !o.body.safeParse(undefined).success,
        content: { 'application/json': { schema: o.body } },
      }
    : o.rawBody
      ? {
          required: o.rawBody.required ?? true,
          content: { [o.rawBody.contentType]: { schema: o.rawBody.schema } },
        }
      : undefined;
  return {
    summary: o.summary,
    tags: [o.tag],
    security,
    ...(o.path || o.query
      ? { requestParams: { ...(o.path ? { path: o.path } : {}), ...(o.query ? { query: o.query } : {}) } }
      : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}
