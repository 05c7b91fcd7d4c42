/**
 * Redaction of an utterance kept for NLU review: what identifies a person is replaced by a
 * placeholder before the text is stored. Emails, links, phone-like numbers and any other digits go
 * by pattern; names go by what the system knows of the speaker (profile name, order customer
 * name), matched whole-word, case- and accent-insensitively, each word of a name on its own too.
 */
const EMAIL = /[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+/gu;
const LINK = /\b(?:https?:\/\/|www\.)\S+/giu;
/** Seven or more digits, possibly with a leading + and separators: a phone number or the like. */
const PHONE = /\+?\d(?:[\s().-]*\d){6,}/gu;
const DIGITS = /\d+(?:[.,:/-]\d+)*/gu;
const MIN_NAME_PART = 2;

export function redactUtterance(text: string, knownNames: readonly string[] = []): string {
  let out = text.replace(EMAIL, '[email]').replace(LINK, '[link]').replace(PHONE, '[phone]');
  out = out.replace(DIGITS, '[number]');
  const pattern = namePattern(knownNames);
  return pattern ? fold(out, pattern) : out;
}

/** Names longest first (a full name before its parts), as accent-free lower-case words. */
function namePattern(knownNames: readonly string[]): RegExp | undefined {
  const words = new Set<string>();
  for (const name of knownNames) {
    const plain = strip(name).trim();
    if (plain.length >= MIN_NAME_PART) words.add(plain);
    for (const part of plain.split(/[^\p{L}\p{N}'-]+/u)) if (part.length >= MIN_NAME_PART) words.add(part);
  }
  if (words.size === 0) return undefined;
  const alternatives = [...words]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

/**
 * Replaces matches of `pattern` (written against accent-free text) in `text`, keeping the original
 * characters elsewhere: stripping accents keeps one character per character here, so indexes agree.
 */
function fold(text: string, pattern: RegExp): string {
  const plain = strip(text);
  if (plain.length !== text.length) return plain.replace(pattern, '[name]');
  let out = '';
  let last = 0;
  for (const m of plain.matchAll(pattern)) {
    out += text.slice(last, m.index) + '[name]';
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}

function strip(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC').toLowerCase();
}
