import type { Subject, SubjectVault } from '../crypto/vault';
import { SubjectErasedError } from '../crypto/vault';
import { agentLabels } from '../db/clients';
import { findContactCard } from '../db/contacts';
import { pastHandoffs } from '../db/conversations';
import { listOrdersOfSubject } from '../db/orders';
import type { Db } from '../db/pool';
import { readOrderRecord } from '../orders/access';
import { windowClosesAt } from '../whatsapp/window';
import type { Address, OrderItem, OrderStatus } from '../workflows/order/contract';

/** How many orders the card opens (each is one unseal). */
const CARD_ORDERS = 10;

/** What an agent sees of the customer beside the transcript (`GET /v1/conversations/:id/contact`). */
export interface ContactCard {
  name: string | null;
  /** The WhatsApp number (digits, no plus), when the customer is known by one. */
  phone: string | null;
  /** The business-scoped user id, when the customer is known by a username only. */
  userId: string | null;
  language: string | null;
  optedOut: boolean;
  consentChangedAt: string | null;
  consentSource: string | null;
  firstContactAt: string;
  lastInboundAt: string | null;
  windowOpenUntil: string | null;
  windowOpen: boolean;
  pastConversations: {
    ref: string;
    queuedAt: string;
    resolvedAt: string;
    agent: string | null;
    agentLabel: string | null;
    durationMs: number | null;
  }[];
  orders: CardOrder[];
}

interface CardOrder {
  orderId: string;
  status: OrderStatus;
  currency: string;
  total: number | null;
  createdAt: string;
  items: Pick<OrderItem, 'sku' | 'name' | 'quantity' | 'unitPrice'>[];
  deliveryAddress: Address;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
}

/**
 * The customer card of a conversation's subject, unsealed; undefined when there is no contact (or
 * its data key is gone: erased). The caller audits the read (`contact.read`).
 */
export async function contactCard(
  db: Db,
  vault: SubjectVault,
  subject: Subject,
  now = Date.now(),
): Promise<ContactCard | undefined> {
  const row = await findContactCard(db, subject.clientId, subject.subjectHash);
  if (!row) return undefined;
  try {
    const recipient = await vault.openText(subject, 'contact.recipient', row.recipientEnc);
    const name = row.nameEnc ? await vault.openText(subject, 'contact.name', row.nameEnc) : null;
    const until = row.lastInboundAt ? windowClosesAt(row.lastInboundAt.getTime()) : null;
    const isPhone = /^\d{6,20}$/.test(recipient);
    return {
      name,
      phone: isPhone ? recipient : null,
      userId: isPhone ? null : recipient,
      language: row.language,
      optedOut: row.optedOut,
      consentChangedAt: row.consent?.at.toISOString() ?? null,
      consentSource: row.consent?.source ?? null,
      firstContactAt: row.firstContactAt.toISOString(),
      lastInboundAt: row.lastInboundAt?.toISOString() ?? null,
      windowOpenUntil: until === null ? null : new Date(until).toISOString(),
      windowOpen: until !== null && until > now,
      pastConversations: await history(db, subject),
      orders: await orders(db, vault, subject),
    };
  } catch (err) {
    if (err instanceof SubjectErasedError) return undefined;
    throw err;
  }
}

async function history(db: Db, subject: Subject): Promise<ContactCard['pastConversations']> {
  const handoffs = await pastHandoffs(db, subject.clientId, subject.subjectHash);
  const labels = await agentLabels(
    db,
    subject.clientId,
    handoffs.map((h) => h.agent),
  );
  return handoffs.map((h) => ({
    ref: h.ref,
    queuedAt: h.queuedAt.toISOString(),
    resolvedAt: h.closedAt.toISOString(),
    agent: h.agent,
    agentLabel: (h.agent && labels.get(h.agent)) ?? null,
    durationMs: h.handledMs,
  }));
}

async function orders(db: Db, vault: SubjectVault, subject: Subject): Promise<CardOrder[]> {
  const listed = await listOrdersOfSubject(db, subject.clientId, subject.subjectHash, CARD_ORDERS);
  const opened: CardOrder[] = [];
  for (const o of listed) {
    const view = await readOrderRecord({ db, vault }, subject.clientId, o.orderId, subject.subjectHash);
    if (!view) continue;
    opened.push({
      orderId: view.orderId,
      status: view.status,
      currency: view.currency,
      total: view.total,
      createdAt: view.createdAt,
      items: view.items.map(({ sku, name, quantity, unitPrice }) => ({ sku, name, quantity, unitPrice })),
      deliveryAddress: view.deliveryAddress,
      carrier: view.shipment?.carrier ?? null,
      trackingNumber: view.shipment?.trackingNumber ?? null,
      trackingUrl: view.shipment?.trackingUrl ?? null,
    });
  }
  return opened;
}
