import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const { History } = temporal.api.history.v1;

type Json = unknown;

/** A payload in proto3 JSON: `metadata` and `data` as base64 strings. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const isPayload = (v: unknown): v is JsonPayload =>
  typeof v === 'object' && v !== null && 'metadata' in v && typeof (v as JsonPayload).metadata === 'object';

/**
 * A workflow history as JSON with every payload the codec sealed opened again, so it can be kept
 * as a fixture and replayed by a later version of the workflow code without the run's key (test
 * data only: fake numbers and texts).
 */
export async function decodedHistoryJson(
  history: temporal.api.history.v1.IHistory,
  codec: PayloadCodec,
): Promise<string> {
  const walk = async (v: Json): Promise<Json> => {
    if (Array.isArray(v)) return Promise.all(v.map(walk));
    if (typeof v !== 'object' || v === null) return v;
    if (isPayload(v)) {
      const [decoded] = await codec.decode([
        {
          metadata: Object.fromEntries(
            Object.entries(v.metadata ?? {}).map(([k, b]) => [k, Buffer.from(b, 'base64')]),
          ),
          data: Buffer.from(v.data ?? '', 'base64'),
        },
      ]);
      return {
        metadata: Object.fromEntries(
          Object.entries(decoded!.metadata ?? {}).map(([k, b]) => [k, Buffer.from(b!).toString('base64')]),
        ),
        data: Buffer.from(decoded!.data ?? new Uint8Array()).toString('base64'),
      };
    }
    return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await walk(x)])));
  };
  const plain = History.toObject(History.fromObject(history), {
    longs: String,
    bytes: String,
    enums: String,
  });
  return `${JSON.stringify(await walk(plain), null, 1)}\n`;
}

/** A history `decodedHistoryJson` wrote, ready for `Worker.runReplayHistory`. */
export function historyFromFixture(json: string): temporal.api.history.v1.IHistory {
  return History.fromObject(JSON.parse(json));
}
