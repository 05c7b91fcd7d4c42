import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import express from 'express';
import { createBaselineActivities } from './activities';
import { baselineConversation, baselineMessageSignal, type BaselineMessage } from './workflow';

const TASK_QUEUE = 'bench-baseline';

interface WebhookBody {
  entry?: {
    changes?: {
      value?: { metadata?: { phone_number_id?: string }; messages?: { id: string; from?: string }[] };
    }[];
  }[];
}

/**
 * Starts the baseline pipeline: a worker on its own task queue and a minimal HTTP receiver that turns
 * each webhook message into a signal-with-start. Same Temporal server, same fake Graph as Aura.
 */
export async function startBaseline(opts: { temporalAddress: string; graphUrl: string }) {
  const nativeConnection = await NativeConnection.connect({ address: opts.temporalAddress });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('./workflow'),
    activities: createBaselineActivities(opts.graphUrl),
    maxCachedWorkflows: 500,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: opts.temporalAddress });
  const client = new Client({ connection });

  const app = express();
  app.post('/webhooks/whatsapp', express.json({ limit: '3mb' }), async (req, res) => {
    const body = req.body as WebhookBody;
    const signals: Promise<unknown>[] = [];
    for (const change of (body.entry ?? []).flatMap((e) => e.changes ?? [])) {
      const phoneNumberId = change.value?.metadata?.phone_number_id ?? '';
      for (const m of change.value?.messages ?? []) {
        const message: BaselineMessage = { phoneNumberId, to: m.from ?? '', messageId: m.id };
        signals.push(
          client.workflow.signalWithStart(baselineConversation, {
            workflowId: `baseline:${phoneNumberId}:${message.to}`,
            taskQueue: TASK_QUEUE,
            signal: baselineMessageSignal,
            signalArgs: [message],
          }),
        );
      }
    }
    await Promise.all(signals);
    res.json({ ok: true });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await new Promise((r) => server.close(r));
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}
