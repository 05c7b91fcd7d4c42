import { formatMoney } from '../../shipping/currencies';
import type { OrderEvent, OrderView } from './contract';

/**
 * What the customer is told about an order, in the two shapes WhatsApp allows: free text inside the
 * 24-hour window, and the body parameters of the client's approved template outside it. Template
 * parameter order is part of the public contract (README: "Order templates").
 */

const money = (view: OrderView, amount: number | null) => formatMoney(amount ?? 0, view.currency);

/** Free-text update for an event; `paymentInstructions` come from the client's settings. */
export function orderUpdateText(event: OrderEvent, view: OrderView, paymentInstructions: string): string {
  const id = view.orderId;
  switch (event) {
    case 'order_confirmation':
      return [
        `Thank you! Order ${id}: items ${money(view, view.subtotal)} + shipping ${money(view, view.shippingCost)} = ${money(view, view.total)}.`,
        `${paymentInstructions} Please pay by ${view.paymentDeadline?.slice(0, 16).replace('T', ' ')} UTC.`,
      ].join('\n');
    case 'payment_received':
      return `We received your payment for order ${id}. We will let you know when it ships.`;
    case 'order_shipped': {
      const s = view.shipment;
      const url = s?.trackingUrl ? `\nTrack it: ${s.trackingUrl}` : '';
      return `Order ${id} is on its way with ${s?.carrier ?? 'the carrier'}, tracking number ${s?.trackingNumber ?? '-'}.${url}`;
    }
    case 'order_delivered':
      return `Order ${id} has been delivered. Enjoy!`;
    case 'order_cancelled':
      return `Order ${id} has been cancelled.`;
    case 'order_refunded':
      return `We refunded order ${id}; the money is on its way back to you.`;
    case 'payment_expired':
      return `We did not receive payment for order ${id} in time, so it has been cancelled.`;
  }
}

/** Body parameters for the event's template: the order id first, then what the event is about. */
export function orderTemplateParameters(event: OrderEvent, view: OrderView): string[] {
  switch (event) {
    case 'order_confirmation':
      return [view.orderId, money(view, view.total), view.paymentDeadline ?? ''];
    case 'order_shipped':
      return [
        view.orderId,
        view.shipment?.carrier ?? '',
        view.shipment?.trackingNumber ?? '',
        view.shipment?.trackingUrl ?? '',
      ];
    case 'order_refunded':
      return [view.orderId, money(view, view.total)];
    default:
      return [view.orderId];
  }
}

const STATUS_WORDS: Record<OrderView['status'], string> = {
  created: 'is being prepared',
  awaiting_payment: 'is waiting for payment',
  paid: 'is paid and being prepared for shipping',
  shipped: 'has shipped',
  delivered: 'has been delivered',
  cancelled: 'has been cancelled',
  refunded: 'has been refunded',
};

/** The chat answer to "where is my order?". */
export function orderStatusReply(view: OrderView): string {
  const base = `Order ${view.orderId} ${STATUS_WORDS[view.status]}`;
  const s = view.shipment;
  if (view.status === 'shipped' && s) {
    return `${base} with ${s.carrier}, tracking number ${s.trackingNumber}.${s.trackingUrl ? ` Track it: ${s.trackingUrl}` : ''}`;
  }
  if (view.status === 'awaiting_payment' && view.total !== null) {
    return `${base}: ${money(view, view.total)} by ${view.paymentDeadline?.slice(0, 16).replace('T', ' ')} UTC.`;
  }
  return `${base}.`;
}

/** The same answer for an unknown order and for someone else's: nothing to tell them apart by. */
export const ORDER_NOT_FOUND_REPLY =
  "I couldn't find an order with that number for you. Please check the number and try again.";
