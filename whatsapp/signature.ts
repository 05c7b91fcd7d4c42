import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks Meta's `X-Hub-Signature-256` over the raw body, against every configured app secret (two
 * during rotation), in constant time. Meta signs the payload with non-ASCII characters escaped as
 * lowercase `\uXXXX`; when the raw bytes do not match and the body has non-ASCII bytes, that form is
 * tried too. Never re-serialises parsed JSON.
 */
export function verifySignature(
  raw: Buffer,
  header: string | undefined,
  secrets: readonly string[],
): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = Buffer.from(match[1]!.toLowerCase(), 'hex');
  const candidates = [raw];
  if (raw.some((b) => b > 0x7f)) candidates.push(Buffer.from(escapeNonAscii(raw.toString('utf8'))));
  let ok = false;
  for (const secret of secrets) {
    for (const body of candidates) {
      const digest = createHmac('sha256', secret).update(body).digest();
      // Every combination is computed, so timing does not reveal which secret matched.
      ok = timingSafeEqual(digest, expected) || ok;
    }
  }
  return ok;
}

/** The form Meta signs: every UTF-16 code unit above 0x7f as a lowercase `\uXXXX` escape. */
export function escapeNonAscii(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Signs a body as Meta does (tests, the sandbox). */
export function signBody(body: string | Buffer, secret: string): string {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  return `sha256=${createHmac('sha256', secret).update(escapeNonAscii(text)).digest('hex')}`;
}
