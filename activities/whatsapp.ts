import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Subject } from '../crypto/vault';
import { findClientAndContact, setGraphTokenRejected, type ClientRow } from '../db/clients';
import { markUndeliverable } from '../db/contacts';
import {
  claimOutbound,
  recordInboundMessage,
  markOutboundNotSent,
  markOutboundSent,
  setOutboundAttempt,
  wamidHashByCallback,
} from '../db/messages';
import { markFirstAgentResponse } from '../db/conversations';
import { recordInsight } from '../db/insights';
import type { Logger } from '../logging';
import type { Language } from '../i18n';
import { settingsFrom, type ClientSettings, type TemplatePurpose } from '../settings/client-settings';
import type { InboundMessage } from '../workflows/conversation/contract';
import { classifyGraphError } from '../whatsapp/errors';
import { GraphError } from '../whatsapp/graph-client';
import { mediaOf } from '../whatsapp/message-types';
import { sendCallback, wamidHash } from '../whatsapp/wamid';
import { windowOpen } from '../whatsapp/window';
import { ContentLimitError, toGraphMessage, type OutboundContent } from '../whatsapp/outbound';
import { graphIdOfStoredMedia, type InboundMediaRequest, type MediaDeps } from './media';
import { clientWithToken, withToken } from './graph-token';
import { gateTemplate, templateContent, usableTemplate, type TemplateRefusal } from './template-gate';
import { createPacer, type PacingOptions } from './pacing';

/** The media activities' parts (database, Graph, secrets, vault, media store, log, metrics), and: */
export interface WhatsAppDeps extends Omit<MediaDeps, 'mediaDownloads' | 'mediaStallMs'> {
  /** For activities that read or signal other workflows (order status, fallbacks). */
  temporal: Client;
  /** Pair-limit pacing; Meta's limits by default (tests shrink them). */
  pacing?: PacingOptions;
  /** The blind-index key: wamids are stored and looked up only by their keyed hash under it. */
  indexKey: Buffer;
  /**
   * How long a retried send waits for a status of an earlier attempt that may have reached Meta,
   * counted from that attempt, before it sends again (default `ACCEPTED_WAIT_MS`).
   */
  acceptedWaitMs?: number;
  /** Called between Meta's acceptance of a send and its record: the chaos harness's kill point. */
  afterAccepted?: () => void;
}

/**
 * Meta's `sent` status follows an accepted send within about a second (the sandbox's after 150 ms);
 * 20 s leaves room for a delayed webhook while a retry after a crash still goes out promptly.
 */
export const ACCEPTED_WAIT_MS = 20_000;

export interface RecordInboundResult {
  /** For media messages: the file to fetch next (`storeInboundMedia`, a remote activity). */
  media?: InboundMediaRequest;
}

export interface RecordInboundInput {
  clientId: string;
  phoneNumberId: string;
  subjectHash: string;
  message: InboundMessage;
}

export interface SendMessageInput {
  clientId: string;
  phoneNumberId: string;
  subjectHash: string;
  /** Derived from the workflow and step, so a retried activity finds the earlier send. */
  idempotencyKey: string;
  content: OutboundContent;
  /** `bot`, `system`, or `agent:<keyId>`: recorded with the message. */
  sentBy: string;
  /** Client template purpose to use when the 24-hour window is closed; default `window_reopen`. */
  fallbackPurpose?: TemplatePurpose;
  /** Only the confirmation of a STOP may reach a user who has opted out. */
  purpose?: 'opt_out_confirmation';
  /** The conversation's language: picks the fallback template (else the contact's, else the client's). */
  language?: Language;
}

export interface MarkReadInput {
  clientId: string;
  phoneNumberId: string;
  /** The inbound message's wamid (Meta's id itself: the Graph API needs it). */
  wamid: string;
  /** Also show "typing…" to the user (up to 25 s, or until the next message). */
  typing?: boolean;
}

