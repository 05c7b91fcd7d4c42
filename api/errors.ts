import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { ConversationNotFoundError, UpdateRefusedError } from '../conversations/errors';
import { routeOf } from './context';

/** An error with an HTTP status and a stable code; the one error middleware turns it into JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new HttpError(400, 'bad_request', message, details);
export const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (what = 'resource') => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'conflict', message);
export const unavailable = (message: string) => new HttpError(503, 'unavailable', message);

/** One refused field: where it is (`customer.userId`, `query.limit`) and what was expected there. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** What a zod issue says about its field, in a developer's words: what is missing or what form is expected. */
function problemsOf(issue: z.core.$ZodIssue, where: string): FieldProblem[] {
  // Body fields are named as they are (`customer.userId`), query and path ones with their place (`query.limit`).
  const at = (path: PropertyKey[]) =>
    [...(where === 'body' ? [] : [where]), ...path.map(String)].join('.') || where;
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((k) => ({
      field: at([...issue.path, k]),
      message: 'is not a known field (remove it)',
    }));
  const field = at(issue.path);
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    const message =
      field === 'body'
        ? 'is required: send a JSON object with Content-Type: application/json'
        : `is required (expected ${issue.expected})`;
    return [{ field, message }];
  }
  return [{ field, message: issue.message.replace(/^Invalid input: /, '') }];
}

/** Parses `value` with `schema` or throws a 400 that names every offending field and its expected form. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.flatMap((i) => problemsOf(i, where));
  throw badRequest(`invalid ${where}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, {
    fields,
  });
}

export const notFoundHandler: RequestHandler = (req, _res, next) =>
  next(
    new HttpError(404, 'not_found', `no route ${req.method} ${req.path}: see /openapi.json for the routes`),
  );

/** The one place errors become responses. Callers never see stack traces; 5xx are logged. */
export const errorMiddleware: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const mapped = toHttpError(err);
  if (mapped.status >= 500) {
    // The route pattern, never the path: `/v1/privacy/subjects/<phone number>` is PII.
    res.locals.log?.error('request failed', {
      err: err as Error,
      method: req.method,
      route: routeOf(req, res),
      status: mapped.status,
    });
  }
  if (res.headersSent) return;
  res.status(mapped.status).json({
    error: {
      code: mapped.code,
      message: mapped.message,
      ...(mapped.details ? { details: mapped.details } : {}),
    },
  });
};

/** PostgreSQL refusing a character text cannot hold (NUL, `\u0000`): the input's fault, not ours. */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ConversationNotFoundError) return notFound('conversation');
  if (err instanceof UpdateRefusedError) return new HttpError(409, 'conflict', err.message, err.details);
  const e = err as { type?: string; status?: number; expose?: boolean; message?: string; code?: string };
  if (e?.code && UNSTORABLE_TEXT.has(e.code))
    return badRequest('the request holds a character that cannot be stored (NUL, \\u0000)');
  // body-parser errors carry a status and a type.
  if (e?.type === 'entity.too.large')
    return new HttpError(413, 'payload_too_large', 'request body too large');
  if (e?.type === 'entity.parse.failed')
    return badRequest(`request body is not valid JSON: ${e.message ?? 'it does not parse'}`);
  if (e?.expose && typeof e.status === 'number' && e.status < 500) {
    const code = e.status === 415 ? 'unsupported_media_type' : 'bad_request';
    return new HttpError(e.status, code, e.message ?? 'bad request');
  }
  return new HttpError(500, 'internal', 'internal error');
}
