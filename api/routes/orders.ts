import { randomUUID } from 'node:crypto';
import {
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { normalizeUserId } from '../../whatsapp/user-id';
import { keyedHash } from '../../crypto/keys';
import type { SubjectVault } from '../../crypto/vault';
import { findOrder, listOrderNotifications, phoneNumbersOfClient } from '../../db/orders';
import type { Db } from '../../db/pool';
import { openOrder, readOrder, readOrderRecord } from '../../orders/access';
import { isCurrency } from '../../shipping/currencies';
import { priceWithTable } from '../../shipping/rate-table';
import { getRateTable } from '../../db/shipping-rates';
import {
  cancelUpdate,
  deliveredUpdate,
  ORDER_ID_PATTERN,
  orderWorkflowId,
  paymentUpdate,
  shipmentUpdate,
  TRANSITION_REFUSED,
  type OrderInput,
  type OrderView,
} from '../../workflows/order/contract';
import { orderSubtotal, orderWeight } from '../../workflows/order/state';
import { jsonBody } from '../body';
import { requireScope, type AuthContext } from '../auth';
import { badRequest, conflict, HttpError, notFound, parseOr400, unavailable } from '../errors';
import { destinationSchema, unshippable } from './shipping';

export interface OrdersRouterDeps {
  db: Db;
  temporal: Client;
  vault: SubjectVault;
  taskQueue: string;
  /** Blind-index key: the customer's end-user id → subject hash, as the webhook computes it. */
  indexKey: Buffer;
  /** Key of the order content hash (the content holds PII, so a plain hash would be guessable). */
  contentKey: Buffer;
}

const text = (max: number) => z.string().trim().min(1).max(max);

export const orderSchema = z.strictObject({
  orderId: z
    .string()
    .regex(ORDER_ID_PATTERN, 'must be 1-64 of letters, digits, _ or -, starting with a letter or digit'),
  customer: z.strictObject({
    /** The end-user's WhatsApp id (wa_id) or business-scoped user id. */
    userId: text(128),
    name: text(200).optional(),
  }),
  currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code we know, like EUR'),
  items: z
    .array(
      z.strictObject({
        sku: text(100),
        name: text(200),
        quantity: z.number().int().min(1).max(10_000),
        unitPrice: z.number().int('must be an integer in minor units').min(0).max(1e10),
        weightGrams: z.number().int('must be whole grams').min(0).max(1e8),
      }),
    )
    .min(1)
    .max(100),
  deliveryAddress: destinationSchema.extend({
    name: text(200).optional(),
    lines: z.array(text(200)).min(1).max(4),
    city: text(100).optional(),
  }),
  phoneNumberId: z
    .string()
    .regex(/^\d{5,20}$/, 'must be a WhatsApp phone_number_id')
    .optional(),
});

export const paymentSchema = z.strictObject({
  status: z.enum(['paid', 'failed', 'refunded']),
  reference: z.string().regex(/^[\w.:-]{1,100}$/, 'must be 1-100 of letters, digits, _ . : or -'),
});

export const shipmentSchema = z.strictObject({
  carrier: text(100),
  trackingNumber: text(100),
  trackingUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .optional(),
});

export const cancelSchema = z.strictObject({
  reason: z
    .string()
    .regex(/^[a-z_]{1,40}$/, 'must be a short code like out_of_stock')
    .optional(),
});

export const idParam = z.strictObject({ id: z.string().regex(ORDER_ID_PATTERN, 'must be an order id') });

/** What an order looks like to the API: the internal hashes and bookkeeping stay inside. */
function publicOrder(view: OrderView) {
  const hidden = new Set(['subjectHash', 'contentHash', 'requestId', 'version', 'purged']);
  return Object.fromEntries(Object.entries(view).filter(([key]) => !hidden.has(key)));
}

const summary = (view: OrderView) => ({
  orderId: view.orderId,
  status: view.status,
  subtotal: view.subtotal,
  shippingCost: view.shippingCost,
  total: view.total,
  currency: view.currency,
  paymentDeadline: view.paymentDeadline,
});

/** Turns a Temporal answer about an order into HTTP: refusals 409 with the reason, gone 404. */
function toHttp(err: unknown): unknown {
  if (
    err instanceof WorkflowUpdateFailedError &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === TRANSITION_REFUSED
  )
    return new HttpError(409, 'transition_refused', err.cause.message);
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)
    return unavailable('the order did not answer in time; retry');
  if (err instanceof ServiceError) return unavailable('orders are unavailable right now; retry');
  return err;
}

/**
 * `/v1/orders`: create (update-with-start, so the answer carries the computed shipping cost; the same
 * id with the same content answers 200, with other content 409), read, and the lifecycle transitions
 * (payment, shipment, delivered, cancel) as workflow updates whose validators refuse impossible ones.
 */
