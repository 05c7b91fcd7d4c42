import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callApi } from './api';
import { postWebhook, textNotification } from './whatsapp';

/** What the outbound-event tests run with: their receivers are plain HTTP on this machine. */
export const EVENTS_ENV = { AURA_WEBHOOKS_ALLOW_LOOPBACK_HTTP: 'true' };

/** The signature check docs/events.md shows a receiver, line for line. */
export function verify(secret: string, rawBody: string, header: string, now = Date.now() / 1000): boolean {
  const { t, v1 } = Object.fromEntries(header.split(',').map((kv) => kv.split('=')));
  if (!t || !v1 || Math.abs(now - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; clientId: string; data: Record<string, unknown> };
}

/** A client's HTTP receiver on a port of its own that can go down and come back on the same port. */
export class Receiver {
  readonly received: Received[] = [];
  private server: Server | undefined;
  port = 0;
  status = 200;

  async up(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (this.status < 300) this.received.push({ headers: req.headers, body, event: JSON.parse(body) });
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  get url(): string {
    return `http://localhost:${this.port}/aura-events`;
  }

  ofType(type: string): Received[] {
    return this.received.filter((r) => r.event.type === type);
  }
}

/** Registers an endpoint through `POST /v1/webhooks`: its id and its secret (shown only here). */
export async function registerEndpoint(apiUrl: string, apiKey: string, url: string, events: string[]) {
  const res = await callApi(apiUrl, apiKey, 'POST', '/v1/webhooks', { url, events });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json as { id: string; secret: string };
}

/** One row of `GET /v1/webhooks/:id/deliveries`. */
export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastError: string | null;
  lastStatus: number | null;
  payload: { data: Record<string, unknown> };
}

/** An endpoint's deliveries, newest first (up to 100). */
export async function deliveriesOf(apiUrl: string, apiKey: string, endpointId: string): Promise<Delivery[]> {
  const res = await callApi(apiUrl, apiKey, 'GET', `/v1/webhooks/${endpointId}/deliveries?limit=100`);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json.deliveries as Delivery[];
}

/**
 * Sends the customer's messages to the WhatsApp webhook one second apart, as Meta stamps them,
 * signed with `appSecret` (the test stack's when omitted).
 */
export async function customerSays(
  to: { apiUrl: string; phoneNumberId: string; appSecret?: string },
  waId: string,
  ...texts: string[]
): Promise<void> {
  const start = Math.floor(Date.now() / 1000);
  for (const [i, text] of texts.entries()) {
    const notification = textNotification({
      phoneNumberId: to.phoneNumberId,
      waId,
      text,
      timestamp: start + i,
      name: 'Marisol Quintero',
    });
    const res = await postWebhook(to.apiUrl, notification, { secret: to.appSecret });
    assert.equal(res.status, 200);
  }
}
