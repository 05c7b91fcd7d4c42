import type { Language } from './port';

/**
 * Which supported language a customer writes in, and when that changes the conversation's language.
 *
 * Identification is Nito-ELD (`eld`, its "small" n-gram database restricted to en/es/pt): on the
 * labelled WhatsApp-style corpus in `test/unit/language.test.ts` it identified 79 of 86 messages and
 * never a wrong language, where franc-min got 53 right and 21 wrong, CLD3 (cld3-asm) 50 and 2 wrong,
 * tinyld 55 and languagedetect 58. What it cannot tell (a greeting of one word) it leaves undecided,
 * and so do we: the conversation switches only on a reliable identification of two or more words —
 * never on "ok", "👍", an order number, a place name ("Portugal") — or, when the detector cannot
 * tell, on the NLU engine having understood the message in another language ("hola", "obrigado").
 * It runs in the NLU activity (never in workflow code): the result is recorded with the message, so
 * a replay or a new library version cannot change a language already chosen.
 */

interface Detector {
  detect(text: string): { language: string; isReliable(): boolean };
  setLanguageSubset(languages: string[]): unknown;
}

let detector: Promise<Detector> | undefined;

/** The detector, loaded once per process (the n-gram data is ~50 MB of heap, so not before it is needed). */
function eld(): Promise<Detector> {
  detector ??= import('eld/small').then(({ eld }) => {
    eld.setLanguageSubset(['en', 'es', 'pt']);
    return eld as unknown as Detector;
  });
  return detector;
}

const words = (text: string) => text.split(/[^\p{L}\p{M}]+/u).filter(Boolean).length;

/** The language of `text` when it clearly is one of ours; undefined when it is too short or unclear. */
export async function identifyLanguage(text: string): Promise<Language | undefined> {
  if (words(text) < 2) return undefined;
  const result = (await eld()).detect(text);
  const language = result.language as Language;
  return result.isReliable() && ['en', 'es', 'pt'].includes(language) ? language : undefined;
}

/**
 * The conversation's language after a message: the identified language, else the language the
 * engine matched the message in (when it matched), else the current one. `sure` says whether the
 * message showed it (the contact then keeps it).
 */
export function nextLanguage(
  current: Language,
  identified: Language | undefined,
  engine: { language: Language; noMatch: boolean },
): { language: Language; sure: boolean } {
  if (identified) return { language: identified, sure: true };
  if (!engine.noMatch && engine.language !== current) return { language: engine.language, sure: true };
  return { language: current, sure: false };
}
