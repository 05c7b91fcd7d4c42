import { createHash } from 'node:crypto';
import { SessionsClient, type protos } from '@google-cloud/dialogflow-cx';
import { z } from 'zod';
import {
  supportedLanguage,
  type EngineReply,
  type Intent,
  type NluEngine,
  type NluRequest,
  type NluResult,
} from './port';
import { fromStruct, toStruct } from './struct';

type QueryResult = protos.google.cloud.dialogflow.cx.v3.IQueryResult;
type ResponseMessage = protos.google.cloud.dialogflow.cx.v3.IResponseMessage;

export interface DialogflowCxOptions {
  project: string;
  location: string;
  agent: string;
  /** Overrides `<location>-dialogflow.googleapis.com` (`global` → `dialogflow.googleapis.com`). */
  endpoint?: string;
  /** A ready client (tests point one at the local fake); built from the options otherwise. */
  client?: SessionsClient;
  credentialsPath?: string;
}

/** The regional endpoint a location's agents must be called on. */
export function regionalEndpoint(location: string): string {
  return location === 'global' ? 'dialogflow.googleapis.com' : `${location}-dialogflow.googleapis.com`;
}

/** Session id (≤ 36 chars) from a hash of client and end-user: one CX session per conversation, no PII. */
export function sessionIdFor(clientId: string, subjectHash: string): string {
  return createHash('sha256').update(`${clientId}\u0000${subjectHash}`).digest('hex').slice(0, 36);
}

// Custom payloads our CX agents use for WhatsApp interactive messages.
const payloadSchema = z.union([
  z.object({
    type: z.literal('buttons'),
    body: z.string().min(1),
    buttons: z
      .array(z.object({ id: z.string().min(1), title: z.string().min(1) }))
      .min(1)
      .max(3),
  }),
  z.object({
    type: z.literal('list'),
    body: z.string().min(1),
    button: z.string().min(1),
    rows: z
      .array(
        z.object({ id: z.string().min(1), title: z.string().min(1), description: z.string().optional() }),
      )
      .min(1)
      .max(10),
  }),
]);

const INTENT_ALIASES: [RegExp, Intent][] = [
  [/human|agent|person|operator/, 'human_agent'],
  [/order/, 'order_status'],
  [/ship|delivery|freight/, 'shipping_quote'],
  [/help|menu/, 'help'],
  [/thank|bye/, 'thanks'],
  [/greet|hello|welcome/, 'greeting'],
];

/** Our intent for a CX intent display name (e.g. `order.status`, `Talk to human`). */
export function intentFor(displayName: string | null | undefined): Intent {
  const name = (displayName ?? '').toLowerCase();
  return INTENT_ALIASES.find(([re]) => re.test(name))?.[1] ?? 'fallback';
}

function repliesFrom(messages: ResponseMessage[]): EngineReply[] {
  const replies: EngineReply[] = [];
  for (const m of messages) {
    const text = (m.text?.text ?? []).join('\n').trim();
    if (text) replies.push({ type: 'text', body: text });
    if (m.payload) {
      const parsed = payloadSchema.safeParse(fromStruct(m.payload));
      if (parsed.success) replies.push(parsed.data);
    }
  }
  return replies;
}

/** Maps a CX query result onto the NLU port's result, scanning every response message. */
export function resultFrom(q: QueryResult, hint: NluRequest['languageHint']): NluResult {
  const messages = q.responseMessages ?? [];
  const matchType = String(q.match?.matchType ?? '');
  const noMatch = matchType === 'NO_MATCH' || matchType === 'NO_INPUT';
  return {
    intent: noMatch ? 'fallback' : intentFor(q.match?.intent?.displayName),
    // CX sends a float32; three decimals is all the precision it has.
    confidence: Math.round(Number(q.match?.confidence ?? 0) * 1000) / 1000,
    noMatch,
    language: q.languageCode ? supportedLanguage(q.languageCode.slice(0, 2)) : hint,
    parameters: fromStruct(q.parameters),
    handoff: messages.some((m) => m.liveAgentHandoff),
    endInteraction: messages.some((m) => m.endInteraction),
    replies: repliesFrom(messages),
    transcript: q.transcript || undefined,
    engine: 'dialogflow-cx',
  };
}

/**
 * The Dialogflow CX engine: the real `SessionsClient` on the agent's regional endpoint. Text goes
 * as text input, voice notes as OGG/Opus 16 kHz audio input (the transcript comes back). gax
 * retries are off: detectIntent is not idempotent, and the NLU activity records each result.
 */
export function createDialogflowCxEngine(opts: DialogflowCxOptions): NluEngine {
  const client =
    opts.client ??
    new SessionsClient({
      apiEndpoint: opts.endpoint ?? regionalEndpoint(opts.location),
      ...(opts.credentialsPath ? { keyFilename: opts.credentialsPath } : {}),
    });
  return {
    name: 'dialogflow-cx',
    async detect(request: NluRequest): Promise<NluResult> {
      const session = client.projectLocationAgentSessionPath(
        opts.project,
        opts.location,
        opts.agent,
        sessionIdFor(request.clientId, request.subjectHash),
      );
      const queryInput: protos.google.cloud.dialogflow.cx.v3.IQueryInput = request.audio
        ? {
            audio: {
              config: { audioEncoding: 'AUDIO_ENCODING_OGG_OPUS', sampleRateHertz: 16_000 },
              audio: request.audio,
            },
            languageCode: request.languageHint,
          }
        : { text: { text: request.text ?? '' }, languageCode: request.languageHint };
      const [response] = await client.detectIntent(
        {
          session,
          queryInput,
          queryParams: {
            timeZone: request.timeZone,
            channel: 'whatsapp',
            parameters: toStruct({ channel: 'whatsapp', client_language: request.languageHint }),
          },
        },
        { timeout: 20_000, maxRetries: 0 },
      );
      return resultFrom(response.queryResult ?? {}, request.languageHint);
    },
  };
}
