import type { Language } from '../i18n';

export type { Language } from '../i18n';
export { LANGUAGES, supportedLanguage } from '../i18n';

/**
 * The NLU port: what the conversation needs to know about one inbound message, whatever engine
 * understood it. Everything here is JSON-plain so it can be recorded and carried into Temporal.
 */

/** Intents the action layer acts upon. Engines map their own names onto these. */
export type Intent =
  'greeting' | 'help' | 'order_status' | 'shipping_quote' | 'human_agent' | 'thanks' | 'faq' | 'fallback';

/** A reply the engine itself produced (Dialogflow CX fulfilment): text, or buttons/lists from a custom payload. */
export type EngineReply =
  | { type: 'text'; body: string }
  | { type: 'buttons'; body: string; buttons: { id: string; title: string }[] }
  | {
      type: 'list';
      body: string;
      button: string;
      rows: { id: string; title: string; description?: string }[];
    };

export interface NluResult {
  intent: Intent;
  /** 0..1; the built-in engine reports how much of the message its rule explained. */
  confidence: number;
  /** True when the engine found no intent (counts towards the two-no-matches handoff). */
  noMatch: boolean;
  language: Language;
  /** Extracted parameters, e.g. `orderNumber`, `destination`; CX parameters converted from Struct. */
  parameters: Record<string, unknown>;
  /** Dialogflow CX `liveAgentHandoff` seen in any response message. */
  handoff: boolean;
  /** Dialogflow CX `endInteraction` seen. */
  endInteraction: boolean;
  /** Replies the engine wants sent as they are; empty for the built-in engine. */
  replies: EngineReply[];
  /** What the user said in a voice note, as the engine heard it. */
  transcript?: string;
  engine: 'builtin' | 'dialogflow-cx';
}

/** One message to understand: text, or a voice note's bytes (OGG/Opus, 16 kHz). */
export interface NluRequest {
  /** Client and end-user (keyed hash): engines with sessions derive the session from these. */
  clientId: string;
  subjectHash: string;
  text?: string;
  audio?: Buffer;
  /** The client's configured language, used when the engine cannot tell. */
  languageHint: Language;
  timeZone?: string;
  /**
   * The client's bot content version, when the caller read it with the turn (0: no content yet):
   * an engine taught by that content uses it instead of reading it again.
   */
  contentVersion?: number;
}

export interface NluEngine {
  readonly name: NluResult['engine'];
  detect(request: NluRequest): Promise<NluResult>;
}
