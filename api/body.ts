import express, { type RequestHandler } from 'express';
import { HttpError } from './errors';

/** A request carries a body when it says so (Content-Length above 0, or a chunked transfer). */
const hasBody = (headers: Record<string, unknown>) =>
  headers['transfer-encoding'] !== undefined ||
  (headers['content-length'] !== undefined && headers['content-length'] !== '0');

/**
 * A JSON request body up to `limit`: a body sent with another Content-Type is refused with 415 (it
 * would otherwise reach the route as no body at all); a body that does not parse is a 400 saying
 * where (the error middleware words it). A request without a body passes with `req.body` undefined,
 * so routes whose body is optional take none.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit, type: ['application/json', 'application/*+json'] });
  return (req, res, next) => {
    if (!hasBody(req.headers)) return next();
    if (!req.is(['application/json', 'application/*+json'])) {
      const sent = req.header('content-type');
      return next(
        new HttpError(
          415,
          'unsupported_media_type',
          `the request body must be JSON sent with Content-Type: application/json (got ${sent ? JSON.stringify(sent) : 'no Content-Type'})`,
        ),
      );
    }
    parse(req, res, next);
  };
}
