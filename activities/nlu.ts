import { ApplicationFailure } from '@temporalio/activity';
import type { SubjectVault } from '../crypto/vault';
import { findNluResult, recordNluResult } from '../db/conversations';
import { recordInsight } from '../db/insights';
import { addReviewItem, REVIEW_TEXT_FIELD } from '../db/nlu-review';
import { findContactNameEnc, setContactLanguage } from '../db/contacts';
import { findLatestOrderOfSubject } from '../db/orders';
import { viewFromRecord } from '../orders/record';
import { redactUtterance } from '../nlu/redact';
import { loadClientSettings } from '../settings/client-settings';
import type { Db } from '../db/pool';
import type { Metrics } from '../metrics';
import type { MediaStore } from '../media/store';
import { openStoredMedia } from './media';
import { createTaughtEngine } from '../nlu/taught';
import { identifyLanguage, nextLanguage } from '../nlu/language';
import type { Language, NluEngine, NluResult } from '../nlu/port';

export interface NluDeps {
  db: Db;
  vault: SubjectVault;
  metrics: Metrics;
  /** The configured engine; the built-in one (taught by the client's FAQ entries) when omitted. */
  nlu?: NluEngine;
  /** Reads a stored media object (voice notes) by its id; provided by the media store when wired. */
  fetchMedia?: (ref: { clientId: string; subjectHash: string; mediaId: string }) => Promise<Buffer>;
  /** The media store inbound files were saved to; voice notes are read from it when `fetchMedia` is not given. */
  media?: MediaStore;
}

export interface UnderstandInput {
  clientId: string;
  subjectHash: string;
  /** The inbound message this is about: the result is recorded under it. */
  messageId: string;
  text?: string;
  /** A voice note (OGG/Opus, 16 kHz): its bytes (base64), or the media store's id for them. */
  audio?: { base64?: string; mediaId?: string };
  /** The conversation's language so far (the client's default until the customer's writing showed one). */
  languageHint: Language;
  timeZone?: string;
  /** The message answers a question the bot asked: not understanding it is not a no-match. */
  answering?: boolean;
  /** The language the conversation already knows (none yet: the contact's is not known either). */
  knownLanguage?: Language;
  /** The client's bot content version the turn read (0: none yet), for the engine's model; absent: the engine reads it. */
  contentVersion?: number;
}

/** The engine's result, its `language` being the conversation's language after this message. */
export type UnderstandResult = NluResult & {
  /** Whether the message showed the language (identified, or matched in it), rather than keeping the old one. */
  languageSure: boolean;
};

