import { isCurrency } from '../../shipping/currencies';
import {
  ORDER_ID_PATTERN,
  type OrderEvent,
  type OrderInput,
  type OrderStatus,
  type OrderView,
  type PaymentInput,
  type Shipment,
} from './contract';

/**
 * The order's state machine, kept apart from the workflow so every transition can be unit-tested
 * without a server. Each action has a `check…` that names why it is impossible (or returns undefined)
 * and an `apply…` that changes the state; a repeat of what already happened (same payment reference,
 * same shipment) passes the check and changes nothing, so retried API calls are harmless.
 */

const END_STATES: ReadonlySet<OrderStatus> = new Set(['delivered', 'cancelled', 'refunded']);
const PAID_STATES: ReadonlySet<OrderStatus> = new Set(['paid', 'shipped', 'delivered']);

/** Problems with a workflow input, described by field only (no values: they may be PII). */
export function validateOrderInput(input: OrderInput): string[] {
  const problems: string[] = [];
  const int = (n: unknown, min: number) => Number.isSafeInteger(n) && (n as number) >= min;
  if (!ORDER_ID_PATTERN.test(input.orderId ?? '')) problems.push('orderId is not a valid order id');
  if (!input.clientId || !input.subjectHash || !input.phoneNumberId)
    problems.push('client, subject and number are required');
  if (!isCurrency(input.currency ?? '')) problems.push('currency is not an ISO 4217 code we know');
  if (!Array.isArray(input.items) || input.items.length === 0) problems.push('items must not be empty');
  (input.items ?? []).forEach((item, i) => {
    if (!int(item.quantity, 1)) problems.push(`items.${i}.quantity must be a positive integer`);
    if (!int(item.unitPrice, 0)) problems.push(`items.${i}.unitPrice must be integer minor units`);
    if (!int(item.weightGrams, 0)) problems.push(`items.${i}.weightGrams must be whole grams`);
  });
  if (!/^[A-Z]{2}$/.test(input.deliveryAddress?.country ?? ''))
    problems.push('deliveryAddress.country is not ISO 3166-1 alpha-2');
  if (problems.length === 0 && !Number.isSafeInteger(orderSubtotal(input.items)))
    problems.push('subtotal is too large');
  return problems;
}

export function orderSubtotal(items: OrderInput['items']): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

export function orderWeight(items: OrderInput['items']): number {
  return items.reduce((sum, item) => sum + item.quantity * item.weightGrams, 0);
}

export class OrderMachine {
  private view_: OrderView;
  private readonly events: OrderEvent[] = [];

  constructor(input: OrderInput, now: string) {
    this.view_ = {
      orderId: input.orderId,
      status: 'created',
      currency: input.currency,
      items: input.items,
      subtotal: orderSubtotal(input.items),
      shippingCost: null,
      total: null,
      paymentDeadline: null,
      deliveryAddress: input.deliveryAddress,
      customer: input.customer,
      shipment: null,
      payments: [],
      cancelReason: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
      subjectHash: input.subjectHash,
      contentHash: input.contentHash,
      requestId: input.requestId,
      source: input.source,
      version: 1,
      purged: false,
    };
  }

  get status(): OrderStatus {
    return this.view_.status;
  }

  /** Delivered, cancelled or refunded: only a refund (of a delivered order) may still follow. */
  isEnded(): boolean {
    return END_STATES.has(this.view_.status);
  }

  view(): OrderView {
    return this.view_;
  }

  hasEvents(): boolean {
    return this.events.length > 0;
  }

  /** The customer updates owed since the last call, oldest first. */
  takeEvents(): OrderEvent[] {
    return this.events.splice(0);
  }

  /** The shipping cost is known: the order waits for payment until `paymentDeadline`. */
  open(shippingCost: number, paymentDeadline: string, now: string): void {
    this.change(now, {
      status: 'awaiting_payment',
      shippingCost,
      total: this.view_.subtotal + shippingCost,
      paymentDeadline,
    });
    this.events.push('order_confirmation');
  }

