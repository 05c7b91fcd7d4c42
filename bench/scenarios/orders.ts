import { ordersScenario } from '../orders';
import type { Scenario } from '../scenario';

/** Orders created per second (16 in flight), then status-read latency with 1,000 live orders. */
export const ordersBenchScenario: Scenario = {
  name: 'orders',
  description: 'orders created per second; GET /v1/orders/:id p50/p99 with 1,000 live orders',
  async run(ctx) {
    const { apiUrl, adminToken } = ctx.system.harness;
    const result = await ordersScenario(
      { apiUrl, adminToken },
      ctx.quick
        ? { orders: 20, concurrency: 4, reads: 40 }
        : { orders: 1_000, concurrency: 16, reads: 2_000 },
    );
    return {
      rows: [
        {
          orders: result.orders,
          'creates/s': result.ordersPerSecond,
          'create errors': result.createErrors,
          reads: result.reads,
          'GET p50 ms': result.getP50Ms,
          'GET p99 ms': result.getP99Ms,
          'GET max ms': result.getMaxMs,
          'read errors': result.readErrors,
        },
      ],
      details: result,
    };
  },
};