export function createNluActivities({
  db,
  vault,
  metrics,
  nlu = createTaughtEngine(db),
  fetchMedia,
  media,
}: NluDeps) {
  async function audioBytes(input: UnderstandInput): Promise<Buffer | undefined> {
    if (input.audio?.base64) return Buffer.from(input.audio.base64, 'base64');
    if (input.audio?.mediaId && fetchMedia) {
      return fetchMedia({
        clientId: input.clientId,
        subjectHash: input.subjectHash,
        mediaId: input.audio.mediaId,
      });
    }
    if (input.audio?.mediaId && media) {
      return (await openStoredMedia({ db, vault, media }, input.clientId, input.messageId))?.bytes;
    }
    return undefined;
  }

  /** Calls the engine and records its result; answers the result as recorded (the first one wins). */
  async function detectOnce(input: UnderstandInput, languageHint: Language): Promise<NluResult> {
    const subject = { clientId: input.clientId, subjectHash: input.subjectHash };
    const audio = await audioBytes(input);
    if (!input.text && !audio) {
      throw ApplicationFailure.nonRetryable('message has neither text nor audio', 'NluNoInput');
    }
    const stopTimer = metrics.nluDuration.startTimer({ engine: nlu.name });
    const result = await nlu.detect({
      clientId: input.clientId,
      subjectHash: input.subjectHash,
      text: input.text,
      audio,
      languageHint,
      timeZone: input.timeZone,
      contentVersion: input.contentVersion,
    });
    stopTimer();
    const stored = await recordNluResult(db, {
      ...subject,
      messageId: input.messageId,
      engine: nlu.name,
      resultEnc: await vault.seal(subject, 'nlu_result.result', JSON.stringify(result)),
    });
    return JSON.parse(await vault.openText(subject, 'nlu_result.result', stored)) as NluResult;
  }

  /**
   * Keeps a no-match utterance for review where the client turned review on: redacted of numbers,
   * emails, links and the names the system knows of the speaker, then sealed under their key.
   */
  async function keepForReview(input: UnderstandInput, result: NluResult): Promise<void> {
    const said = input.text ?? result.transcript;
    if (!said || !(await loadClientSettings(db, input.clientId))?.insights.reviewNoMatch) return;
    const subject = { clientId: input.clientId, subjectHash: input.subjectHash };
    const text = redactUtterance(said, await knownNames(subject));
    await addReviewItem(db, {
      ...subject,
      messageId: input.messageId,
      textEnc: await vault.seal(subject, REVIEW_TEXT_FIELD, text),
      language: result.language,
    });
  }

  /** The speaker's WhatsApp profile name and the customer name on their latest order, where known. */
  async function knownNames(subject: { clientId: string; subjectHash: string }): Promise<string[]> {
    const names: string[] = [];
    const nameEnc = await findContactNameEnc(db, subject.clientId, subject.subjectHash);
    if (nameEnc) names.push(await vault.openText(subject, 'contact.name', nameEnc));
    const order = await findLatestOrderOfSubject(db, subject.clientId, subject.subjectHash);
    const customer = order && (await viewFromRecord(vault, order)).customer.name;
    if (customer) names.push(customer);
    return names;
  }

  return {
    /**
     * The language a message the bot reads without NLU (an answer to its question, a follow-up) is
     * clearly written in, if any (see `nlu/language.ts`). Pure; a local activity so that what the
     * detector said is recorded in the history and a replay never asks it again.
     */
    async identifyLanguage(input: { text: string }): Promise<Language | null> {
      return (await identifyLanguage(input.text)) ?? null;
    },

    /**
     * Understands one inbound message with the configured engine, at most once per message: the
     * result is recorded (sealed) under the message id and a retry returns the recorded result,
     * because Dialogflow CX's detectIntent advances the session and must not run twice. Engine
     * errors are retried (transient); a message with neither text nor audio is a fallback. The
     * insight event and, for a no-match, the review copy are recorded once per message as well —
     * except when the message answers the bot's own question: not understanding an answer is no
     * no-match. The language is identified first (see `nlu/language.ts`) and handed to the engine;
     * when the message showed a language other than `knownLanguage`, the contact keeps it (one step
     * less for the workflow to record).
     */
    async understand(input: UnderstandInput): Promise<UnderstandResult> {
      const subject = { clientId: input.clientId, subjectHash: input.subjectHash };
      const identified = input.text ? await identifyLanguage(input.text) : undefined;
      const recorded = await findNluResult(db, input.clientId, input.messageId);
      const result = recorded
        ? (JSON.parse(await vault.openText(subject, 'nlu_result.result', recorded)) as NluResult)
        : await detectOnce(input, identified ?? input.languageHint);
      const language = nextLanguage(input.languageHint, identified, result);
      const answer = { ...result, language: language.language, languageSure: language.sure };
      if (language.sure && language.language !== input.knownLanguage)
        await setContactLanguage(db, { ...subject, language: language.language });
      if (input.answering && result.noMatch) return answer;
      await recordInsight(db, {
        clientId: input.clientId,
        kind: 'nlu_result',
        dims: { intent: result.intent, engine: result.engine, matched: !result.noMatch },
        key: input.messageId,
      });
      if (result.noMatch) await keepForReview(input, answer);
      return answer;
    },
  };
}
