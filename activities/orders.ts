import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { findContact } from '../db/contacts';
import { deleteOrder, findLatestOrderOfSubject, recordOrderNotification, upsertOrder } from '../db/orders';
import { catchUpNotificationStatus, recordInsight } from '../db/insights';
import { getRateTable } from '../db/shipping-rates';
import { openOrder, readOrderRecord } from '../orders/access';
import { recordFromView } from '../orders/record';
import { loadClientSettings } from '../settings/client-settings';
import { decimalToMinor, formatMoney, isCurrency } from '../shipping/currencies';
import { parseDestinationText } from '../shipping/destination-text';
import { priceWithTable, quote, quoteRefusal, type Destination, type Parcel } from '../shipping/rate-table';
import {
  getOrderQuery,
  ORDER_ID_PATTERN,
  orderWorkflowId,
  type Address,
  type OrderEvent,
  type OrderItem,
  type OrderInput,
  type OrderView,
} from '../workflows/order/contract';
import {
  ORDER_NOT_FOUND_REPLY,
  orderStatusReply,
  orderTemplateParameters,
  orderUpdateText,
} from '../workflows/order/messages';
import { orderSubtotal } from '../workflows/order/state';
import { createWhatsAppActivities, type WhatsAppDeps } from './whatsapp';

export type OrderDeps = WhatsAppDeps;

export type PriceOrderResult = {
  paymentDeadlineHours: number;
  retentionDays: number;
} & ({ ok: true; shippingCost: number } | { ok: false; reason: string });

export interface NotifyOrderInput {
  clientId: string;
  phoneNumberId: string;
  idempotencyKey: string;
  event: OrderEvent;
  view: OrderView;
}

export type OrderLookup =
  | {
      found: true;
      orderId: string;
      status: OrderView['status'];
      total: number | null;
      currency: string;
      reply: string;
    }
  | { found: false; reply: string };

export interface CatalogueItem {
  productRetailerId: string;
  quantity: number;
  /** As Meta sends it: a decimal amount in major units (`item_price`). */
  itemPrice: number | string;
  currency: string;
}

export interface CatalogueOrderInput {
  clientId: string;
  subjectHash: string;
  phoneNumberId: string;
  /** The WhatsApp message id of the `order` message: the idempotency key. */
  messageId: string;
  items: CatalogueItem[];
  /** Where to ship; when absent, the address of the customer's latest order with this client. */
  destination?: Address;
}

export type CatalogueOrderResult =
  | {
      status: 'created';
      orderId: string;
      shippingCost: number;
      total: number;
      currency: string;
      paymentInstructions: string;
      reply: string;
    }
  | { status: 'needs_address' | 'not_shipped' | 'invalid'; reply: string };

const DAY_HOURS = 24;

/** A short, stable order number for a catalogue message: the same message always gives the same order. */
export function catalogueOrderId(messageId: string): string {
  return `WA-${createHash('sha256').update(messageId).digest('hex').slice(0, 12).toUpperCase()}`;
}

