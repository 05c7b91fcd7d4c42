import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { clientsWithRejectedToken } from '../../db/clients';
import { ping, type Db } from '../../db/pool';
import { blockedTemplates } from '../../db/templates';
import type { MediaStore } from '../../media/store';
import { taskQueuePollers } from '../../temporal/pollers';

type Check = 'ok' | 'down';

/**
 * `/healthz`: the process is alive. `/readyz`: each dependency reported separately — PostgreSQL,
 * Temporal, a worker polling the task queue (Temporal lists a recent workflow and activity poller;
 * workers poll only once warm), and the media store where this process has one — 503 naming the ones
 * that are down. Clients whose Graph token Graph rejected (190) are named too, without making the
 * API unready: the other clients are served. So are templates Meta paused or disabled (the sends
 * that need them are refused until Meta lifts it or the client picks another).
 */
export function healthRouter(deps: {
  db: Db;
  temporal: Client;
  namespace: string;
  taskQueue: string;
  media?: MediaStore;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const media = deps.media;
    const [postgres, temporal, worker, mediaStore, rejected, blocked] = await Promise.all([
      check(() => ping(deps.db)),
      check(() => deps.temporal.workflowService.getSystemInfo({})),
      check(async () => {
        const pollers = await taskQueuePollers(deps.temporal, deps.namespace, deps.taskQueue);
        if (!pollers.workflow.length || !pollers.activity.length) throw new Error('no worker polls');
      }),
      media ? check(() => media.check()) : undefined,
      clientsWithRejectedToken(deps.db).catch(() => []),
      blockedTemplates(deps.db, 100).catch(() => []),
    ]);
    const checks = { postgres, temporal, worker, ...(mediaStore ? { mediaStore } : {}) };
    const down = Object.entries(checks)
      .filter(([, v]) => v === 'down')
      .map(([k]) => k);
    res.status(down.length === 0 ? 200 : 503).json({
      status: down.length === 0 ? 'ready' : 'unavailable',
      checks: {
        ...checks,
        graphTokens: rejected.length ? 'rejected' : 'ok',
        templates: blocked.length ? 'blocked' : 'ok',
      },
      ...(down.length ? { down } : {}),
      ...(rejected.length ? { graphTokenRejected: rejected } : {}),
      ...(blocked.length ? { templatesBlocked: blocked } : {}),
    });
  });
  return router;
}

async function check(probe: () => Promise<unknown>, timeoutMs = 2_000): Promise<Check> {
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
