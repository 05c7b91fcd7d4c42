import { randomBytes } from 'node:crypto';
import { messagesNotification } from '../whatsapp/envelope';
import { signBody } from '../whatsapp/signature';
import type { Harness } from './harness';
import { allWorkflows, brokenWorkflows, count, settle } from './measure';
import { sleep } from './processes';
import type { ScenarioResult } from './scenarios';
import { newTally, paced, post, serverErrors, shuffled, type ChaosMessage } from './traffic';

/**
 * Payloads for the fuzz scenario, from a seeded generator so a failing run can be replayed. Each
 * payload knows whether it is a well-formed message for our number (`valid`): only those may start a
 * conversation. Garbage is either random (bytes, JSON of any shape) or a valid notification with one
 * mutation that breaks Meta's contract; neutral mutations (any Unicode, long text, extra fields) keep
 * it valid. Bad-signature payloads are valid notifications with a wrong, malformed or missing
 * signature, so a verification gap would show up as a started workflow.
 */

export interface FuzzPayload {
  kind: string;
  body: Buffer;
  headers: Record<string, string>;
  /** A well-formed message for the provisioned number, from an end-user of its own. */
  valid: boolean;
  /** The end-user of a valid payload. */
  waId?: string;
}

type Json = Record<string, unknown>;
type Rng = () => number;

/** mulberry32: small, fast, seeded. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, max: number) => Math.floor(rng() * max);

const ALPHABETS = [
  'abc XYZ 123',
  'ção ñ ü ß',
  '中文字符',
  'العربية',
  '😀👍🏽🇧🇷',
  '\u200b\u200d\u202e',
  '"\\\'<>&{}[]',
];

function unicodeText(rng: Rng, length: number): string {
  let out = '';
  while (out.length < length) out += pick(rng, ALPHABETS);
  return out.slice(0, length);
}

function randomJson(rng: Rng, depth = 0): unknown {
  const roll = int(rng, depth > 3 ? 5 : 7);
  if (roll === 0) return null;
  if (roll === 1) return rng() < 0.5;
  if (roll === 2) return rng() * 1e12 - 5e11;
  if (roll === 3) return unicodeText(rng, int(rng, 40));
  if (roll === 4) return pick(rng, ['entry', 'messages', 'whatsapp_business_account', '', '0']);
  if (roll === 5) return Array.from({ length: int(rng, 4) }, () => randomJson(rng, depth + 1));
  const keys = ['object', 'entry', 'changes', 'value', 'messages', 'id', 'field', 'metadata', 'x'];
  return Object.fromEntries(
    Array.from({ length: int(rng, 5) }, () => [pick(rng, keys), randomJson(rng, depth + 1)]),
  );
}

function baseNotification(phoneNumberId: string, waId: string): Json {
  return messagesNotification(
    phoneNumberId,
    {
      contacts: [{ profile: { name: 'Fuzz User' }, wa_id: waId }],
      messages: [
        {
          from: waId,
          id: `wamid.FUZZ${randomBytes(10).toString('hex')}`,
          timestamp: String(Math.floor(Date.now() / 1000)),
          type: 'text',
          text: { body: 'hello' },
        },
      ],
    },
    { wabaId: 'WABA-FUZZ' },
  );
}

/* eslint-disable @typescript-eslint/no-explicit-any -- mutations reach into an untyped JSON tree */
const at = (n: any) => ({
  entry: n.entry,
  change: n.entry[0].changes[0],
  value: n.entry[0].changes[0].value,
  message: n.entry[0].changes[0].value.messages[0],
});

/** Mutations after which the notification is no message for our number (Meta's contract). */
const BREAKING: Record<string, (n: any, rng: Rng) => unknown> = {
  'no entry': (n) => delete n.entry,
  'entry not a list': (n, rng) => (n.entry = pick(rng, ['x', 7, {}, null])),
  'changes not a list': (n) => (at(n).entry[0].changes = { 0: at(n).change }),
  'other field': (n, rng) => (at(n).change.field = pick(rng, ['account_update', 'statuses', ''])),
  'not whatsapp': (n) => (at(n).value.messaging_product = 'sms'),
  'no metadata': (n) => delete at(n).value.metadata,
  'number not a string': (n) => (at(n).value.metadata.phone_number_id = 1234567),
  'unknown number': (n) => (at(n).value.metadata.phone_number_id = '999000111222'),
  'messages not a list': (n) => (at(n).value.messages = at(n).message),
  'no message id': (n) => delete at(n).message.id,
  'empty message id': (n) => (at(n).message.id = ''),
  'message id a number': (n) => (at(n).message.id = 42),
  'no timestamp': (n) => delete at(n).message.timestamp,
  'bad timestamp': (n, rng) => (at(n).message.timestamp = pick(rng, ['yesterday', '-1', 1700000000, ''])),
  'no type': (n) => delete at(n).message.type,
  'nobody sent it': (n) => (delete at(n).message.from, delete at(n).value.contacts),
};

