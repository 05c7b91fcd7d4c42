import pino, { type DestinationStream } from 'pino';

/**
 * Structured JSON logs (pino), one object per line. Fields named like PII or secrets are redacted by
 * path before writing, at any depth up to four levels, so a careless `log.info('x', { phone })`
 * cannot leak; callers pass hashes and ids instead. Errors are written as name, message and type:
 * a stack or a driver's detail may quote the values that failed. Pretty lines (pino-pretty) only in
 * the local profile.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Field names that carry PII or secrets, wherever they appear. */
export const REDACTED_KEYS = [
  'phone',
  'waId',
  'wa_id',
  'from',
  'to',
  'name',
  'text',
  'body',
  'caption',
  'address',
  'email',
  'token',
  'secret',
  'password',
  'authorization',
  'apiKey',
  'api_key',
  'masterKey',
  'master_key',
  'recipient',
  'recipient_id',
  'recipientId',
  'userId',
  'user_id',
  'profile',
] as const;

const DEPTH = 4;
const REDACT_PATHS = REDACTED_KEYS.flatMap((key) =>
  Array.from({ length: DEPTH + 1 }, (_, depth) => `${'*.'.repeat(depth)}${key}`),
);

/** `class`, not `name`: `name` is a redacted key. */
const serializeError = (err: unknown) =>
  err instanceof Error
    ? { class: err.name, message: err.message, type: (err as { type?: string }).type }
    : err;

export type LogSink = (line: string) => void;

export interface LoggerOptions {
  /** Human-readable, coloured lines (pino-pretty): the local profile only. */
  pretty?: boolean;
}

/** Creates a logger writing JSON lines to `sink` (stdout by default) at or above `level`. */
export function createLogger(
  level: Level | 'silent' = 'info',
  base: LogFields = {},
  sink?: LogSink,
  options: LoggerOptions = {},
): Logger {
  const logger = pino(
    {
      level,
      base,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination(sink, options),
  );
  return wrap(logger);
}

function destination(sink: LogSink | undefined, options: LoggerOptions): DestinationStream {
  if (sink) return { write: sink };
  if (options.pretty) {
    // Loaded only here: a dev dependency, absent from the production image.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', singleLine: true });
  }
  return pino.destination({ dest: 1, sync: true });
}

/** Our interface over pino: methods that may be passed around detached, fields before the message. */
function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    child: (fields) => wrap(p.child(fields)),
  };
}
