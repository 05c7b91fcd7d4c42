import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { findContact, findContactLanguage } from '../db/contacts';
import { supportedLanguage, type ClientText, type Language } from '../i18n';
import {
  deleteOrder,
  findLatestOrderOfSubject,
  recordOrderNotification,
  storedOrderVersion,
  upsertOrder,
} from '../db/orders';
import { catchUpNotificationStatus, recordInsight } from '../db/insights';
import { getRateTable } from '../db/shipping-rates';
import { openOrder, readOrderRecord } from '../orders/access';
import { recordFromView } from '../orders/record';
import { loadClientSettings, pickTemplate, type ClientSettings } from '../settings/client-settings';
import { decimalToMinor, isCurrency } from '../shipping/currencies';
import { parseDestinationText, type ReadDestination } from '../shipping/destination-text';
import { priceWithTable, quote, type Destination, type Parcel } from '../shipping/rate-table';
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
import type { OrderFacts } from '../workflows/order/messages';
import { orderSubtotal } from '../workflows/order/state';
import { createEventEmitter, notificationFailedEvent, orderStatusEvent, type EventDeps } from './events';
import { orderTemplateContent } from './order-template';
import { usableTemplate } from './template-gate';
import { createWhatsAppActivities, type WhatsAppDeps } from './whatsapp';

export type OrderDeps = WhatsAppDeps & Pick<EventDeps, 'webhooks'>;

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
  /** The update as the order workflow worded it, in the customer's language. */
  message: { language: Language; text: string; templateParameters: string[] };
}

/** Who an order's updates are for, as the order workflow words them. */
export interface OrderAudienceFacts {
  /** The customer's conversation language, else the client's default. */
  language: Language;
  timezone: string;
  country?: string;
  paymentInstructions?: ClientText;
  clientLanguage: Language;
}

/** An order's status for the chat, only ever for the customer's own order. */
export type OrderLookup = { found: true; order: OrderFacts } | { found: false };

/** Where a quote goes, as far as the customer named it. */
export type QuotePlace = ReadDestination;

/** The chat's shipping quote, as facts the conversation words. */
export type ShippingQuote =
  | {
      status: 'quoted';
      place: QuotePlace;
      cost: number;
      currency: string;
      freeShipping: boolean;
      from: boolean;
    }
  | { status: 'not_shipped'; place: QuotePlace; reason: 'no_zone' | 'too_heavy' }
  | { status: 'needs_postal_code'; place: QuotePlace }
  | { status: 'unknown_destination' }
  | { status: 'no_rates' };

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
      subtotal: number;
      shippingCost: number;
      total: number;
      currency: string;
      paymentDeadline: string | null;
      /** The client's payment text (per language when it gave several); the catalogue's when absent. */
      paymentInstructions?: ClientText;
    }
  | { status: 'needs_address' | 'not_shipped' | 'invalid' };

const DAY_HOURS = 24;

/** A short, stable order number for a catalogue message: the same message always gives the same order. */
export function catalogueOrderId(messageId: string): string {
  return `WA-${createHash('sha256').update(messageId).digest('hex').slice(0, 12).toUpperCase()}`;
}

