import { translate } from '../../i18n';
import { formatDateTime, formatMoney, type FormatContext } from '../../i18n/format';
import { orders, type OrderText } from '../../i18n/orders';
import type { OrderEvent, OrderView } from './contract';

/**
 * What the customer is told about an order, in their language with Intl formatting, in the two
 * shapes WhatsApp allows: free text inside the 24-hour window, and the body parameters of the
 * client's approved template outside it. Template parameter order is part of the public contract
 * (docs/orders.md: "Order templates"). Pure: the order workflow and the conversation render with it.
 */

/** Who reads the order's messages: their language, the client's timezone and country, its payment text. */
export interface OrderAudience extends FormatContext {
  /** The client's payment instructions in this language, when it wrote any; else the catalogue's. */
  paymentInstructions?: string;
}

/** The facts of an order the chat answers "where is my order?" with. */
export type OrderFacts = Pick<
  OrderView,
  'orderId' | 'status' | 'currency' | 'total' | 'paymentDeadline' | 'shipment'
>;

type Amounts = Pick<OrderView, 'currency' | 'subtotal' | 'shippingCost' | 'total' | 'paymentDeadline'>;

const say = (a: OrderAudience, key: OrderText, vars?: Record<string, string>) =>
  translate(orders, a.lang, key, vars);
const money = (a: OrderAudience, currency: string, amount: number | null) =>
  formatMoney(amount ?? 0, currency, a);
const deadline = (a: OrderAudience, iso: string | null) => (iso ? formatDateTime(iso, a) : '-');

/** The confirmation with cost and how to pay (also the chat's reply to a catalogue order). */
export function confirmationText(orderId: string, v: Amounts, a: OrderAudience): string {
  const instructions = a.paymentInstructions ?? say(a, 'paymentInstructions');
  return [
    say(a, 'confirmation', {
      order: orderId,
      items: money(a, v.currency, v.subtotal),
      shipping: money(a, v.currency, v.shippingCost),
      total: money(a, v.currency, v.total),
    }),
    say(a, 'payBy', { instructions, deadline: deadline(a, v.paymentDeadline) }),
  ].join('\n');
}

function shippedText(key: 'shipped' | 'status.shipped', view: OrderFacts, a: OrderAudience): string {
  const s = view.shipment;
  const text = say(a, key, {
    order: view.orderId,
    carrier: s?.carrier ?? say(a, 'theCarrier'),
    tracking: s?.trackingNumber ?? '-',
  });
  return s?.trackingUrl ? `${text}\n${say(a, 'trackIt', { url: s.trackingUrl })}` : text;
}

const EVENT_TEXT: Record<Exclude<OrderEvent, 'order_confirmation' | 'order_shipped'>, OrderText> = {
  payment_received: 'paymentReceived',
  order_delivered: 'delivered',
  order_cancelled: 'cancelled',
  order_refunded: 'refunded',
  payment_expired: 'paymentExpired',
};

/** Free-text update for an event. */
export function orderUpdateText(event: OrderEvent, view: OrderView, a: OrderAudience): string {
  if (event === 'order_confirmation') return confirmationText(view.orderId, view, a);
  if (event === 'order_shipped') return shippedText('shipped', view, a);
  return say(a, EVENT_TEXT[event], { order: view.orderId });
}

/** Body parameters for the event's template: the order id first, then what the event is about. */
export function orderTemplateParameters(event: OrderEvent, view: OrderView, a: OrderAudience): string[] {
  switch (event) {
    case 'order_confirmation':
      return [view.orderId, money(a, view.currency, view.total), deadline(a, view.paymentDeadline)];
    case 'order_shipped':
      return [
        view.orderId,
        view.shipment?.carrier ?? '',
        view.shipment?.trackingNumber ?? '',
        view.shipment?.trackingUrl ?? '',
      ];
    case 'order_refunded':
      return [view.orderId, money(a, view.currency, view.total)];
    default:
      return [view.orderId];
  }
}

/** The chat answer to "where is my order?". */
export function orderStatusText(view: OrderFacts, a: OrderAudience): string {
  if (view.status === 'shipped') return shippedText('status.shipped', view, a);
  if (view.status === 'awaiting_payment' && view.total !== null)
    return say(a, 'status.awaiting_payment', {
      order: view.orderId,
      total: money(a, view.currency, view.total),
      deadline: deadline(a, view.paymentDeadline),
    });
  const key = view.status === 'awaiting_payment' ? 'status.created' : (`status.${view.status}` as const);
  return say(a, key, { order: view.orderId });
}

/** What the chat says when a catalogue order could not be taken. */
export function catalogueRefusalText(
  reason: 'invalid' | 'needs_address' | 'not_shipped',
  a: OrderAudience,
): string {
  const key = {
    invalid: 'catalogue.unreadable',
    needs_address: 'catalogue.needsAddress',
    not_shipped: 'catalogue.notShipped',
  } as const;
  return say(a, key[reason]);
}
