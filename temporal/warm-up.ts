import { defaultPayloadConverter, type PayloadCodec } from '@temporalio/common';

/**
 * Runs the payload converter and codec until V8 has compiled them: every signal, workflow task and
 * activity goes through both, so the first conversations after a start should not be the ones paying.
 */
export async function warmCodec(codec: PayloadCodec, rounds = 300): Promise<void> {
  const sample = {
    clientId: 'cl_warmup',
    text: 'x'.repeat(200),
    at: new Date(0).toISOString(),
    n: [1, 2, 3],
  };
  for (let round = 0; round < rounds; round++) {
    const payloads = await codec.encode([defaultPayloadConverter.toPayload(sample)]);
    const [decoded] = await codec.decode(payloads);
    defaultPayloadConverter.fromPayload(decoded!);
  }
}
