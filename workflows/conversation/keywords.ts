import { normalise } from '../../nlu/builtin';

/**
 * Whole-message consent keywords. They are checked before any NLU so an opt-out is honoured at once,
 * whatever engine is configured. Only the whole message counts: "cancel my order" or "stop sending
 * me the wrong size" are not opt-outs.
 */
const OPT_OUT = new Set([
  'stop',
  'stop all',
  'stopall',
  'unsubscribe',
  'opt out',
  'optout',
  'end',
  'quit',
  // Spanish
  'parar',
  'detener',
  'baja',
  'darme de baja',
  'cancelar suscripcion',
  'desuscribir',
  'no mas mensajes',
  // Portuguese
  'pare',
  'sair',
  'cancelar inscricao',
  'descadastrar',
  'nao quero mais mensagens',
]);

const OPT_IN = new Set(['start', 'unstop', 'subscribe', 'iniciar', 'comenzar', 'voltar', 'volver']);

export type ConsentKeyword = 'opt_out' | 'opt_in';

/** Which consent keyword the whole message is, if any (case, spacing and punctuation-insensitive). */
export function consentKeyword(text: string | undefined): ConsentKeyword | undefined {
  if (!text) return undefined;
  const norm = normalise(text).replace(/#/g, '').trim();
  if (OPT_OUT.has(norm)) return 'opt_out';
  if (OPT_IN.has(norm)) return 'opt_in';
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