/** Order activities: pricing, the record, customer updates, retention purge, and the chat's order intents. */
export function createOrderActivities(deps: OrderDeps) {
  const { db, vault, temporal } = deps;
  const { sendMessage } = createWhatsAppActivities(deps);
  const events = createEventEmitter(deps);

  /**
   * Text in the window; outside it the event's template (another language's when Meta paused the
   * customer's; the paused one when all are, which the send refuses with its reason) with the order's
   * details as its parameters.
   */
  async function chooseContent(input: NotifyOrderInput, settings: ClientSettings) {
    const text = { type: 'text' as const, body: input.message.text };
    const contact = await findContact(db, input.clientId, input.view.subjectHash);
    const open =
      contact?.lastInboundAt && Date.now() < contact.lastInboundAt.getTime() + DAY_HOURS * 3_600_000;
    const entry = settings.templates[input.event];
    const usable = open
      ? undefined
      : await usableTemplate(db, input.clientId, entry, input.message.language, settings.language);
    const ref =
      usable &&
      ('ref' in usable ? usable.ref : pickTemplate(entry, input.message.language, settings.language));
    if (!ref) return text;
    const { clientId, event, view } = input;
    return orderTemplateContent(
      db,
      { clientId, event, view, parameters: input.message.templateParameters },
      ref,
    );
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

    /**
     * Who the order's customer updates are for: the language the customer writes in (kept on the
     * contact by their conversation), else the client's default, and the client's formatting terms.
     */
    async orderAudience(input: { clientId: string; subjectHash: string }): Promise<OrderAudienceFacts> {
      const settings = await loadClientSettings(db, input.clientId);
      if (!settings)
        throw ApplicationFailure.nonRetryable(`client ${input.clientId} no longer exists`, 'ClientNotFound');
      const clientLanguage = supportedLanguage(settings.language);
      return {
        language: (await findContactLanguage(db, input.clientId, input.subjectHash)) ?? clientLanguage,
        clientLanguage,
        timezone: settings.timezone,
        country: settings.country,
        paymentInstructions: settings.orders.paymentInstructions,
      };
    },

    /**
     * Writes the order's newest state to its record (PII sealed); idempotent by version. While this
     * version is the record's, emits `order.status_changed` for its status (once per order and
     * status); a write an newer one overtook emits nothing, so events never go back in time.
     */
    async recordOrder(input: { clientId: string; view: OrderView }): Promise<void> {
      const { clientId, view } = input;
      await upsertOrder(db, await recordFromView(vault, clientId, view));
      if ((await storedOrderVersion(db, clientId, view.orderId)) !== view.version) return;
      await events.emit(db, orderStatusEvent(clientId, view), view.subjectHash);
    },

    /**
     * Tells the customer about an order event through the one send path (text in the window, the
     * client's template for the event outside it, nothing to an opted-out user) and records the outcome.
     * Permanent send failures are recorded, not thrown; transient ones throw so Temporal retries.
     */
    async notifyOrder(input: NotifyOrderInput): Promise<{ status: string; reason?: string }> {
      const settings = await loadClientSettings(db, input.clientId);
      if (!settings) return { status: 'refused', reason: 'client_gone' };
      const content = await chooseContent(input, settings);
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
          language: input.message.language,
        });
        const outcome =
          result.status === 'sent'
            ? {
                status: 'sent',
                via: result.viaTemplate || content.type === 'template' ? 'template' : 'text',
                wamidHash: result.wamidHash,
              }
            : { status: 'refused', reason: result.reason };
        await recordOrderNotification(db, { ...base, ...outcome });
        if (result.status === 'sent') {
          await recordInsight(db, {
            clientId: input.clientId,
            kind: 'notification_sent',
            dims: { purpose: input.event },
            key: result.wamidHash,
          });
          await catchUpNotificationStatus(db, input.clientId, result.wamidHash);
        }
        return { status: outcome.status, reason: 'reason' in outcome ? outcome.reason : undefined };
      } catch (err) {
        if (!(err instanceof ApplicationFailure && err.nonRetryable)) throw err;
        const reason = err.type ?? 'unknown';
        await recordOrderNotification(db, { ...base, status: 'failed', reason });
        await events.emit(db, notificationFailedEvent(input, reason), input.view.subjectHash);
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
      if (!view) return { found: false };
      const { status, currency, total, paymentDeadline, shipment } = view;
      return { found: true, order: { orderId, status, currency, total, paymentDeadline, shipment } };
    },

    /**
     * The chat's shipping quote: reads a destination from free text (country names in en/es/pt,
     * postal codes — the client's own country first —, cities of the table's countries) and prices
     * `items`, or an empty parcel ("from"). Facts only: the conversation words them.
     */
    async quoteShipping(input: {
      clientId: string;
      destination: string;
      items?: { quantity: number; weightGrams: number; unitPrice: number }[];
    }): Promise<ShippingQuote> {
      const table = await getRateTable(db, input.clientId);
      if (!table) return { status: 'no_rates' };
      const settings = await loadClientSettings(db, input.clientId);
      const place = parseDestinationText(input.destination, table, settings?.country);
      if (!place) return { status: 'unknown_destination' };
      const items = input.items ?? [];
      const parcel = {
        weightGrams: items.reduce((s, i) => s + i.quantity * i.weightGrams, 0),
        subtotal: items.reduce((s, i) => s + i.quantity * i.unitPrice, 0),
      };
      // Zones narrower than the country (islands by postal code) make a country-only answer a minimum.
      const narrower =
        !place.postalCode &&
        !place.region &&
        table.zones.some(
          (z) => z.countries.includes(place.country) && (z.regions?.length || z.postalCodePrefixes?.length),
        );
      const q = quote(table, place, parcel);
      if (!q.ok && narrower) return { status: 'needs_postal_code', place };
      if (!q.ok) return { status: 'not_shipped', place, reason: q.reason };
      const { cost, currency, freeShipping } = q;
      return { status: 'quoted', place, cost, currency, freeShipping, from: items.length === 0 || narrower };
    },

    /**
     * A WhatsApp catalogue `order` message becomes an order (once per message id), priced from its
     * items; returns what the chat should reply: shipping cost and payment instructions, or what is missing.
     */
    async createOrderFromCatalogue(input: CatalogueOrderInput): Promise<CatalogueOrderResult> {
      const parsed = catalogueItems(input.items);
      if (!parsed) return { status: 'invalid' };
      const orderId = catalogueOrderId(input.messageId);
      const instructions = async () =>
        (await loadClientSettings(db, input.clientId))?.orders.paymentInstructions;
      const existing = await readOrderRecord({ db, vault }, input.clientId, orderId, input.subjectHash);
      if (existing) return catalogueReply(existing, await instructions());
      const address = input.destination ?? (await latestAddress(input.clientId, input.subjectHash));
      if (!address) return { status: 'needs_address' };
      const priced = priceWithTable(await getRateTable(db, input.clientId), parsed.currency, address, {
        weightGrams: 0,
        subtotal: orderSubtotal(parsed.items),
      });
      if (!priced.ok) return { status: 'not_shipped' };
      const orderInput = await catalogueOrderInput(input, orderId, parsed, address);
      const opened = await openOrder(temporal, Context.current().info.taskQueue, orderInput);
      const view =
        'view' in opened ? opened.view : await readOrderRecord({ db, vault }, input.clientId, orderId);
      return catalogueReply(view, await instructions());
    },
  };
}

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

function catalogueReply(
  view: OrderView | undefined,
  instructions: ClientText | undefined,
): CatalogueOrderResult {
  if (!view || view.shippingCost === null || view.total === null || view.cancelReason === 'not_shippable')
    return { status: 'not_shipped' };
  return {
    status: 'created',
    orderId: view.orderId,
    subtotal: view.subtotal,
    shippingCost: view.shippingCost,
    total: view.total,
    currency: view.currency,
    paymentDeadline: view.paymentDeadline,
    ...(instructions === undefined ? {} : { paymentInstructions: instructions }),
  };
}
