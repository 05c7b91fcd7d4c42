/**
 * Structured JSON logs, one object per line. Fields named like PII or secrets are redacted before
 * writing, so a careless `log.info('x', { phone })` cannot leak; callers pass hashes and ids instead.
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

const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

const REDACTED_KEYS =
  /^(phone|wa_?id|from|to|name|text|body|caption|address|email|token|secret|password|authorization|api_?key|master_?key|recipient(_id)?|user_?id|profile)$/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error)
    return { name: value.name, message: value.message, type: (value as { type?: string }).type };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = REDACTED_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export type LogSink = (line: string) => void;

/** Creates a logger writing JSON lines to `sink` (stdout by default) at or above `level`. */
export function createLogger(
  level: Level | 'silent' = 'info',
  base: LogFields = {},
  sink: LogSink = (line) => process.stdout.write(line),
): Logger {
  const write = (lvl: Level, msg: string, fields?: LogFields) => {
    if (order[lvl] < order[level]) return;
    const record = {
      time: new Date().toISOString(),
      level: lvl,
      msg,
      ...(redact({ ...base, ...fields }) as LogFields),
    };
    sink(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink),
  };
}
