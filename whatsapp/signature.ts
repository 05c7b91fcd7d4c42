import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { Sema } from 'async-sema';

/** Bytes of the body escaped between two yields to the event loop. */
const ESCAPE_SLICE = 128 * 1024;
/** Escaped forms computed at once in this process; more bodies wait their turn. */
const escapes = new Sema(2);

/**
 * Checks Meta's `X-Hub-Signature-256` over the raw body as it arrives, against every configured app
 * secret (two during rotation), in constant time. Meta signs the payload with non-ASCII characters
 * escaped as lowercase `\uXXXX`; only when the raw bytes do not match and the body had non-ASCII
 * bytes is that form computed and tried. This runs before the sender is authenticated, so it costs
 * little and never long at once: the raw HMACs are updated chunk by chunk as the body is read, and
 * the escaped form is one linear pass (no regular expression, no string per character) in 128 KiB
 * slices with a yield to the event loop between them, at most two bodies at once per process. Never re-serialises parsed JSON.
 */
export class SignatureCheck {
  private readonly macs: Hmac[];
  private readonly chunks: Buffer[] = [];
  private nonAscii = false;

  constructor(private readonly secrets: readonly string[]) {
    this.macs = secrets.map((secret) => createHmac('sha256', secret));
  }

  /** Feeds the next chunk of the raw body. */
  update(chunk: Buffer): void {
    for (const mac of this.macs) mac.update(chunk);
    if (!this.nonAscii) this.nonAscii = hasNonAscii(chunk);
    this.chunks.push(chunk);
  }

  /** Whether `header` signs the body fed so far (`escape` is there for tests to count calls). */
  async verify(header: string | undefined, escape: typeof escapeNonAscii = escapeNonAscii): Promise<boolean> {
    const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
    if (!match) return false;
    const expected = Buffer.from(match[1]!.toLowerCase(), 'hex');
    if (matchesAny(this.macs, expected)) return true;
    if (!this.nonAscii) return false;
    const body = Buffer.concat(this.chunks);
    const macs = this.secrets.map((secret) => createHmac('sha256', secret));
    await escapes.acquire();
    try {
      for (let from = 0; from < body.length;) {
        const to = sliceEnd(body, from + ESCAPE_SLICE);
        escape(body.subarray(from, to), (chunk) => macs.forEach((m) => m.update(chunk)));
        from = to;
        await setImmediate();
      }
    } finally {
      escapes.release();
    }
    return matchesAny(macs, expected);
  }
}

/** Checks a whole body at once (tests, small callers). */
export async function verifySignature(
  raw: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  escape: typeof escapeNonAscii = escapeNonAscii,
): Promise<boolean> {
  const check = new SignatureCheck(secrets);
  check.update(raw);
  return check.verify(header, escape);
}

/** Every secret's digest is compared, so timing does not say which one matched. */
function matchesAny(macs: Hmac[], expected: Buffer): boolean {
  return macs.reduce((ok, mac) => timingSafeEqual(mac.digest(), expected) || ok, false);
}

/** `at`, moved back to the start of a UTF-8 sequence (never inside one), or the body's end. */
function sliceEnd(body: Buffer, at: number): number {
  if (at >= body.length) return body.length;
  let end = at;
  while (end > at - 4 && (body[end]! & 0xc0) === 0x80) end -= 1;
  return end;
}

function hasNonAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return true;
  return false;
}

const HEX = Buffer.from('0123456789abcdef');
const CHUNK = 64 * 1024;

/** Writes `\uXXXX` (lowercase hex) for one UTF-16 code unit at `at`; returns the next position. */
function writeEscape(out: Buffer, at: number, unit: number): number {
  out[at] = 0x5c; // \
  out[at + 1] = 0x75; // u
  out[at + 2] = HEX[unit >> 12]!;
  out[at + 3] = HEX[(unit >> 8) & 0xf]!;
  out[at + 4] = HEX[(unit >> 4) & 0xf]!;
  out[at + 5] = HEX[unit & 0xf]!;
  return at + 6;
}

const isCont = (bytes: Buffer, i: number) => i < bytes.length && (bytes[i]! & 0xc0) === 0x80;

/** Length of the valid UTF-8 sequence starting at `i` (2, 3 or 4), or 0 when it is not one. */
function sequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i]!;
  if (b >= 0xc2 && b <= 0xdf) return isCont(bytes, i + 1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const b1 = bytes[i + 1] ?? 0;
    const ok = (b !== 0xe0 || b1 >= 0xa0) && (b !== 0xed || b1 < 0xa0); // no overlongs, no surrogates
    return ok && isCont(bytes, i + 1) && isCont(bytes, i + 2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const b1 = bytes[i + 1] ?? 0;
    const ok = (b !== 0xf0 || b1 >= 0x90) && (b !== 0xf4 || b1 < 0x90);
    return ok && isCont(bytes, i + 1) && isCont(bytes, i + 2) && isCont(bytes, i + 3) ? 4 : 0;
  }
  return 0;
}

/** The code point of the valid `n`-byte sequence at `i`. */
function codePoint(bytes: Buffer, i: number, n: number): number {
  let cp = bytes[i]! & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) cp = (cp << 6) | (bytes[i + k]! & 0x3f);
  return cp;
}

/**
 * The form Meta signs, from the raw UTF-8 bytes: every UTF-16 code unit above 0x7f as a lowercase
 * `\uXXXX` escape (beyond the BMP as its surrogate pair; an invalid byte as U+FFFD), ASCII as it
 * is. One linear pass over the bytes with no regular expression and no string per character (this
 * runs before the sender is authenticated), written into one 64 KiB buffer handed to `sink` each
 * time it fills, so memory stays constant whatever the body.
 */
export function escapeNonAscii(bytes: Buffer, sink: (chunk: Buffer) => void): void {
  const out = Buffer.allocUnsafe(CHUNK);
  let at = 0;
  for (let i = 0; i < bytes.length;) {
    if (at > CHUNK - 12) {
      sink(out.subarray(0, at));
      at = 0;
    }
    const b = bytes[i]!;
    if (b < 0x80) {
      out[at++] = b;
      i += 1;
      continue;
    }
    const n = sequenceLength(bytes, i);
    const cp = n === 0 ? 0xfffd : codePoint(bytes, i, n);
    i += n || 1;
    if (cp < 0x10000) at = writeEscape(out, at, cp);
    else {
      at = writeEscape(out, at, 0xd800 + ((cp - 0x10000) >> 10));
      at = writeEscape(out, at, 0xdc00 + ((cp - 0x10000) & 0x3ff));
    }
  }
  if (at > 0) sink(out.subarray(0, at));
}

/** Signs a body as Meta does (tests, the sandbox). */
export function signBody(body: string | Buffer, secret: string): string {
  const mac = createHmac('sha256', secret);
  escapeNonAscii(typeof body === 'string' ? Buffer.from(body) : body, (chunk) => mac.update(chunk));
  return `sha256=${mac.digest('hex')}`;
}
