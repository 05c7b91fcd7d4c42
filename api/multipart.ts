import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { badRequest } from './errors';

/** The one file part of an upload as it arrives: a stream, its declared type and name. */
export interface IncomingFile {
  stream: Readable;
  mimeType: string;
  fileName: string;
}

const LIMITS = { files: 1, fields: 4, parts: 6, fieldSize: 4096, headerPairs: 20 };

/**
 * Parses a `multipart/form-data` request with busboy, streaming: the part named `file` goes to
 * `store` as it arrives (the caller enforces its size and type limits while reading), text fields
 * are collected (at most 4, 4 KB each). Rejects with a 4xx for anything else: no file, a second
 * file, too many parts, a malformed body. On rejection the rest of the body is drained and
 * discarded, and a file `store` already kept is handed to `discard`.
 */
export function parseUpload<T>(
  req: Request,
  fileSizeLimit: number,
  store: (file: IncomingFile) => Promise<T>,
  discard: (stored: T) => Promise<void>,
): Promise<{ fields: Record<string, string>; file: T }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { ...LIMITS, fileSize: fileSizeLimit + 1 },
      });
    } catch {
      return reject(badRequest('expected a multipart/form-data body with a file'));
    }
    const fields: Record<string, string> = {};
    let pending: Promise<T> | undefined;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      pending?.then(discard).catch(() => undefined);
      reject(err);
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(badRequest(`field ${name} is too long`));
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || pending) {
        stream.resume();
        return fail(badRequest('send exactly one file, in the field "file"'));
      }
      pending = store({ stream, mimeType: info.mimeType, fileName: info.filename ?? '' });
      pending.catch(fail);
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const)
      parser.on(limit, () => fail(badRequest('too many parts: one file and at most 4 fields')));
    parser.on('error', () => fail(badRequest('malformed multipart body')));
    parser.on('close', () => {
      if (failed) return;
      if (!pending) return fail(badRequest('no file: send it in the field "file"'));
      pending.then((file) => (failed ? discard(file) : resolve({ fields, file })), fail);
    });
    req.pipe(parser);
  });
}
