import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../../db/pool';
import type { MediaStore } from '../../media/store';

/**
 * `/healthz`: the process is alive. `/readyz`: each dependency reported separately (PostgreSQL,
 * Temporal, and the media store where this process has one), 503 naming the ones that are down.
 */
export function healthRouter(deps: { db: Db; temporal: Client; media?: MediaStore }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const media = deps.media;
    const [postgres, temporal, mediaStore] = await Promise.all([
      check(() => deps.db.query('SELECT 1')),
      check(() => deps.temporal.workflowService.getSystemInfo({})),
      media ? check(() => media.check()) : undefined,
    ]);
    const checks = { postgres, temporal, ...(mediaStore ? { mediaStore } : {}) };
    const down = Object.entries(checks)
      .filter(([, v]) => v === 'down')
      .map(([k]) => k);
    res.status(down.length === 0 ? 200 : 503).json({
      status: down.length === 0 ? 'ready' : 'unavailable',
      checks,
      ...(down.length ? { down } : {}),
    });
  });
  return router;
}

async function check(probe: () => Promise<unknown>, timeoutMs = 2_000): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'down'>((resolve) => (timer = setTimeout(() => resolve('down'), timeoutMs)));
  try {
    return await Promise.race([probe().then(() => 'ok' as const), timeout]);
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