export function ordersRouter(deps: OrdersRouterDeps): Router {
  const { db, temporal } = deps;
  const router = Router();
  const json = jsonBody('256kb');
  const auth = (res: Response) => res.locals.auth as AuthContext;

  async function senderNumber(clientId: string, requested: string | undefined): Promise<string> {
    const numbers = await phoneNumbersOfClient(db, clientId);
    if (requested && !numbers.includes(requested))
      throw badRequest('phoneNumberId: is not a number of this client');
    const chosen = requested ?? numbers[0];
    if (!chosen) throw badRequest('phoneNumberId: this client has no WhatsApp number');
    return chosen;
  }

  router.post('/v1/orders', requireScope(db, 'orders:write'), json, async (req, res) => {
    const { clientId } = auth(res);
    const body = parseOr400(orderSchema, req.body);
    const contentHash = keyedHash(deps.contentKey, clientId, JSON.stringify(body));
    const existing = await findOrder(db, clientId, body.orderId);
    if (existing) {
      if (existing.contentHash !== contentHash)
        throw conflict(`order ${body.orderId} already exists with different content`);
      const view = await readOrder(deps, clientId, body.orderId);
      if (!view) throw conflict(`order ${body.orderId} already existed and has been purged`);
      return void res.status(200).json(summary(view));
    }
    const priced = priceWithTable(await getRateTable(db, clientId), body.currency, body.deliveryAddress, {
      weightGrams: orderWeight(body.items),
      subtotal: orderSubtotal(body.items),
    });
    if (!priced.ok) throw unshippable(priced.message);
    if (!Number.isSafeInteger(orderSubtotal(body.items) + priced.quote.cost))
      throw badRequest('items: the order total is too large');

    const customer = { ...body.customer, userId: normalizeUserId(body.customer.userId) };
    const input: OrderInput = {
      clientId,
      orderId: body.orderId,
      subjectHash: keyedHash(deps.indexKey, clientId, customer.userId),
      phoneNumberId: await senderNumber(clientId, body.phoneNumberId),
      customer,
      currency: body.currency,
      items: body.items,
      deliveryAddress: body.deliveryAddress,
      contentHash,
      requestId: randomUUID(),
      source: 'api',
    };
    const opened = await openOrder(temporal, deps.taskQueue, input).catch((err: unknown) =>
      Promise.reject(toHttp(err)),
    );
    const view = 'view' in opened ? opened.view : await readOrderRecord(deps, clientId, body.orderId);
    if (!view || view.contentHash !== contentHash)
      throw conflict(`order ${body.orderId} already exists with different content`);
    if (view.cancelReason === 'not_shippable') throw unshippable("we don't ship there");
    res.status('view' in opened && opened.created ? 201 : 200).json(summary(view));
  });

  router.get('/v1/orders/:id', requireScope(db, 'orders:read'), async (req, res) => {
    const { clientId } = auth(res);
    const { id } = parseOr400(idParam, req.params, 'path');
    const view = await readOrder(deps, clientId, id).catch((err: unknown) => Promise.reject(toHttp(err)));
    if (!view) throw notFound('order');
    res.json({ ...publicOrder(view), notifications: await listOrderNotifications(db, clientId, id) });
  });

  /** Runs one transition update; 404 for no such order of this client, 409 for a refused or ended one. */
  async function transition(
    res: Response,
    id: string,
    run: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<OrderView>,
  ): Promise<void> {
    const { clientId } = auth(res);
    try {
      res.json(publicOrder(await run(temporal.workflow.getHandle(orderWorkflowId(clientId, id)))));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw toHttp(err);
      if (await findOrder(db, clientId, id))
        throw new HttpError(409, 'transition_refused', 'order has ended and can no longer change');
      throw notFound('order');
    }
  }

  router.post('/v1/orders/:id/payment', requireScope(db, 'orders:write'), json, async (req, res) => {
    const { id } = parseOr400(idParam, req.params, 'path');
    const payment = parseOr400(paymentSchema, req.body);
    await transition(res, id, (h) =>
      h.executeUpdate(paymentUpdate, {
        args: [payment],
        updateId: `payment:${payment.status}:${payment.reference}`,
      }),
    );
  });

  router.post('/v1/orders/:id/shipment', requireScope(db, 'orders:write'), json, async (req, res) => {
    const { id } = parseOr400(idParam, req.params, 'path');
    const shipment = parseOr400(shipmentSchema, req.body);
    await transition(res, id, (h) => h.executeUpdate(shipmentUpdate, { args: [shipment] }));
  });

  router.post('/v1/orders/:id/delivered', requireScope(db, 'orders:write'), json, async (req, res) => {
    const { id } = parseOr400(idParam, req.params, 'path');
    await transition(res, id, (h) => h.executeUpdate(deliveredUpdate));
  });

  router.post('/v1/orders/:id/cancel', requireScope(db, 'orders:write'), json, async (req, res) => {
    const { id } = parseOr400(idParam, req.params, 'path');
    const body = parseOr400(cancelSchema, req.body ?? {});
    await transition(res, id, (h) => h.executeUpdate(cancelUpdate, { args: [body] }));
  });

  return router;
}
