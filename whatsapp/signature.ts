import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';

/**
 * Checks Meta's `X-Hub-Signature-256` over the raw body, against every configured app secret (two
 * during rotation), in constant time. Meta signs the payload with non-ASCII characters escaped as
 * lowercase `\uXXXX`; only when the raw bytes do not match and the body has non-ASCII bytes is that
 * form computed and tried — in one linear pass over the bytes, no regular expression and no
 * string per character, since this runs before the sender is authenticated. Never re-serialises
 * parsed JSON. (`escape` is there for tests to count calls.)
 */
export function verifySignature(
  raw: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  escape: typeof escapeNonAscii = escapeNonAscii,
): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = Buffer.from(match[1]!.toLowerCase(), 'hex');
  if (signedBy(secrets, expected, (macs) => macs.forEach((m) => m.update(raw)))) return true;
  if (!hasNonAscii(raw)) return false;
  return signedBy(secrets, expected, (macs) => escape(raw, (chunk) => macs.forEach((m) => m.update(chunk))));
}

/** Every secret is tried (the body is fed to all at once), so timing does not say which matched. */
function signedBy(secrets: readonly string[], expected: Buffer, feed: (macs: Hmac[]) => void): boolean {
  const macs = secrets.map((secret) => createHmac('sha256', secret));
  feed(macs);
  return macs.reduce((ok, mac) => timingSafeEqual(mac.digest(), expected) || ok, false);
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
