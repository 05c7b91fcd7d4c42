import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/pool';
import { getRateTable, putRateTable } from '../../db/shipping-rates';
import { quote, quoteRefusal, rateTableSchema } from '../../shipping/rate-table';
import { jsonBody } from '../body';
import { requireScope, type AuthContext } from '../auth';
import { HttpError, notFound, parseOr400 } from '../errors';

export const destinationSchema = z.strictObject({
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like PT'),
  region: z.string().trim().min(1).max(100).optional(),
  postalCode: z.string().trim().min(1).max(20).optional(),
});

export const quoteSchema = z.strictObject({
  destination: destinationSchema,
  items: z
    .array(
      z.strictObject({
        quantity: z.number().int().min(1).max(10_000),
        unitPrice: z.number().int('must be an integer in minor units').min(0).max(1e10),
        weightGrams: z.number().int('must be whole grams').min(0).max(1e8),
      }),
    )
    .max(100)
    .default([]),
});

/** 422: the request is well-formed but cannot be priced (no zone, too heavy, no table, other currency). */
export const unshippable = (message: string) => new HttpError(422, 'not_shippable', message);

/**
 * `/v1/shipping`: the client's rate table (`PUT` validates overlaps, gaps, currency and integer money
 * and answers 400 naming the problem) and quotes for a destination and items (422 outside every zone).
 */
export function shippingRouter(deps: { db: Db }): Router {
  const { db } = deps;
  const router = Router();
  const json = jsonBody('256kb');

  router.put('/v1/shipping/rates', requireScope(db, 'settings', 'orders:write'), json, async (req, res) => {
    const { clientId } = res.locals.auth as AuthContext;
    const table = parseOr400(rateTableSchema, req.body);
    await putRateTable(db, clientId, table);
    res.json(table);
  });

  router.get('/v1/shipping/rates', requireScope(db, 'settings', 'orders:read'), async (_req, res) => {
    const { clientId } = res.locals.auth as AuthContext;
    const table = await getRateTable(db, clientId);
    if (!table) throw notFound('shipping rate table');
    res.json(table);
  });

  router.post('/v1/shipping/quote', requireScope(db, 'orders:read'), json, async (req, res) => {
    const { clientId } = res.locals.auth as AuthContext;
    const body = parseOr400(quoteSchema, req.body);
    const table = await getRateTable(db, clientId);
    if (!table) throw unshippable('no shipping rates are configured: PUT /v1/shipping/rates first');
    const q = quote(table, body.destination, {
      weightGrams: body.items.reduce((sum, i) => sum + i.quantity * i.weightGrams, 0),
      subtotal: body.items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0),
    });
    if (!q.ok) throw unshippable(quoteRefusal(q.reason));
    res.json({
      zone: { id: q.zoneId, name: q.zoneName },
      shippingCost: q.cost,
      currency: q.currency,
      freeShipping: q.freeShipping,
    });
  });

  return router;
}
