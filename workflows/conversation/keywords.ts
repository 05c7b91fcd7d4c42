import type { Language } from '../../i18n';
import { normalise } from '../../nlu/builtin';

/**
 * Whole-message consent keywords. They are checked before any NLU so an opt-out is honoured at once,
 * whatever engine is configured. Only the whole message counts: "cancel my order" or "stop sending
 * me the wrong size" are not opt-outs.
 */
const OPT_OUT = new Map<string, Language | undefined>([
  // Used the world over whatever the language: they do not say which one the customer speaks.
  ['stop', undefined],
  ['stop all', undefined],
  ['stopall', undefined],
  ['end', undefined],
  ['quit', undefined],
  ['unsubscribe', 'en'],
  ['opt out', 'en'],
  ['optout', 'en'],
  ['parar', 'es'],
  ['detener', 'es'],
  ['baja', 'es'],
  ['darme de baja', 'es'],
  ['cancelar suscripcion', 'es'],
  ['desuscribir', 'es'],
  ['no mas mensajes', 'es'],
  ['pare', 'pt'],
  ['sair', 'pt'],
  ['cancelar inscricao', 'pt'],
  ['descadastrar', 'pt'],
  ['nao quero mais mensagens', 'pt'],
]);

const OPT_IN = new Map<string, Language | undefined>([
  ['start', undefined],
  ['unstop', undefined],
  ['subscribe', 'en'],
  ['iniciar', undefined],
  ['comenzar', 'es'],
  ['volver', 'es'],
  ['voltar', 'pt'],
]);

export type ConsentKeyword = { kind: 'opt_out' | 'opt_in'; language?: Language };

/**
 * Which consent keyword the whole message is, if any (case, spacing and punctuation-insensitive),
 * and the language it is a word of when only one language has it ("PARAR" is Spanish, "STOP" anyone's).
 */
export function consentKeyword(text: string | undefined): ConsentKeyword | undefined {
  if (!text) return undefined;
  const norm = normalise(text).replace(/#/g, '').trim();
  if (OPT_OUT.has(norm)) return { kind: 'opt_out', language: OPT_OUT.get(norm) };
  if (OPT_IN.has(norm)) return { kind: 'opt_in', language: OPT_IN.get(norm) };
  return undefined;
}

/** Whether a client-configured handoff keyword appears in the message (as whole words). */
export function matchesHandoffKeyword(text: string | undefined, keywords: readonly string[]): boolean {
  if (!text || keywords.length === 0) return false;
  const norm = ` ${normalise(text)} `;
  return keywords.some((k) => {
    const kw = normalise(k);
    return kw.length > 0 && norm.includes(` ${kw} `);
  });
}