/** Mutations after which the notification is still a valid message (it must be answered). */
const NEUTRAL: Record<string, (n: any, rng: Rng) => unknown> = {
  'unicode text': (n, rng) => (at(n).message.text.body = unicodeText(rng, 1 + int(rng, 300))),
  'long text': (n, rng) => (at(n).message.text.body = unicodeText(rng, 4096)),
  'unicode name': (n, rng) => (n.entry[0].changes[0].value.contacts[0].profile.name = unicodeText(rng, 60)),
  'no profile': (n) => delete at(n).value.contacts[0].profile,
  'extra fields': (n, rng) => {
    n[`x_${int(rng, 1e6)}`] = randomJson(rng);
    at(n).value[`x_${int(rng, 1e6)}`] = randomJson(rng);
    at(n).message[`x_${int(rng, 1e6)}`] = randomJson(rng);
  },
};
/* eslint-enable @typescript-eslint/no-explicit-any */

const signed = (body: Buffer, secret: string) => ({ 'x-hub-signature-256': signBody(body, secret) });

/** Random garbage, bytes to deeply nested JSON; a few are over Meta's 3 MB limit. */
function randomPayload(rng: Rng, secret: string, index: number): FuzzPayload {
  const roll = index % 50 === 49 ? 4 : int(rng, 4);
  let body: Buffer;
  if (roll === 0) body = Buffer.from(Array.from({ length: int(rng, 2_000) }, () => int(rng, 256)));
  else if (roll === 1) body = Buffer.from(JSON.stringify(randomJson(rng)) ?? 'null');
  else if (roll === 2) {
    const depth = 1_000 + int(rng, 50_000);
    body = Buffer.from(`${'['.repeat(depth)}${rng() < 0.5 ? ']'.repeat(depth) : ''}`);
  } else if (roll === 3)
    body = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [randomJson(rng)] }));
  else body = Buffer.alloc(3 * 1024 * 1024 + 10, 'a');
  return { kind: `random#${roll}`, body, headers: signed(body, secret), valid: false };
}

function mutatedPayload(rng: Rng, secret: string, phoneNumberId: string, waId: string): FuzzPayload {
  const n = baseNotification(phoneNumberId, waId);
  const breaking = rng() < 0.6;
  const neutral = pick(rng, Object.keys(NEUTRAL));
  NEUTRAL[neutral]!(n, rng);
  let kind = neutral;
  if (breaking) {
    kind = pick(rng, Object.keys(BREAKING));
    BREAKING[kind]!(n, rng);
  }
  let text = JSON.stringify(n);
  if (breaking && rng() < 0.15) [kind, text] = ['truncated', text.slice(0, int(rng, text.length))];
  const body = Buffer.from(text);
  return { kind, body, headers: signed(body, secret), valid: !breaking, waId: breaking ? undefined : waId };
}

