import v8 from 'node:v8';
import vm from 'node:vm';
import { PerformanceObserver } from 'node:perf_hooks';
import type { FaqEntry } from '../../db/bot-content';
import type { Queryable } from '../../db/pool';
import type { Language } from '../../i18n';
import { createBuiltinEngine } from '../../nlu/builtin';
import { createTaughtEngine } from '../../nlu/taught';
import { mib, percentile, round, type StandaloneScenario } from '../scenario';

const FULL = { clients: 100, entries: 200, examples: 5, messages: 5_000 };
const QUICK = { clients: 3, entries: 50, examples: 5, messages: 300 };
const LANGS: Language[] = ['en', 'es', 'pt'];

/** A deterministic word of made-up syllables: entries need vocabularies of their own. */
function word(n: number): string {
  const syllables = ['ba', 'ko', 'ri', 'te', 'lu', 'ma', 'zo', 'pe', 'ni', 'sa', 'du', 'fe'];
  let w = '';
  for (let x = n + 12; x > 0; x = Math.floor(x / 12)) w += syllables[x % 12];
  return w;
}

/** Client `c`'s entries: each has its own two topic words, asked in `examples` ways. */
export function entriesOf(c: number, plan: typeof FULL): FaqEntry[] {
  const frames = [
    'what about the {a} {b}',
    'tell me about {a} and {b}',
    'do you have {a} {b}',
    '{a} {b} please',
    'question on {b} {a}',
    'is there {a} for {b}',
  ];
  return Array.from({ length: plan.entries }, (_, i) => ({
    id: `c${c}-e${i}`,
    language: LANGS[i % 3]!,
    examples: frames
      .slice(0, plan.examples)
      .map((f) => f.replace('{a}', word(i * 2)).replace('{b}', word(i * 2 + 1))),
    answer: { text: `answer ${i}` },
    createdAt: '',
    updatedAt: '',
  }));
}

/** A `Queryable` answering the engine's two reads (content version, entries) from memory: the model alone is measured. */
function memoryDb(content: Map<string, FaqEntry[]>): Queryable {
  return {
    query: ((sql: string, params: unknown[]) => {
      const clientId = String(params[0]);
      if (sql.includes('bot_content_version')) return Promise.resolve({ rows: [{ version: '1' }] });
      return Promise.resolve({
        rows: (content.get(clientId) ?? []).map((e) => ({
          ...e,
          created_at: new Date(),
          updated_at: new Date(),
        })),
      });
    }) as unknown as Queryable['query'],
  };
}

function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/**
 * NLU cost with taught bots: `clients` clients of `entries` FAQ entries (en/es/pt, 5 examples each)
 * loaded in one process through the engine the worker uses (`nlu/taught.ts`), then `messages` random
 * messages (paraphrases of entries, and built-in questions) across the clients. Training time per
 * client, heap per trained client, and latency per message against the keyword engine alone (the
 * engine before FAQ entries). The content-version read (one PostgreSQL primary-key read per message)
 * is not in these numbers. Run by name: `npm run bench -- nlu-faq`.
 */
export const nluFaqScenario: StandaloneScenario = {
  name: 'nlu-faq',
  description: 'NLU latency p50/p99 per message, training time and heap per client with FAQ entries',
  standalone: true,
  onlyByName: true,
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const content = new Map(
      Array.from({ length: plan.clients }, (_, c) => [`client-${c}`, entriesOf(c, plan)]),
    );
    const training: number[] = [];
    const engine = createTaughtEngine(memoryDb(content), { onTrained: (t) => training.push(t.ms) });
    const builtin = createBuiltinEngine();
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (const clientId of content.keys()) {
      await engine.detect({ clientId, subjectHash: 'h', text: 'hello', languageHint: 'en' });
      if (training.length % 10 === 0) ctx.log(`trained ${training.length}/${plan.clients}`);
    }
    collectGarbage();
    const heapPerClient = (process.memoryUsage().heapUsed - heapBefore) / plan.clients;
    const messages = Array.from({ length: plan.messages }, (_, m) => {
      const clientId = `client-${m % plan.clients}`;
      const e = content.get(clientId)![(m * 7) % plan.entries]!;
      const [a, b] = e.examples[0]!.split(' ').slice(-2);
      const text = m % 4 === 3 ? 'where is my order?' : `I wanted to ask about ${a} with ${b}`;
      return { clientId, subjectHash: 'h', text, languageHint: e.language };
    });
    const time = async (detect: () => Promise<unknown>) => {
      const t = performance.now();
      await detect();
      return performance.now() - t;
    };
    let gcMs = 0;
    const gcs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    gcs.observe({ entryTypes: ['gc'] });
    const before: number[] = [];
    const after: number[] = [];
    const afterCpu: number[] = [];
    let answered = 0;
    for (const msg of messages) {
      before.push(await time(() => builtin.detect(msg)));
      const t = performance.now();
      const cpu = process.cpuUsage();
      const r = await engine.detect(msg);
      after.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      afterCpu.push((used.user + used.system) / 1000);
      if (r.intent === 'faq') answered += 1;
    }
    gcs.disconnect();
    const slow = after.filter((ms) => ms > 5).length;
    const row = (engineName: string, ms: number[]) => ({
      engine: engineName,
      clients: plan.clients,
      'entries/client': plan.entries,
      messages: ms.length,
      'p50 ms': Math.round(percentile(ms, 50) * 100) / 100,
      'p99 ms': Math.round(percentile(ms, 99) * 100) / 100,
    });
    return {
      rows: [
        row('keywords only (before)', before),
        row('taught: FAQ model + keywords (after)', after),
        row('taught, CPU time of the process (after)', afterCpu),
        {
          engine: 'training',
          clients: plan.clients,
          'entries/client': plan.entries,
          'train p50 ms': round(percentile(training, 50)),
          'train max ms': round(Math.max(...training)),
          'heap/client MiB': mib(heapPerClient),
          'FAQ answered': `${answered}/${messages.length}`,
          'GC ms during messages': round(gcMs),
          'messages over 5 ms': slow,
        },
      ],
    };
  },
};
