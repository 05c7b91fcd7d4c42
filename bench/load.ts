import { randomBytes } from 'node:crypto';
import { messagesNotification } from '../whatsapp/envelope';
import { signBody } from '../whatsapp/signature';

/**
 * The load generator, run as its own process (`tsx bench/load.ts '<spec json>'`, or `-` to read the
 * spec from stdin when it comes): POSTs signed text
 * webhooks at a fixed rate (open loop: a slow answer does not slow the schedule), each from a new
 * end-user, and prints one JSON line per answered POST on stdout as it happens, so the benchmark can
 * watch the backlog live (and stop the generator early).
 */
export interface LoadSpec {
  url: string;
  appSecret: string;
  phoneNumberId: string;
  messagesPerSecond: number;
  durationSeconds: number;
  /** Prefix of the generated wa_ids, so a scenario can tell its users apart. */
  userPrefix: string;
  /** The first user's sequence number (default 0), to reach an existing conversation again. */
  firstUser?: number;
}

export interface LoadSample {
  user: string;
  sentAt: number;
  ackMs: number;
  status: number;
}

async function post(spec: LoadSpec, seq: number): Promise<LoadSample> {
  const user = `${spec.userPrefix}${String(seq + (spec.firstUser ?? 0)).padStart(6, '0')}`;
  const now = Date.now();
  const body = JSON.stringify(
    messagesNotification(
      spec.phoneNumberId,
      {
        contacts: [{ profile: { name: 'Bench User' }, wa_id: user }],
        messages: [
          {
            from: user,
            id: `wamid.BENCH${randomBytes(12).toString('hex')}`,
            timestamp: String(Math.floor(now / 1000)),
            type: 'text',
            text: { body: 'Where is my order?' },
          },
        ],
      },
      { wabaId: 'BENCH-WABA', displayPhoneNumber: '15550000000' },
    ),
  );
  const started = performance.now();
  let status = 0;
  try {
    const res = await fetch(spec.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, spec.appSecret) },
      body,
    });
    await res.arrayBuffer();
    status = res.status;
  } catch {
    status = 0;
  }
  return { user, sentAt: now, ackMs: performance.now() - started, status };
}

/** The spec, when it comes on stdin (`load.ts -`): the generator is loaded before the moment it starts. */
async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0]!;
}

async function main(): Promise<void> {
  const spec = JSON.parse(
    process.argv[2] === '-' ? await firstLineOfStdin() : (process.argv[2] ?? '{}'),
  ) as LoadSpec;
  const total = Math.round(spec.messagesPerSecond * spec.durationSeconds);
  const interval = 1000 / spec.messagesPerSecond;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(post(spec, i).then((sample) => void process.stdout.write(`${JSON.stringify(sample)}\n`)));
  }
  await Promise.all(pending);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`load generator failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