function badSignaturePayload(rng: Rng, secret: string, phoneNumberId: string, waId: string): FuzzPayload {
  const body = Buffer.from(JSON.stringify(baseNotification(phoneNumberId, waId)));
  const good = signBody(body, secret);
  const variants: Record<string, Record<string, string>> = {
    missing: {},
    'other secret': { 'x-hub-signature-256': signBody(body, `${secret}x`) },
    'sha1 prefix': { 'x-hub-signature-256': good.replace('sha256=', 'sha1=') },
    'not hex': { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` },
    truncated: { 'x-hub-signature-256': good.slice(0, 40) },
    'one digit off': { 'x-hub-signature-256': good.slice(0, -1) + (good.endsWith('0') ? '1' : '0') },
    'other body': { 'x-hub-signature-256': signBody(`${body.toString()} `, secret) },
    empty: { 'x-hub-signature-256': '' },
  };
  const kind = pick(rng, Object.keys(variants));
  return { kind: `bad signature: ${kind}`, body, headers: variants[kind]!, valid: false };
}

/** `signed` payloads with good signatures (a third random, the rest mutated) and `unsigned` bad ones. */
export function fuzzPayloads(opts: {
  seed: number;
  signed: number;
  badSignatures: number;
  secret: string;
  phoneNumberId: string;
}): FuzzPayload[] {
  const rng = seededRng(opts.seed);
  const run = 100_000 + int(rng, 900_000);
  const user = (i: number) => `56${run}${String(i).padStart(5, '0')}`;
  const out: FuzzPayload[] = [];
  for (let i = 0; i < opts.signed; i++) {
    out.push(
      i % 3 === 0
        ? randomPayload(rng, opts.secret, i)
        : mutatedPayload(rng, opts.secret, opts.phoneNumberId, user(i)),
    );
  }
  for (let i = 0; i < opts.badSignatures; i++)
    out.push(badSignaturePayload(rng, opts.secret, opts.phoneNumberId, user(opts.signed + i)));
  return shuffled(out, rng);
}

/** The message a valid payload carries, as the counting helpers see messages. */
function messageOf(p: FuzzPayload): ChaosMessage {
  const n = JSON.parse(p.body.toString()) as {
    entry: { changes: { value: { messages: { id: string }[] } }[] }[];
  };
  return { id: n.entry[0]!.changes[0]!.value.messages[0]!.id, waId: p.waId!, raw: '' };
}

/**
 * 5) Fuzz: every payload posted once. Never a 5xx other than 503, the API process survives, valid
 * payloads are answered, and the number of workflows grows by exactly the number of valid ones.
 */
export async function fuzz(
  h: Harness,
  opts: { signed: number; badSignatures: number; seed: number },
  repliesPerMessage: number,
): Promise<ScenarioResult> {
  const started = Date.now();
  const crashesBefore = h.crashes.length;
  const workflowsBefore = await allWorkflows(h);
  const payloads = fuzzPayloads({ ...opts, secret: h.appSecret, phoneNumberId: h.client.phoneNumberId });
  const tally = newTally();
  const failures: string[] = [];
  await paced(payloads, { concurrency: 8, perSecond: 500 }, async (p) => {
    const status = await post(h.apiUrl, p.body, p.headers, tally);
    if (p.valid && status !== 200) failures.push(`valid payload (${p.kind}) answered ${status}`);
    if (!p.valid && status === 0) failures.push(`no answer to ${p.kind}`);
  });
  const valid = payloads.filter((p) => p.valid).map(messageOf);
  await settle(h, valid, repliesPerMessage, 120_000 + valid.length * 100);
  const startedWorkflows = await workflowsSettled(h, workflowsBefore, valid.length);
  if (startedWorkflows > valid.length)
    failures.push(`${startedWorkflows - valid.length} workflows started for garbage`);
  if (startedWorkflows < valid.length)
    failures.push(`${valid.length - startedWorkflows} valid payloads started no workflow`);
  const healthy = await fetch(`${h.apiUrl}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (!h.api.alive || !healthy) failures.push('the API process is not alive after the fuzz');
  return {
    scenario: 'fuzz',
    ...(await count(h, valid, repliesPerMessage)),
    posts: tally.posts,
    serverErrors: serverErrors(tally),
    unavailable: tally.statuses[503] ?? 0,
    rejected: 0,
    brokenWorkflows: await brokenWorkflows(h),
    crashes: h.crashes.length - crashesBefore,
    ms: Date.now() - started,
    notes: [
      `${opts.signed} signed (${valid.length} valid) and ${opts.badSignatures} badly signed payloads, seed ${opts.seed}`,
      `answers: ${JSON.stringify(tally.statuses)}; workflows started: ${startedWorkflows}`,
    ],
    failures,
  };
}

/** Workflows started since `before`, once visibility has caught up (it lags the starts slightly). */
async function workflowsSettled(h: Harness, before: number, expected: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while ((await allWorkflows(h)) - before < expected && Date.now() < deadline) await sleep(250);
  await sleep(1_000);
  return (await allWorkflows(h)) - before;
}
