import { randomBytes } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import { open, seal } from '../crypto/aead';
import { keyedHash } from '../crypto/keys';
import { findClient, findClientIdByPhoneNumber } from '../db/clients';
import { warmPool, type Db } from '../db/pool';
import { LANGUAGES, type NluEngine } from '../nlu/port';
import { warmCodec } from '../temporal/warm-up';

/** Sample utterances the built-in NLU is warmed with, one per intent family, in each language. */
const UTTERANCES = [
  'hello',
  'where is my order A-1001?',
  'how much is shipping to Lisbon',
  'I want to talk to a person',
  'hola, ¿dónde está mi pedido?',
  'olá, quero falar com um atendente',
  'obrigado',
];

/**
 * Runs the worker's hot path once it has its dependencies and before it polls, so that the first
 * conversations after readiness are not the ones paying for it: every pool connection opened and the
 * hot queries run on it, the `fetch` machinery loaded with a keep-alive connection to the Graph API,
 * the built-in NLU, the payload codec and the AES-GCM sealing run until V8 has compiled them. Nothing
 * is written anywhere. Returns how long it took.
 */
export async function warmUpWorker(deps: {
  db: Db;
  graphUrl: string;
  nlu: NluEngine;
  codec: PayloadCodec;
}): Promise<number> {
  const started = performance.now();
  await Promise.all([
    warmPool(deps.db, [(q) => findClient(q, 'cl_warmup'), (q) => findClientIdByPhoneNumber(q, '0')]),
    fetch(deps.graphUrl, { method: 'HEAD', signal: AbortSignal.timeout(3_000) }).then(
      (res) => res.arrayBuffer(),
      () => undefined, // unreachable right now: sends will retry; warming must not fail the start
    ),
    warmNlu(deps.nlu),
    warmCodec(deps.codec),
  ]);
  warmSealing();
  return Math.round(performance.now() - started);
}

async function warmNlu(nlu: NluEngine): Promise<void> {
  if (nlu.name !== 'builtin') return; // a remote engine: nothing local to compile, and calls cost
  for (let round = 0; round < 30; round++)
    for (const text of UTTERANCES)
      for (const languageHint of LANGUAGES)
        await nlu.detect({ clientId: 'cl_warmup', subjectHash: 'warmup', text, languageHint });
}

function warmSealing(): void {
  const key = { id: 'warmup', key: randomBytes(32) };
  for (let round = 0; round < 500; round++) {
    const sealed = seal(key, `warm-up ${round}`, 'aad');
    open(() => key.key, sealed, 'aad');
    keyedHash(key.key, String(round));
  }
}
