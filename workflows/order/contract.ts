import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { clientIdAttribute, modeAttribute, subjectAttribute } from '../../temporal/search-attributes';
import type { orderWorkflow } from './workflow';

/**
 * The order workflow's contract: id, input, view, updates and query. The API, the activities and
 * the tests import these; nothing else spells the names or ids by hand. Everything here is
 * JSON-plain; money is integer minor units of `currency`, weights are grams.
 */

export const ORDER_WORKFLOW_TYPE = 'orderWorkflow';

/** Order ids are chosen by the client (or derived from a WhatsApp message id); never PII. */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** One workflow per order of a client. */
export function orderWorkflowId(clientId: string, orderId: string): string {
  return `order:${clientId}:${orderId}`;
}

export interface OrderItem {
  sku: string;
  name: string;
  quantity: number;
  /** Price of one unit, minor units. */
  unitPrice: number;
  weightGrams: number;
}

export interface Address {
  name?: string;
  lines: string[];
  city?: string;
  region?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface OrderInput {
  clientId: string;
  orderId: string;
  /** Keyed hash of the customer's end-user id: who gets the WhatsApp updates and who may ask. */
  subjectHash: string;
  /** The business number that sends the updates. */
  phoneNumberId: string;
  customer: { userId?: string; name?: string };
  currency: string;
  items: OrderItem[];
  deliveryAddress: Address;
  /** Keyed hash of the order's content: the same id with other content is a conflict. */
  contentHash: string;
  /** Id of the request that created the order: it tells the creator apart from a repeat. */
  requestId: string;
  /** `catalogue` orders get their confirmation as the chat's reply, not as a separate update. */
  source: 'api' | 'catalogue';
}

export type OrderStatus =
  'created' | 'awaiting_payment' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

export interface Shipment {
  carrier: string;
  trackingNumber: string;
  trackingUrl?: string;
}

export interface PaymentInput {
  status: 'paid' | 'failed' | 'refunded';
  /** The payment provider's reference: the idempotency key of a payment event. */
  reference: string;
}

export interface PaymentEvent extends PaymentInput {
  at: string;
}

/** What happened to an order that its customer is told about; named like the template purposes. */
export type OrderEvent =
  | 'order_confirmation'
  | 'payment_received'
  | 'order_shipped'
  | 'order_delivered'
  | 'order_cancelled'
  | 'order_refunded'
  | 'payment_expired';

export interface OrderView {
  orderId: string;
  status: OrderStatus;
  currency: string;
  items: OrderItem[];
  subtotal: number;
  /** Null until the shipping cost is computed. */
  shippingCost: number | null;
  total: number | null;
  paymentDeadline: string | null;
  deliveryAddress: Address;
  customer: { userId?: string; name?: string };
  shipment: Shipment | null;
  payments: PaymentEvent[];
  /** Why a cancelled order was cancelled (`customer`, `payment_expired`, `not_shippable`, or the caller's). */
  cancelReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the order reached its current end state (delivered, cancelled, refunded). */
  completedAt: string | null;
  subjectHash: string;
  contentHash: string;
  requestId: string;
  source: OrderInput['source'];
  /** Bumped by every change; the database keeps only the newest version. */
  version: number;
  /** The retention period ended and the record was deleted: nothing more is told about it. */
  purged: boolean;
}

/** Waits until the shipping cost is known and answers the order: what the creating API call returns. */
export const openedUpdate = defineUpdate<OrderView>('opened');
export const paymentUpdate = defineUpdate<OrderView, [PaymentInput]>('payment');
export const shipmentUpdate = defineUpdate<OrderView, [Shipment]>('shipment');
export const deliveredUpdate = defineUpdate<OrderView>('delivered');
export const cancelUpdate = defineUpdate<OrderView, [{ reason?: string }]>('cancel');
export const getOrderQuery = defineQuery<OrderView>('getOrder');

/** The failure type of an update refused by its validator (an impossible transition). */
export const TRANSITION_REFUSED = 'TransitionRefused';

/** What an order workflow is, for the Temporal UI's memo column: ids only, never PII. */
// A type alias, not an interface: start options want a Record, which interfaces are not.
export type OrderMemo = {
  kind: 'order';
  clientId: string;
  orderId: string;
};

/**
 * Start options every starter uses: the search attributes let erasure find the subject's orders and
 * operators filter by status (`AuraMode`, kept current by the workflow).
 */
export function orderStartOptions(input: OrderInput, taskQueue: string) {
  return {
    workflowId: orderWorkflowId(input.clientId, input.orderId),
    taskQueue,
    args: [input] satisfies Parameters<typeof orderWorkflow>,
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    typedSearchAttributes: [
      { key: clientIdAttribute, value: input.clientId },
      { key: subjectAttribute, value: input.subjectHash },
      { key: modeAttribute, value: 'created' satisfies OrderStatus },
    ] satisfies SearchAttributePair[],
    memo: { kind: 'order', clientId: input.clientId, orderId: input.orderId } satisfies OrderMemo,
  };
}
