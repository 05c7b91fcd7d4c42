import { botContentVersion, listFaqEntries } from '../db/bot-content';
import type { Queryable } from '../db/pool';
import { createBuiltinEngine } from './builtin';
import { faqReply, trainFaqModel, type FaqModel } from './faq-model';
import type { NluEngine, NluRequest, NluResult } from './port';

/** Below this confidence an FAQ match is not trusted: the keyword rules answer, as before FAQ entries. */
export const FAQ_THRESHOLD = 0.5;
/** Clients whose models a worker keeps; the least recently used beyond it is dropped (and retrained on need). */
const MAX_MODELS = 1_000;

export interface TaughtEngineOptions {
  threshold?: number;
  maxModels?: number;
  /** Told of every training, e.g. for the benchmark and metrics. */
  onTrained?: (t: { clientId: string; entries: number; ms: number }) => void;
}

/**
 * The built-in engine taught by the business: each message is first classified by the client's FAQ
 * model (see `faq-model.ts`) in the language the message is read in; an FAQ entry matched with at
 * least `threshold` confidence is answered with the entry's answer, anything else goes to the
 * keyword rules as before. Models are cached per client and retrained only when the client's content
 * version moved (as the turn read it, else one primary-key read), never per message; a training in
 * progress is shared by the messages that wait for it.
 */
export function createTaughtEngine(db: Queryable, options: TaughtEngineOptions = {}): NluEngine {
  const builtin = createBuiltinEngine();
  const threshold = options.threshold ?? FAQ_THRESHOLD;
  const models = new Map<string, { version: number; model: Promise<FaqModel> }>();

  async function train(clientId: string): Promise<FaqModel> {
    const started = performance.now();
    const model = await trainFaqModel(await listFaqEntries(db, clientId));
    options.onTrained?.({ clientId, entries: model.entries, ms: performance.now() - started });
    return model;
  }

  async function modelOf(clientId: string, known?: number): Promise<FaqModel> {
    const version = known ?? (await botContentVersion(db, clientId));
    let cached = models.get(clientId);
    if (!cached || cached.version !== version) {
      cached = { version, model: train(clientId) };
      cached.model.catch(() => models.delete(clientId)); // a failed training is retried next message
    }
    models.delete(clientId);
    models.set(clientId, cached); // most recently used last
    for (const oldest of models.keys()) {
      if (models.size <= (options.maxModels ?? MAX_MODELS)) break;
      models.delete(oldest);
    }
    return cached.model;
  }

  return {
    name: 'builtin',
    async detect(request: NluRequest): Promise<NluResult> {
      const text = request.text ?? '';
      const lang = request.languageHint;
      const model = text && (await modelOf(request.clientId, request.contentVersion));
      const match = model ? await model.classify(text, lang) : undefined;
      if (!match || match.confidence < threshold) return builtin.detect(request);
      return {
        intent: 'faq',
        confidence: match.confidence,
        noMatch: false,
        language: match.entry.language,
        parameters: { faqId: match.entry.id },
        handoff: false,
        endInteraction: false,
        replies: [faqReply(match.entry.answer)],
        engine: 'builtin',
      };
    },
  };
}
