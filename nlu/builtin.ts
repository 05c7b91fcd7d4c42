import type { Intent, Language, NluEngine, NluRequest, NluResult } from './port';

/**
 * The built-in NLU: keyword rules in English, Spanish and Portuguese. It is the default when
 * Dialogflow CX is not configured, and good enough for the menu-driven flows a shop needs. Rules
 * match on normalised text (lower case, no accents, no punctuation); the language is the one whose
 * words matched, else the client's.
 */
type Rules = Record<Language, string[]>;

/** The keyword rules; their phrases are also the built-in intents' examples in the FAQ model. */
export const RULES: { intent: Exclude<Intent, 'fallback'>; words: Rules }[] = [
  {
    intent: 'human_agent',
    words: {
      en: ['human', 'agent', 'person', 'representative', 'operator', 'talk to someone', 'real person'],
      es: ['humano', 'agente', 'persona', 'asesor', 'operador', 'hablar con alguien'],
      pt: ['humano', 'atendente', 'pessoa', 'agente', 'operador', 'falar com alguem'],
    },
  },
  {
    intent: 'order_status',
    words: {
      en: ['order', 'my package', 'tracking', 'where is my', 'order status'],
      es: ['pedido', 'orden', 'mi paquete', 'seguimiento', 'donde esta mi'],
      pt: ['pedido', 'encomenda', 'meu pacote', 'rastreio', 'rastreamento', 'onde esta meu'],
    },
  },
  {
    intent: 'shipping_quote',
    words: {
      en: ['shipping', 'delivery cost', 'ship to', 'postage', 'how much to send'],
      es: ['envio', 'costo de envio', 'cuanto cuesta enviar', 'flete'],
      pt: ['frete', 'entrega para', 'custo de envio', 'quanto custa enviar'],
    },
  },
  {
    intent: 'help',
    words: {
      en: ['help', 'menu', 'options', 'what can you do'],
      es: ['ayuda', 'menu', 'opciones', 'que puedes hacer'],
      pt: ['ajuda', 'menu', 'opcoes', 'o que voce faz'],
    },
  },
  {
    intent: 'thanks',
    words: {
      en: ['thanks', 'thank you', 'bye', 'goodbye', 'see you', 'cheers'],
      es: ['gracias', 'adios', 'hasta luego', 'chao'],
      pt: ['obrigado', 'obrigada', 'valeu', 'tchau', 'ate logo'],
    },
  },
  {
    intent: 'greeting',
    words: {
      en: ['hi', 'hello', 'hey', 'good morning', 'good afternoon', 'good evening'],
      es: ['hola', 'buenos dias', 'buenas tardes', 'buenas noches', 'buenas'],
      pt: ['oi', 'ola', 'bom dia', 'boa tarde', 'boa noite'],
    },
  },
];

/** Lower case, accents and punctuation removed, single spaces. */
export function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}#]+/gu, ' ')
    .trim();
}

const contains = (haystack: string, phrase: string) => ` ${haystack} `.includes(` ${phrase} `);

/** An order number: `#1234`, `A-10023`, or a run of 3+ digits, optionally with a short prefix. */
export function extractOrderNumber(text: string): string | undefined {
  const match = /(?:#\s*|\b)([A-Za-z]{0,4}-?\d{3,12})\b/.exec(text);
  return match?.[1]?.toUpperCase();
}

/** A destination after "to / para / pra / a / hacia": the rest of the sentence, trimmed. */
export function extractDestination(text: string): string | undefined {
  const match = /(?:^|\s)(?:to|para|pra|hacia|a)\s+([\p{L}\p{N}][\p{L}\p{N} .,'-]{1,80})$/iu.exec(
    text.trim().replace(/[?!.¿¡]+$/u, ''),
  );
  const place = match?.[1]?.trim().replace(/[.,]+$/, '');
  return place && place.length >= 2 ? place : undefined;
}

function parametersFor(intent: Intent, text: string): Record<string, unknown> {
  if (intent === 'order_status') {
    const orderNumber = extractOrderNumber(text);
    return orderNumber ? { orderNumber } : {};
  }
  if (intent === 'shipping_quote') {
    const destination = extractDestination(text);
    return destination ? { destination } : {};
  }
  return {};
}

/** Understands one text; pure and synchronous, so it is unit-tested directly. */
export function understandText(text: string, hint: Language): Omit<NluResult, 'engine'> {
  const norm = normalise(text);
  const words = norm.split(' ').filter(Boolean).length || 1;
  for (const rule of RULES) {
    for (const lang of [hint, ...(['en', 'es', 'pt'] as const).filter((l) => l !== hint)]) {
      const phrase = rule.words[lang].find((p) => contains(norm, p));
      if (!phrase) continue;
      const matched = phrase.split(' ').length;
      return {
        intent: rule.intent,
        confidence: Math.min(1, 0.6 + (0.4 * matched) / words),
        noMatch: false,
        language: lang,
        parameters: parametersFor(rule.intent, text),
        handoff: false,
        endInteraction: false,
        replies: [],
      };
    }
  }
  const orderNumber = /^\s*#?\s*[A-Za-z]{0,4}-?\d{3,12}\s*$/.test(text)
    ? extractOrderNumber(text)
    : undefined;
  if (orderNumber) {
    return {
      intent: 'order_status',
      confidence: 0.6,
      noMatch: false,
      language: hint,
      parameters: { orderNumber },
      handoff: false,
      endInteraction: false,
      replies: [],
    };
  }
  return {
    intent: 'fallback',
    confidence: 0,
    noMatch: true,
    language: hint,
    parameters: {},
    handoff: false,
    endInteraction: false,
    replies: [],
  };
}

/** The built-in engine behind the NLU port. Voice notes are not understood (fallback). */
export function createBuiltinEngine(): NluEngine {
  return {
    name: 'builtin',
    detect(request: NluRequest): Promise<NluResult> {
      return Promise.resolve({
        ...understandText(request.text ?? '', request.languageHint),
        engine: 'builtin',
      });
    },
  };
}
