import { randomBytes } from 'node:crypto';
import { provisionClient } from '../sandbox/provision';
import { RATES } from '../test/orders/fixtures';

/**
 * Orders benchmark: orders created per second through `POST /v1/orders` (each one a workflow started
 * with update-with-start, priced, recorded), then `GET /v1/orders/:id` latency over the live orders.
 * It drives a running system (the bench runs it as the `orders` scenario against the API and the
 * worker in their own processes), so what is measured is the system, not the generator.
 */

export interface OrdersBenchOptions {
  orders?: number;
  /** Requests in flight at once while creating. */
  concurrency?: number;
  /** GETs to time after creation (random live orders, `readConcurrency` at a time). */
  reads?: number;
  readConcurrency?: number;
}

export interface OrdersBenchResult {
  orders: number;
  createSeconds: number;
  ordersPerSecond: number;
  createErrors: number;
  getP50Ms: number;
  getP99Ms: number;
  getMaxMs: number;
  reads: number;
  readErrors: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Waits until the last order's confirmation outcome is recorded: the worker has worked off the
 * creation backlog, so the reads measure serving 1,000 live orders, not competing with their creation.
 */
async function settle(apiUrl: string, headers: Record<string, string>, lastId: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const res = await fetch(`${apiUrl}/v1/orders/${lastId}`, { headers });
    const order = (await res.json()) as { notifications?: unknown[] };
    if ((order.notifications?.length ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The scenario against a running system: provisions a client, sets rates, creates orders, reads them. */
export async function ordersScenario(
  target: { apiUrl: string; adminToken: string },
  opts: OrdersBenchOptions = {},
): Promise<OrdersBenchResult> {
  const { orders = 1000, concurrency = 16, reads = 2000, readConcurrency = 4 } = opts;
  const { apiKey } = await provisionClient(target.apiUrl, target.adminToken, { name: 'Bench Shop' });
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  // The order tests' rate table (plain data, no test server): the orders below, to mainland Portugal
  // and at most 1.2 kg, price by its `pt` zone.
  await fetch(`${target.apiUrl}/v1/shipping/rates`, {
    method: 'PUT',
    headers,
    body: JSON.stringify(RATES),
  });

  const run = randomBytes(3).toString('hex');
  const ids = Array.from({ length: orders }, (_, i) => `B-${run}-${i}`);
  const started = performance.now();
  const created = await pool(orders, concurrency, async (i) => {
    const res = await fetch(`${target.apiUrl}/v1/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        orderId: ids[i],
        customer: { userId: `3519${String(10_000_000 + i)}` },
        currency: 'EUR',
        items: [{ sku: 'MUG-1', name: 'Mug', quantity: 1 + (i % 3), unitPrice: 1250, weightGrams: 400 }],
        deliveryAddress: { lines: ['Rua Augusta 1'], city: 'Lisboa', postalCode: '1100-048', country: 'PT' },
      }),
    });
    await res.arrayBuffer();
    return res.status === 201;
  });
  const createSeconds = (performance.now() - started) / 1000;

  await settle(target.apiUrl, headers, ids.at(-1)!);

  const latencies: number[] = [];
  let readErrors = 0;
  await pool(reads, readConcurrency, async () => {
    const id = ids[Math.floor(Math.random() * ids.length)]!;
    const t = performance.now();
    const res = await fetch(`${target.apiUrl}/v1/orders/${id}`, { headers });
    await res.arrayBuffer();
    latencies.push(performance.now() - t);
    if (res.status !== 200) readErrors += 1;
  });
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    orders,
    createSeconds: round(createSeconds),
    ordersPerSecond: round(orders / createSeconds),
    createErrors: created.filter((ok) => !ok).length,
    getP50Ms: round(percentile(latencies, 0.5)),
    getP99Ms: round(percentile(latencies, 0.99)),
    getMaxMs: round(latencies.at(-1) ?? 0),
    reads,
    readErrors,
  };
}