/** Why a send is refused; the console words each (`notSent.<reason>`). */
export const REFUSAL_REASONS = [
  'opted_out',
  'window_closed',
  'undeliverable',
  'no_contact',
  'template_paused',
  'template_disabled',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
/** A send's outcome; a sent message is named by its wamid hash (`whatsapp/wamid.ts`), as stored. */
export type SendMessageResult =
  { status: 'sent'; wamidHash: string; viaTemplate: boolean } | { status: 'refused'; reason: RefusalReason };

interface Target {
  clientId: string;
  phoneNumberId: string;
  subjectHash: string;
  messagesPerSecond: number;
  /** The send's callback data, echoed in its statuses (`sendCallback`). */
  callback: string;
}

export function createWhatsAppActivities(deps: WhatsAppDeps) {
  const { db, graph, secrets, vault, log, metrics } = deps;
  const pace = createPacer(db, deps.pacing);

  /**
   * Counts a Graph error by code, and raises the operator alert for the ones that need a human; a
   * rejected token (190) also flags the client, which `/readyz` and a metric report until it works.
   */
  async function countGraphError(
    err: GraphError,
    verdict: { type: string; alert?: boolean },
    clientId: string,
  ) {
    metrics.graphErrors.inc({ code: String(err.code ?? err.httpStatus ?? 'none'), type: verdict.type });
    if (!verdict.alert) return;
    metrics.graphAlerts.inc({ type: verdict.type, client_id: clientId });
    log.error('graph alert', { code: err.code, type: verdict.type, clientId });
    if (verdict.type === 'TokenExpired') await setGraphTokenRejected(db, clientId, true);
  }

  /**
   * Records an accepted send (see `markOutboundSent`, through a database outage) and counts it once
   * per message; for an agent's reply, the first-response time too.
   */
  async function observeSent(
    input: SendMessageInput,
    wamidHash: string,
    instead?: { type: string; bodyEnc: string },
  ) {
    const type = instead?.type ?? input.content.type;
    const fresh = await untilRecorded(log, 'sent message', () =>
      markOutboundSent(db, input.idempotencyKey, wamidHash, instead),
    );
    if (fresh) metrics.messagesOut.inc({ type, outcome: instead ? 'template' : 'sent' });
    if (!input.sentBy.startsWith('agent:')) return;
    const first = await markFirstAgentResponse(db, input.clientId, input.subjectHash);
    if (first)
      await recordInsight(db, {
        clientId: input.clientId,
        kind: 'agent_first_response',
        valueMs: first.ms,
        key: first.id,
      });
  }
  /** The client's token and the settings a send uses, from its row (read with the contact by a send). */
  function clientContext(row: ClientRow) {
    const { client, token } = withToken(secrets, row.id, row);
    const settings = settingsFrom(client.settings);
    return {
      token,
      tokenRejected: client.graphTokenRejectedAt !== null,
      settings,
      messagesPerSecond: settings.pacing.messagesPerSecond,
    };
  }

  /** The purpose's template Meta lets us send (another language when one is paused), or why not. */
  async function fallbackTemplate(
    clientId: string,
    settings: ClientSettings,
    purpose: TemplatePurpose,
    lang: Language | undefined,
  ): Promise<OutboundContent | TemplateRefusal | undefined> {
    const usable = await usableTemplate(db, clientId, settings.templates[purpose], lang, settings.language);
    if (!usable) return undefined;
    return 'blocked' in usable ? usable.blocked : templateContent(usable.ref, usable.stored);
  }

  /** An agent's stored file is uploaded to Meta (once) and sent by the id Meta gave it. */
  async function withGraphMediaId(target: Target, token: string, content: OutboundContent) {
    if (content.type !== 'media' || !content.stored) return content;
    const subject = { clientId: target.clientId, subjectHash: target.subjectHash };
    const id = await graphIdOfStoredMedia(deps, { ...target, subject, token, mediaId: content.stored });
    return { ...content, stored: undefined, id };
  }

  async function post(target: Target, token: string, to: string, content: OutboundContent) {
    try {
      const message = {
        to,
        ...toGraphMessage(await withGraphMediaId(target, token, content)),
        biz_opaque_callback_data: target.callback,
      };
      await pace(
        target.phoneNumberId,
        { clientId: target.clientId, subjectHash: target.subjectHash },
        target.messagesPerSecond,
      );
      Context.current().heartbeat(); // the pacing wait is over: the heartbeat timeout covers the call
      return {
        ok: true as const,
        wamid: (await graph.sendMessage(target.phoneNumberId, token, message)).wamid,
      };
    } catch (err) {
      if (err instanceof ContentLimitError)
        throw ApplicationFailure.nonRetryable(err.message, 'ContentLimit');
      if (!(err instanceof GraphError)) throw err;
      return { ok: false as const, err };
    }
  }

  /**
   * Records the send before the Graph call (sealed), once per idempotency key; a send recorded
   * earlier answers as it ended: sent (its wamid hash) or refused (its reason), or — when its
   * attempt may have reached Meta before the process died — as Meta's statuses say it went.
   */
  async function claim(input: SendMessageInput, subject: Subject): Promise<SendMessageResult | undefined> {
    const claimed = await claimOutbound(db, {
      ...subject,
      idempotencyKey: input.idempotencyKey,
      phoneNumberId: input.phoneNumberId,
      type: input.content.type,
      bodyEnc: await vault.seal(subject, 'message.body', JSON.stringify(input.content)),
      sentBy: input.sentBy,
    });
    if (claimed.wamidHash) return { status: 'sent', wamidHash: claimed.wamidHash, viaTemplate: false };
    if (claimed.status === 'refused')
      return { status: 'refused', reason: claimed.statusReason as RefusalReason };
    if (claimed.fresh || !claimed.attemptedAt) return undefined;
    const found = await acceptedEarlier(input, claimed.attemptedAt);
    if (found) return { status: 'sent', wamidHash: found, viaTemplate: false };
    await setOutboundAttempt(db, input.idempotencyKey, true); // this attempt may reach Meta in turn
    return undefined;
  }

  /**
   * The wamid hash of an earlier attempt that Meta accepted, found by the callback data its statuses
   * echo, waited for (heartbeating) until `acceptedWaitMs` after that attempt; recorded once found.
   * Undefined: no status came, so Meta never took it and the send goes again.
   */
  async function acceptedEarlier(input: SendMessageInput, attemptedAt: Date): Promise<string | undefined> {
    const callback = sendCallback(deps.indexKey, input.clientId, input.idempotencyKey);
    const until = attemptedAt.getTime() + (deps.acceptedWaitMs ?? ACCEPTED_WAIT_MS);
    for (;;) {
      const hash = await wamidHashByCallback(db, input.clientId, callback);
      if (hash) {
        await observeSent(input, hash);
        metrics.sendsRecovered.inc();
        return hash;
      }
      if (Date.now() >= until) return undefined;
      Context.current().heartbeat();
      await Context.current().sleep(Math.min(500, until - Date.now()));
    }
  }

  async function refuse(input: SendMessageInput, reason: RefusalReason): Promise<SendMessageResult> {
    await markOutboundNotSent(db, input.idempotencyKey, 'refused', reason);
    metrics.messagesOut.inc({ type: input.content.type, outcome: `refused:${reason}` });
    return { status: 'refused', reason };
  }

  /**
   * Posts `content` while the window is `open`; outside it, and when Meta says it closed meanwhile
   * (131047), the template goes in its place. A refusal instead: the window is closed and there is
   * no template to send, or Meta paused or disabled it.
   */
  async function postInWindow(
    target: Target,
    token: string,
    to: string,
    content: OutboundContent,
    open: boolean,
    template: () => Promise<OutboundContent | TemplateRefusal | undefined>,
  ) {
    const instead = async () => (await template()) ?? ('window_closed' as const);
    let sending = content;
    if (sending.type !== 'template' && !open) {
      const t = await instead();
      if (typeof t === 'string') return t;
      sending = t;
    }
    let result = await post(target, token, to, sending);
    if (!result.ok && result.err.code === 131047 && sending.type !== 'template') {
      const t = await instead();
      if (typeof t === 'string') return t;
      sending = t;
      result = await post(target, token, to, sending);
    }
    return { content: sending, result };
  }

  /**
   * Records what Meta accepted, by the wamid's hash, waiting out a database outage (see
   * `untilRecorded`); a template sent in place of free text is recorded as what went out.
   */
  async function recordSent(
    input: SendMessageInput,
    subject: Subject,
    wamid: string,
    instead: OutboundContent | undefined,
  ): Promise<string> {
    const sent = instead && {
      type: 'template',
      bodyEnc: await vault.seal(subject, 'message.body', JSON.stringify(instead)),
    };
    const hash = wamidHash(deps.indexKey, input.clientId, wamid);
    await observeSent(input, hash, sent);
    return hash;
  }

  /** A Graph refusal: the user is undeliverable, the send failed for good, or it is retried. */
  async function failed(input: SendMessageInput, err: GraphError): Promise<SendMessageResult> {
    // Meta answered, with an error: it took nothing, so a retry need not wait for its statuses.
    if (err.httpStatus !== undefined) await setOutboundAttempt(db, input.idempotencyKey, false);
    const verdict = classifyGraphError(err, Context.current().info.attempt);
    await countGraphError(err, verdict, input.clientId);
    if (verdict.type === 'Undeliverable') {
      await markUndeliverable(db, input.clientId, input.subjectHash);
      return refuse(input, 'undeliverable');
    }
    if (!verdict.retryable) {
      await markOutboundNotSent(db, input.idempotencyKey, 'failed', verdict.type);
      throw ApplicationFailure.create({ message: err.message, type: verdict.type, nonRetryable: true });
    }
    throw ApplicationFailure.create({
      message: err.message,
      type: verdict.type,
      nextRetryDelay: verdict.nextRetryDelayMs,
    });
  }

  return {
    /**
     * Persists an inbound message (sealed under the subject's key) and refreshes the contact: reply
     * address and the 24-hour window's start. For a media message it returns the file to fetch,
     * which the conversation downloads next with `storeInboundMedia` (a remote activity: a 100 MB
     * download has no place in a local one). Idempotent by Meta's message id; throws only for
     * transient faults.
     */
    async recordInbound(input: RecordInboundInput): Promise<RecordInboundResult> {
      const subject = { clientId: input.clientId, subjectHash: input.subjectHash };
      const { message } = input;
      const sealed = (field: string, value: string) => vault.seal(subject, field, value);
      // Counted here rather than in the webhook: Meta redelivers, and the message id makes this once.
      const isNew = await recordInboundMessage(db, {
        ...subject,
        wamidHash: message.messageId,
        phoneNumberId: input.phoneNumberId,
        type: message.type,
        recipientEnc: await sealed('contact.recipient', message.sender.recipient),
        nameEnc: message.sender.name ? await sealed('contact.name', message.sender.name) : null,
        bodyEnc: await sealed(
          'message.body',
          JSON.stringify({ text: message.text, payload: message.payload }),
        ),
        occurredAt: new Date(message.timestamp),
      });
      if (isNew) metrics.messagesIn.inc({ type: message.type });
      const media = mediaOf(message.type, message.payload);
      return media ? { media } : {};
    },

    /**
     * The one send path for bot, agent and order notifications. Refuses (and records why) when the
     * user opted out, is undeliverable, or the 24-hour window is closed with no fallback template;
     * outside the window a configured template replaces free text. Sends once per idempotency key.
     * Throws a non-retryable ApplicationFailure typed by the Graph error for permanent faults.
     * Once Meta accepted it, the wamid is recorded before the activity ends, waiting for PostgreSQL
     * up to the send's start-to-close timeout (5 min, see `untilRecorded`): a retry would find the
     * row pending and send again, since the Graph API has no idempotency key. What is left for a
     * duplicate is this process dying between Meta's answer and the record, or a longer outage.
     */
    async sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
      const subject = { clientId: input.clientId, subjectHash: input.subjectHash };
      const parties = await findClientAndContact(db, input.clientId, input.subjectHash);
      const contact = parties?.contact; // a client that is gone has no contacts either
      if (!parties || !contact) return { status: 'refused', reason: 'no_contact' };
      const earlier = await claim(input, subject);
      if (earlier) return earlier;
      if (contact.optedOut && input.purpose !== 'opt_out_confirmation') return refuse(input, 'opted_out');
      if (contact.undeliverable) return refuse(input, 'undeliverable');

      const { token, tokenRejected, settings, messagesPerSecond } = clientContext(parties.client);
      const target = {
        ...subject,
        phoneNumberId: input.phoneNumberId,
        messagesPerSecond,
        callback: sendCallback(deps.indexKey, input.clientId, input.idempotencyKey),
      };
      let content = input.content;
      if (content.type === 'template') {
        const gated = await gateTemplate(db, input.clientId, content);
        if (typeof gated === 'string') return refuse(input, gated);
        content = gated;
      }
      const to = await vault.openText(subject, 'contact.recipient', contact.recipientEnc);
      const open = windowOpen(contact.lastInboundAt?.getTime(), Date.now());
      // Looked up only when it is needed: outside the window, or when Meta says it closed meanwhile.
      const template = () =>
        fallbackTemplate(
          input.clientId,
          settings,
          input.fallbackPurpose ?? 'window_reopen',
          input.language ?? contact.language ?? undefined,
        );
      const posted = await postInWindow(target, token, to, content, open, template);
      if (typeof posted === 'string') return refuse(input, posted);
      const { result } = posted;
      if (!result.ok) return failed(input, result.err);
      deps.afterAccepted?.();
      const viaTemplate = posted.content !== content;
      const hash = await recordSent(input, subject, result.wamid, viaTemplate ? posted.content : undefined);
      if (tokenRejected) await setGraphTokenRejected(db, input.clientId, false); // it works again
      return { status: 'sent', wamidHash: hash, viaTemplate };
    },

    /**
     * Marks an inbound message read (blue ticks) and optionally shows a typing indicator while the
     * reply is prepared. Best effort: a permanent Graph refusal is logged and swallowed (a missing
     * tick is not worth failing a conversation); transient faults throw so the activity retries.
     */
    async markRead(input: MarkReadInput): Promise<void> {
      const { token } = await clientWithToken(db, secrets, input.clientId);
      try {
        await graph.markRead(input.phoneNumberId, token, input.wamid, input.typing ?? false);
      } catch (err) {
        if (!(err instanceof GraphError)) throw err;
        const verdict = classifyGraphError(err, Context.current().info.attempt);
        await countGraphError(err, verdict, input.clientId);
        if (!verdict.retryable) {
          log.warn('mark as read refused', { code: err.code, type: verdict.type, clientId: input.clientId });
          return;
        }
        throw ApplicationFailure.create({
          message: err.message,
          type: verdict.type,
          nextRetryDelay: verdict.nextRetryDelayMs,
        });
      }
    },
  };
}

/**
 * Runs `record` until it succeeds: for a write that must not be lost to a passing database outage
 * because what it records already happened elsewhere. Backs off from 250 ms to 5 s and heartbeats
 * meanwhile, so the activity stays alive (its heartbeat timeout, not its start-to-close timeout,
 * is what detects a dead worker); gives up only when the activity is cancelled.
 */
async function untilRecorded<T>(log: Logger, what: string, record: () => Promise<T>): Promise<T> {
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await record();
    } catch (err) {
      Context.current().heartbeat();
      // The error's class and code only: a database error's message may quote the values.
      const { name, code } = err as { name?: string; code?: string };
      log.warn(`${what} not recorded yet; retrying`, { error: name, code, retryInMs: delay });
      await Context.current().sleep(delay);
    }
  }
}