  /** Nowhere to ship it: the order ends cancelled, without telling the customer twice. */
  refuseShipping(now: string): void {
    this.change(now, { status: 'cancelled', cancelReason: 'not_shippable', completedAt: now });
  }

  checkPayment(p: PaymentInput): string | undefined {
    if (this.view_.payments.some((e) => e.reference === p.reference && e.status === p.status))
      return undefined;
    const s = this.view_.status;
    if (p.status === 'refunded') {
      if (PAID_STATES.has(s)) return undefined;
      return s === 'refunded'
        ? 'order is already refunded'
        : `order is ${this.describe()}: it cannot be refunded`;
    }
    if (s === 'awaiting_payment') return undefined;
    if (PAID_STATES.has(s)) return 'order is already paid';
    return `order is ${this.describe()}: it cannot take payments`;
  }

  applyPayment(p: PaymentInput, now: string): void {
    if (this.view_.payments.some((e) => e.reference === p.reference && e.status === p.status)) return;
    const payments = [...this.view_.payments, { ...p, at: now }];
    if (p.status === 'failed') return this.change(now, { payments });
    if (p.status === 'paid') this.change(now, { payments, status: 'paid' });
    else this.change(now, { payments, status: 'refunded', completedAt: now });
    this.events.push(p.status === 'paid' ? 'payment_received' : 'order_refunded');
  }

  checkShipment(s: Shipment): string | undefined {
    const status = this.view_.status;
    if (status === 'paid') return undefined;
    if (status === 'shipped' && sameShipment(this.view_.shipment, s)) return undefined;
    if (status === 'shipped' || status === 'delivered') return 'order has already shipped';
    if (status === 'awaiting_payment' || status === 'created') return 'order is not paid yet';
    return `order is ${this.describe()}: it cannot be shipped`;
  }

  applyShipment(s: Shipment, now: string): void {
    if (this.view_.status !== 'paid') return;
    this.change(now, { status: 'shipped', shipment: s });
    this.events.push('order_shipped');
  }

  checkDelivered(): string | undefined {
    const status = this.view_.status;
    if (status === 'shipped' || status === 'delivered') return undefined;
    return PAID_STATES.has(status) || status === 'awaiting_payment' || status === 'created'
      ? 'order has not shipped yet'
      : `order is ${this.describe()}: it cannot be delivered`;
  }

  applyDelivered(now: string): void {
    if (this.view_.status !== 'shipped') return;
    this.change(now, { status: 'delivered', completedAt: now });
    this.events.push('order_delivered');
  }

  checkCancel(): string | undefined {
    const status = this.view_.status;
    if (status === 'awaiting_payment' || status === 'cancelled') return undefined;
    if (status === 'paid') return 'order is paid: refund it instead of cancelling';
    if (status === 'created') return 'order is still being priced';
    return `order is ${this.describe()}: it cannot be cancelled`;
  }

  applyCancel(reason: string, now: string): void {
    if (this.view_.status !== 'awaiting_payment') return;
    this.change(now, { status: 'cancelled', cancelReason: reason, completedAt: now });
    this.events.push('order_cancelled');
  }

  /** The payment deadline passed unpaid: cancel and tell the customer why. */
  expire(now: string): void {
    if (this.view_.status !== 'awaiting_payment') return;
    this.change(now, { status: 'cancelled', cancelReason: 'payment_expired', completedAt: now });
    this.events.push('payment_expired');
  }

  /** The retention period is over: forget everything but the id and the fact. */
  purge(now: string): void {
    this.change(now, {
      purged: true,
      items: [],
      deliveryAddress: { lines: [], country: this.view_.deliveryAddress.country },
      customer: {},
      shipment: null,
    });
  }

  private describe(): string {
    return this.view_.status.replace('_', ' ');
  }

  private change(now: string, patch: Partial<OrderView>): void {
    this.view_ = { ...this.view_, ...patch, updatedAt: now, version: this.view_.version + 1 };
  }
}

function sameShipment(a: Shipment | null, b: Shipment): boolean {
  return (
    a !== null &&
    a.carrier === b.carrier &&
    a.trackingNumber === b.trackingNumber &&
    a.trackingUrl === b.trackingUrl
  );
}
