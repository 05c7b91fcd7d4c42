import { messagesNotification } from '../whatsapp/envelope';

/**
 * The bad-signature flood, run as its own process (`tsx bench/flood.ts '<spec json>'`), so the
 * bench process that times `/healthz` is not the one pushing 150 MB a second: `senders` loops POST
 * a body of just under 3 MB of non-ASCII text with a wrong signature until `seconds` pass, then one
 * JSON line with the count of each answer's status is printed.
 */
export interface FloodSpec {
  url: string;
  phoneNumberId: string;
  senders: number;
  seconds: number;
}

/** A notification of just under 3 MB of non-ASCII text: the escaped-signature path at its worst. */
function hostileBody(phoneNumberId: string): Buffer {
  const text = 'ação não é ótima, 😀 çãõ '.repeat(60_000);
  const json = JSON.stringify(
    messagesNotification(phoneNumberId, {
      messages: [
        { from: '5511900000000', id: 'wamid.X', timestamp: '1700000000', type: 'text', text: { body: text } },
      ],
    }),
  );
  return Buffer.from(json).subarray(0, 3 * 1024 * 1024 - 1);
}

async function flood(spec: FloodSpec): Promise<Record<number, number>> {
  const body = hostileBody(spec.phoneNumberId);
  const until = Date.now() + spec.seconds * 1000;
  const statuses: Record<number, number> = {};
  const sender = async () => {
    while (Date.now() < until) {
      const res = await fetch(spec.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
        body,
      }).catch(() => undefined);
      await res?.arrayBuffer().catch(() => undefined);
      const status = res?.status ?? 0;
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: spec.senders }, sender));
  return statuses;
}

flood(JSON.parse(process.argv[2]!) as FloodSpec).then(
  (statuses) => {
    process.stdout.write(`${JSON.stringify(statuses)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`flood failed: ${String(err)}\n`);
    process.exit(1);
  },
);
