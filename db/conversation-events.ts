import pg from 'pg';
import { CONVERSATION_EVENTS_CHANNEL } from './conversations';
import type { Db } from './pool';

/** What consoles are told of a conversation: ids, event type and mode (no PII). */
export interface ConversationEvent {
  clientId: string;
  ref: string;
  type: string;
  mode: string;
  /** The owning agent (`agent:<keyId>`), so a console knows which events concern its own conversations. */
  agent?: string | null;
}

interface Subscriber {
  clientId: string;
  onEvent(e: ConversationEvent): void;
  /** The connection was lost: the stream should end (the console reconnects and reloads). */
  onLost(): void;
  /** Listening: told of a loss from now on (until then, `subscribe` rejects instead). */
  live?: boolean;
}

export type ConversationEvents = ReturnType<typeof createConversationEvents>;

/**
 * The NOTIFYs of conversation events, fanned out to every open event stream of this process over
 * one dedicated connection outside the pool (a pooled connection per stream would let a few open
 * consoles exhaust the pool). The first subscriber opens the connection and the last one to leave
 * closes it; a subscriber arriving meanwhile opens a fresh one instead of sharing the closing one.
 */
export function createConversationEvents(db: Db) {
  const subscribers = new Set<Subscriber>();
  let active: Promise<pg.Client> | undefined;

  /** Drops the connection and ends every live stream (their consoles reconnect). */
  function endAll(): void {
    const closing = active;
    active = undefined;
    const told = [...subscribers];
    subscribers.clear();
    for (const s of told) if (s.live) s.onLost();
    void closing?.then((c) => c.end()).catch(() => undefined);
  }

  function open(): Promise<pg.Client> {
    const client = new pg.Client(db.options);
    const connected: Promise<pg.Client> = client
      .connect()
      .then(() => client.query(`LISTEN ${CONVERSATION_EVENTS_CHANNEL}`))
      .then(() => client);
    const current = () => active === connected;
    const lost = () => {
      if (current()) endAll();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      if (!current() || n.channel !== CONVERSATION_EVENTS_CHANNEL || !n.payload) return;
      const e = JSON.parse(n.payload) as ConversationEvent;
      for (const s of subscribers) if (s.clientId === e.clientId) s.onEvent(e);
    });
    connected.catch(lost);
    return connected;
  }

  return {
    /**
     * Calls `onEvent` for each event of `clientId` until the returned function is called. Resolves
     * once the connection listens; rejects when it cannot be opened.
     */
    async subscribe(
      clientId: string,
      onEvent: Subscriber['onEvent'],
      onLost: Subscriber['onLost'],
    ): Promise<() => void> {
      const s: Subscriber = { clientId, onEvent, onLost };
      // Registered before waiting, so a last subscriber leaving meanwhile does not close our connection.
      subscribers.add(s);
      active ??= open();
      try {
        await active;
      } catch (err) {
        subscribers.delete(s);
        throw err;
      }
      if (!subscribers.has(s)) throw new Error('the conversation events connection was lost');
      s.live = true;
      return () => {
        if (subscribers.delete(s) && subscribers.size === 0) endAll();
      };
    },

    /** Ends every open stream and the connection: the API is stopping, the consoles will reconnect. */
    close: endAll,
  };
}
