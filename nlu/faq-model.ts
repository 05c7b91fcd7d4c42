import type { FaqAnswer, FaqEntry } from '../db/bot-content';
import { normalise, RULES } from './builtin';
import type { EngineReply, Language } from './port';

/**
 * A client's FAQ model: nlp.js (`@nlpjs/nlp`, its neural intent classifier over stemmed words, with
 * the en/es/pt stemmers and stop words of `@nlpjs/lang-*`), trained from the built-in intents'
 * phrases plus the client's FAQ entries, one classifier per language that has entries. The built-in
 * intents are there as competitors: "where is my order" stays an order question however many FAQ
 * entries mention orders. It runs in the worker, in process, with no service to call.
 */

type NlpModule = typeof import('@nlpjs/nlp');
type Container = Awaited<ReturnType<(typeof import('@nlpjs/core'))['containerBootstrap']>>;

let shared: Promise<{ Nlp: NlpModule['Nlp']; container: Container }> | undefined;

/** nlp.js and its language plugins, loaded once per process on first use. */
function nlpjs() {
  shared ??= (async () => {
    const [{ containerBootstrap }, { Nlp }, { LangEn }, { LangEs }, { LangPt }] = await Promise.all([
      import('@nlpjs/core'),
      import('@nlpjs/nlp'),
      import('@nlpjs/lang-en-min'),
      import('@nlpjs/lang-es'),
      import('@nlpjs/lang-pt'),
    ]);
    const container = await containerBootstrap();
    for (const lang of [LangEn, LangEs, LangPt]) container.use(lang);
    // nlp.js keeps stop words by default: "the weather on mars" would then be an opening-hours
    // question by its "on". Its other defaults stay; `log` off (it prints every training epoch).
    container.registerConfiguration('nlu-??', { ...NLU_DEFAULTS, keepStopwords: false, log: false });
    return { Nlp, container };
  })();
  return shared;
}

const FAQ = 'faq:';
const NLU_DEFAULTS = {
  nonefeatureValue: 1,
  nonedeltaMultiplier: 1.2,
  spellCheck: false,
  spellCheckDistance: 1,
  filterZeros: true,
};

/** "where is my", "see you": phrases nlp.js would drop (with a warning on the console) as stop words only. */
function onlyStopWords(container: Container, lang: Language, phrase: string): boolean {
  const stopwords = container.get(`stopwords-${lang}`) as { isStopword(t: string): boolean } | undefined;
  return (
    Boolean(stopwords) &&
    normalise(phrase)
      .split(' ')
      .every((w) => stopwords!.isStopword(w))
  );
}

/** A trained model: the FAQ entry a text asks, with the classifier's confidence, or nothing. */
export interface FaqModel {
  readonly entries: number;
  classify(text: string, lang: Language): Promise<{ entry: FaqEntry; confidence: number } | undefined>;
}

/** Trains the model of one client's entries (only the languages that have entries). */
export async function trainFaqModel(entries: FaqEntry[]): Promise<FaqModel> {
  const languages = [...new Set(entries.map((e) => e.language))];
  if (languages.length === 0) return { entries: 0, classify: () => Promise.resolve(undefined) };
  const { Nlp, container } = await nlpjs();
  const nlp = new Nlp({
    languages,
    container,
    autoSave: false,
    autoLoad: false,
    calculateSentiment: false,
  });
  for (const lang of languages)
    for (const rule of RULES)
      for (const phrase of rule.words[lang].filter((p) => !onlyStopWords(container, lang, p)))
        nlp.addDocument(lang, phrase, rule.intent);
  const byId = new Map(entries.map((e) => [e.id, e]));
  for (const e of entries) for (const example of e.examples) nlp.addDocument(e.language, example, FAQ + e.id);
  await nlp.train();
  return {
    entries: entries.length,
    async classify(text, lang) {
      if (!languages.includes(lang)) return undefined;
      const { intent, score } = await nlp.process(lang, text);
      const entry = intent.startsWith(FAQ) ? byId.get(intent.slice(FAQ.length)) : undefined;
      return entry && { entry, confidence: score };
    },
  };
}

/** An entry's answer as WhatsApp content: a text, with its buttons (taps read as their titles), or its link. */
export function faqReply(answer: FaqAnswer): EngineReply {
  if (answer.buttons?.length)
    return {
      type: 'buttons',
      body: answer.text,
      buttons: answer.buttons.map((title, i) => ({ id: `faq:${i}`, title })),
    };
  if (answer.link)
    return {
      type: 'text',
      body: `${answer.text}\n\n${answer.link.label ? `${answer.link.label}: ` : ''}${answer.link.url}`,
    };
  return { type: 'text', body: answer.text };
}
