import type { FaqEntry } from '../../db/bot-content';
import type { Language } from '../../i18n';

const entry = (id: string, language: Language, examples: string[], text: string): FaqEntry => ({
  id,
  language,
  examples,
  answer: { text },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

/** A shop's FAQ in three languages: opening hours and returns. */
export const SHOP_FAQ: FaqEntry[] = [
  entry(
    'hours-en',
    'en',
    [
      'what are your opening hours?',
      'when are you open?',
      'what time do you open?',
      'are you open on saturday?',
    ],
    'We are open Mon–Sat, 9:00–19:00.',
  ),
  entry(
    'returns-en',
    'en',
    [
      'how do returns work?',
      'can I return an item?',
      'what is your return policy?',
      'I want to return a product',
    ],
    'You can return any item within 30 days.',
  ),
  entry(
    'hours-es',
    'es',
    ['¿cuál es su horario?', '¿a qué hora abren?', '¿cuándo abren?', '¿abren los sábados?'],
    'Abrimos de lunes a sábado, de 9:00 a 19:00.',
  ),
  entry(
    'returns-es',
    'es',
    [
      '¿cómo funcionan las devoluciones?',
      '¿puedo devolver un artículo?',
      '¿cuál es la política de devolución?',
      'quiero devolver un producto',
    ],
    'Puedes devolver cualquier artículo en 30 días.',
  ),
  entry(
    'hours-pt',
    'pt',
    [
      'qual é o horário de funcionamento?',
      'a que horas vocês abrem?',
      'quando vocês abrem?',
      'vocês abrem ao sábado?',
    ],
    'Abrimos de segunda a sábado, das 9:00 às 19:00.',
  ),
  entry(
    'returns-pt',
    'pt',
    [
      'como funcionam as devoluções?',
      'posso devolver um artigo?',
      'qual é a política de devolução?',
      'quero devolver um produto',
    ],
    'Pode devolver qualquer artigo em 30 dias.',
  ),
];

/** Paraphrases, none of them an example. */
export const PARAPHRASES: [Language, string, string][] = [
  ['en', 'until what time are you open today?', 'hours-en'],
  ['en', 'how can I return the shoes I bought?', 'returns-en'],
  ['es', '¿hasta qué hora abren hoy?', 'hours-es'],
  ['es', 'quisiera hacer una devolución', 'returns-es'],
  ['pt', 'vocês abrem a que horas amanhã?', 'hours-pt'],
  ['pt', 'como faço para devolver um casaco?', 'returns-pt'],
];