/** Order activities: pricing, the record, customer updates, retention purge, and the chat's order intents. */
export function createOrderActivities(deps: OrderDeps) {
  const { db, vault, temporal } = deps;
  const { sendMessage } = createWhatsAppActivities(deps);

  async function chooseContent(
    input: NotifyOrderInput,
    templateRef: { name: string; language: string; parameters?: string[] } | undefined,
    instructions: string,
  ) {
    const text = { type: 'text' as const, body: orderUpdateText(input.event, input.view, instructions) };
    const contact = await findContact(db, input.clientId, input.view.subjectHash);
    const open =
      contact?.lastInboundAt && Date.now() < contact.lastInboundAt.getTime() + DAY_HOURS * 3_600_000;
    if (open || !templateRef) return text;
    // Outside the window the order's own details go into the template's body parameters.
    return {
      type: 'template' as const,
      name: templateRef.name,
      language: templateRef.language,
      parameters: templateRef.parameters ?? orderTemplateParameters(input.event, input.view),
    };
  }

  /** The delivery address of the customer's most recent order with this client, if any. */
  async function latestAddress(clientId: string, subjectHash: string): Promise<Address | undefined> {
    const previous = await findLatestOrderOfSubject(db, clientId, subjectHash);
    return previous && (await readOrderRecord({ db, vault }, clientId, previous.orderId))?.deliveryAddress;
  }

  /** The workflow input of a catalogue order; the customer's reply address becomes its user id. */
  async function catalogueOrderInput(
    input: CatalogueOrderInput,
    orderId: string,
    parsed: { currency: string; items: OrderItem[] },
    address: Address,
  ): Promise<OrderInput> {
    const subject = { clientId: input.clientId, subjectHash: input.subjectHash };
    const contact = await findContact(db, input.clientId, input.subjectHash);
    const userId = contact && (await vault.openText(subject, 'contact.recipient', contact.recipientEnc));
    return {
      ...subject,
      orderId,
      phoneNumberId: input.phoneNumberId,
      customer: userId ? { userId } : {},
      ...parsed,
      deliveryAddress: address,
      contentHash: `message:${input.messageId}`,
      requestId: `message:${input.messageId}`,
      source: 'catalogue',
    };
  }

  return {
    /**
     * Prices an order's shipping with the client's rate table and reads the order terms from its
     * settings (payment deadline, retention). `ok: false` when nothing can be shipped there.
     */
    async priceOrder(input: {
      clientId: string;
      currency: string;
      destination: Destination;
      parcel: Parcel;
    }): Promise<PriceOrderResult> {
      const settings = await loadClientSettings(db, input.clientId);
      if (!settings)
        throw ApplicationFailure.nonRetryable(`client ${input.clientId} no longer exists`, 'ClientNotFound');
      const terms = {
        paymentDeadlineHours: settings.orders.paymentDeadlineHours,
        retentionDays: settings.retention.orderRecordDays,
      };
      const table = await getRateTable(db, input.clientId);
      const priced = priceWithTable(table, input.currency, input.destination, input.parcel);
      return priced.ok
        ? { ...terms, ok: true, shippingCost: priced.quote.cost }
        : { ...terms, ok: false, reason: priced.message };
    },

    /** Writes the order's newest state to its record (PII sealed); idempotent by version. */
    async recordOrder(input: { clientId: string; view: OrderView }): Promise<void> {
      await upsertOrder(db, await recordFromView(vault, input.clientId, input.view));
    },

    /**
     * Tells the customer about an order event through the one send path (text in the window, the
     * client's template for the event outside it, nothing to an opted-out user) and records the outcome.
     * Permanent send failures are recorded, not thrown; transient ones throw so Temporal retries.
     */
    async notifyOrder(input: NotifyOrderInput): Promise<{ status: string; reason?: string }> {
      const settings = await loadClientSettings(db, input.clientId);
      if (!settings) return { status: 'refused', reason: 'client_gone' };
      const content = await chooseContent(
        input,
        settings.templates[input.event],
        settings.orders.paymentInstructions,
      );
      const base = { clientId: input.clientId, orderId: input.view.orderId, event: input.event };
      try {
        const result = await sendMessage({
          clientId: input.clientId,
          phoneNumberId: input.phoneNumberId,
          subjectHash: input.view.subjectHash,
          idempotencyKey: input.idempotencyKey,
          content,
          sentBy: 'system',
          fallbackPurpose: input.event,
        });
        const outcome =
          result.status === 'sent'
            ? {
                status: 'sent',
                via: result.viaTemplate || content.type === 'template' ? 'template' : 'text',
                wamid: result.wamid,
              }
            : { status: 'refused', reason: result.reason };
        await recordOrderNotification(db, { ...base, ...outcome });
        if (result.status === 'sent') {
          await recordInsight(db, {
            clientId: input.clientId,
            kind: 'notification_sent',
            dims: { purpose: input.event },
            key: result.wamid,
          });
          await catchUpNotificationStatus(db, input.clientId, result.wamid);
        }
        return { status: outcome.status, reason: 'reason' in outcome ? outcome.reason : undefined };
      } catch (err) {
        if (!(err instanceof ApplicationFailure && err.nonRetryable)) throw err;
        await recordOrderNotification(db, { ...base, status: 'failed', reason: err.type ?? 'unknown' });
        return { status: 'failed', reason: err.type ?? undefined };
      }
    },

    /** Deletes the order's record when its retention has ended. */
    async purgeOrderRecord(input: { clientId: string; orderId: string }): Promise<void> {
      await deleteOrder(db, input.clientId, input.orderId);
    },

    /**
     * "Where is my order N?": the live status of that order, only if it belongs to this customer of
     * this client. Someone else's order and an unknown number get exactly the same answer.
     */
    async lookupOrderStatus(input: {
      clientId: string;
      subjectHash: string;
      orderId: string;
    }): Promise<OrderLookup> {
      const orderId = input.orderId.trim().replace(/^#/, '');
      let view: OrderView | undefined;
      if (ORDER_ID_PATTERN.test(orderId)) {
        try {
          const live = await temporal.withDeadline(Date.now() + 5_000, () =>
            temporal.workflow.getHandle(orderWorkflowId(input.clientId, orderId)).query(getOrderQuery),
          );
          if (live.subjectHash === input.subjectHash && !live.purged) view = live;
        } catch {
          // No such workflow (or Temporal slow): the record answers below.
        }
        view ??= await readOrderRecord({ db, vault }, input.clientId, orderId, input.subjectHash);
      }
      if (!view) return { found: false, reply: ORDER_NOT_FOUND_REPLY };
      return {
        found: true,
        orderId,
        status: view.status,
        total: view.total,
        currency: view.currency,
        reply: orderStatusReply(view),
      };
    },

    /** The chat's shipping-quote intent: reads a destination from free text and prices `items` (or an empty parcel). */
    async quoteShipping(input: {
      clientId: string;
      destination: string;
      items?: { quantity: number; weightGrams: number; unitPrice: number }[];
    }) {
      const table = await getRateTable(db, input.clientId);
      if (!table) return { status: 'no_rates' as const, reply: "Sorry, I can't quote shipping right now." };
      const settings = await loadClientSettings(db, input.clientId);
      const to = parseDestinationText(input.destination, table, settings?.language);
      if (!to)
        return {
          status: 'unknown_destination' as const,
          reply: 'Which country (and postal code) should we ship to?',
        };
      const items = input.items ?? [];
      const parcel = {
        weightGrams: items.reduce((s, i) => s + i.quantity * i.weightGrams, 0),
        subtotal: items.reduce((s, i) => s + i.quantity * i.unitPrice, 0),
      };
      const q = quote(table, to, parcel);
      if (!q.ok) return { status: 'not_shipped' as const, reply: `Sorry, ${quoteRefusal(q.reason)}.` };
      const cost = q.freeShipping
        ? 'free'
        : `${items.length ? '' : 'from '}${formatMoney(q.cost, q.currency)}`;
      return {
        status: 'quoted' as const,
        zone: q.zoneName,
        cost: q.cost,
        currency: q.currency,
        reply: `Shipping to ${q.zoneName}: ${cost}.`,
      };
    },

    /**
     * A WhatsApp catalogue `order` message becomes an order (once per message id), priced from its
     * items; returns what the chat should reply: shipping cost and payment instructions, or what is missing.
     */
    async createOrderFromCatalogue(input: CatalogueOrderInput): Promise<CatalogueOrderResult> {
      const parsed = catalogueItems(input.items);
      if (!parsed) return { status: 'invalid', reply: UNREADABLE_ORDER_REPLY };
      const orderId = catalogueOrderId(input.messageId);
      const instructions = async () =>
        (await loadClientSettings(db, input.clientId))?.orders.paymentInstructions ?? '';
      const existing = await readOrderRecord({ db, vault }, input.clientId, orderId, input.subjectHash);
      if (existing) return catalogueReply(existing, await instructions());
      const address = input.destination ?? (await latestAddress(input.clientId, input.subjectHash));
      if (!address) return { status: 'needs_address', reply: NEEDS_ADDRESS_REPLY };
      const priced = priceWithTable(await getRateTable(db, input.clientId), parsed.currency, address, {
        weightGrams: 0,
        subtotal: orderSubtotal(parsed.items),
      });
      if (!priced.ok) return { status: 'not_shipped', reply: `Sorry, ${priced.message}.` };
      const orderInput = await catalogueOrderInput(input, orderId, parsed, address);
      const opened = await openOrder(temporal, Context.current().info.taskQueue, orderInput);
      const view =
        'view' in opened ? opened.view : await readOrderRecord({ db, vault }, input.clientId, orderId);
      return catalogueReply(view, await instructions());
    },
  };
}

const UNREADABLE_ORDER_REPLY = 'Sorry, I could not read that order. Please try again from the catalogue.';
const NEEDS_ADDRESS_REPLY =
  'Thanks for your order! Where should we deliver it? Please send the full address with postal code and country.';

/** A catalogue message's items as order items in one currency, priced exactly; undefined if unreadable. */
function catalogueItems(items: CatalogueItem[]): { currency: string; items: OrderItem[] } | undefined {
  const currency = items[0]?.currency ?? '';
  if (!isCurrency(currency) || items.some((i) => i.currency !== currency)) return undefined;
  const out: OrderItem[] = [];
  for (const i of items) {
    const unitPrice = decimalToMinor(i.itemPrice, currency);
    if (unitPrice === undefined || !Number.isSafeInteger(i.quantity) || i.quantity < 1) return undefined;
    out.push({
      sku: i.productRetailerId,
      name: i.productRetailerId,
      quantity: i.quantity,
      unitPrice,
      weightGrams: 0,
    });
  }
  return out.length > 0 ? { currency, items: out } : undefined;
}

function catalogueReply(view: OrderView | undefined, instructions: string): CatalogueOrderResult {
  if (!view || view.shippingCost === null || view.total === null || view.cancelReason === 'not_shippable')
    return { status: 'not_shipped', reply: "Sorry, we don't ship there, so we could not take this order." };
  return {
    status: 'created',
    orderId: view.orderId,
    shippingCost: view.shippingCost,
    total: view.total,
    currency: view.currency,
    paymentInstructions: instructions,
    reply: orderUpdateText('order_confirmation', view, instructions),
  };
}
