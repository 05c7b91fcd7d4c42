import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SANDBOX_PHONE_NUMBER_ID } from '../../sandbox/seed';
import { alive, descendants, freeStartPorts, NpmStart, sleep } from '../support/npm-start';
import { postWebhook, textNotification, waitUntil } from '../support/whatsapp';

const ROOT = path.resolve(__dirname, '..', '..');

/** Everything `npm start` started is gone within 10 s: no process below it, no port bound. */
async function assertNothingLeft(start: NpmStart, pids: number[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (pids.some(alive) || (await start.boundPorts()).length)) await sleep(200);
  const left = pids.filter(alive);
  assert.deepEqual(left, [], `processes left: ${left.join(', ')}\n${start.output.slice(-3000)}`);
  assert.deepEqual(await start.boundPorts(), [], `ports still bound\n${start.output.slice(-3000)}`);
}

/** The block of docs/orders.md between the try-it markers, moved to this start's port and data folder. */
function docsExample(start: NpmStart): string {
  const doc = readFileSync(path.join(ROOT, 'docs', 'orders.md'), 'utf8');
  const block = /<!-- try-it:orders[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(block, 'docs/orders.md has the try-it block');
  return block
    .replaceAll('localhost:3000', `localhost:${start.ports.api}`)
    .replaceAll('./.data/', `${start.dataDir}/`);
}

describe('npm start: one command, and every process it starts stops with it', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'aura-start-'));
    chmodSync(dataDir, 0o755); // as root, the embedded PostgreSQL runs as the postgres user
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('a first start on a fresh data folder', () => {
    let start: NpmStart;
    before(async () => {
      start = new NpmStart(dataDir, await freeStartPorts());
      await start.waitFor(/Aura Engage is ready/);
      start.rememberPostgresUrl();
    });
    after(() => start?.killAll());

    it('when the banner says ready, then the worker already polls: it started before the banner and /readyz is 200', async () => {
      const workerStarted = start.output.search(/worker started/);
      assert.ok(
        workerStarted >= 0 && workerStarted < start.output.indexOf('Aura Engage is ready'),
        start.output,
      );
      const ready = (await (await fetch(`${start.apiUrl}/readyz`)).json()) as { checks: { worker: string } };
      assert.equal(ready.checks.worker, 'ok');
      const worker = await fetch(`http://127.0.0.1:${start.ports.workerMetrics}/readyz`);
      assert.equal(worker.status, 200);
      assert.equal(((await worker.json()) as { status: string }).status, 'polling');
    });

    it('when a second npm start runs meanwhile, then it exits 1 naming each busy port and starts nothing', async () => {
      const second = new NpmStart(dataDir, start.ports);
      assert.equal(await second.exited(), 1);
      assert.match(second.output, new RegExp(`port ${start.ports.api} \\(API\\) already in use`));
      assert.match(
        second.output,
        new RegExp(`port ${start.ports.temporal} \\(Temporal dev server\\) already in use`),
      );
      assert.match(second.output, /set TEMPORAL_DEV_PORT to another port/);
      assert.doesNotMatch(second.output, /starting Temporal/);
      assert.equal((await fetch(`${start.apiUrl}/readyz`)).status, 200, 'the first one runs on');
    });

    it("when the docs' first POST /v1/orders is run as written, then the Sandbox Shop takes it (its rates and sample orders are there)", async () => {
      const out = execFileSync('bash', ['-c', docsExample(start)], { cwd: ROOT, encoding: 'utf8' });
      const order = JSON.parse(out) as {
        orderId: string;
        status: string;
        shippingCost: number;
        currency: string;
      };
      assert.deepEqual(
        {
          orderId: order.orderId,
          status: order.status,
          shippingCost: order.shippingCost,
          currency: order.currency,
        },
        { orderId: 'A-1001', status: 'awaiting_payment', shippingCost: 1500, currency: 'BRL' },
      );
      const { apiKey } = JSON.parse(readFileSync(path.join(dataDir, 'sandbox-client.json'), 'utf8')) as {
        apiKey: string;
      };
      const statuses: Record<string, string> = {};
      for (const id of ['SB-1001', 'SB-1002', 'SB-1003']) {
        const res = await fetch(`${start.apiUrl}/v1/orders/${id}`, {
          headers: { authorization: `Bearer ${apiKey}` },
        });
        statuses[id] = ((await res.json()) as { status: string }).status;
      }
      assert.deepEqual(statuses, {
        'SB-1001': 'shipped',
        'SB-1002': 'delivered',
        'SB-1003': 'awaiting_payment',
      });
      // The shop's account at the sandbox Graph was synced, and its settings name the templates.
      const templates = (await (
        await fetch(`${start.apiUrl}/v1/templates`, { headers: { authorization: `Bearer ${apiKey}` } })
      ).json()) as { wabaId: string; templates: { name: string; language: string; status: string }[] };
      assert.equal(templates.wabaId, 'SANDBOX-WABA');
      assert.deepEqual(
        templates.templates.map((t) => `${t.name}/${t.language}/${t.status}`),
        ['en', 'es', 'pt']
          .flatMap((l) => [`order_confirmation/${l}/APPROVED`, `order_shipped/${l}/APPROVED`])
          .sort(),
      );
    });

    it('when the worker is killed with SIGKILL during a burst, then npm start restarts it, says so loudly, and every message is answered', async () => {
      const { WHATSAPP_APP_SECRET: secret } = JSON.parse(
        readFileSync(path.join(dataDir, 'secrets.json'), 'utf8'),
      ) as {
        WHATSAPP_APP_SECRET: string;
      };
      const worker = start.childPid('worker/main.ts');
      assert.ok(worker);
      const users = Array.from({ length: 16 }, (_, i) => `55119888${String(i).padStart(5, '0')}`);
      for (const [i, waId] of users.entries()) {
        if (i === 6) process.kill(worker, 'SIGKILL');
        const body = textNotification({ phoneNumberId: SANDBOX_PHONE_NUMBER_ID, waId, text: 'hello' });
        assert.equal((await postWebhook(start.apiUrl, body, { secret })).status, 200);
        await sleep(100);
      }
      const answered = async (waId: string) => {
        const url = `http://127.0.0.1:${start.ports.graph}/sandbox/conversation?phoneNumberId=${SANDBOX_PHONE_NUMBER_ID}&to=${waId}`;
        return ((await (await fetch(url)).json()) as { messages: unknown[] }).messages.length > 0;
      };
      await waitUntil(
        async () => (await Promise.all(users.map(answered))).every(Boolean),
        120_000,
        'every reply',
      );
      assert.match(start.output, /✖ worker crashed \(killed by SIGKILL\) — restarting in/);
      assert.match(start.output, /worker restarted \(pid \d+\)/);
      assert.notEqual(start.childPid('worker/main.ts'), worker);
    });

    it("when npm's pid gets SIGINT, then within 10 s no process it started is left and no port is bound", async () => {
      const pids = descendants(start.pid);
      assert.ok(pids.length >= 5, `temporal, postgres, worker, api and the script run: ${pids.join(' ')}`);
      process.kill(start.pid, 'SIGINT');
      await assertNothingLeft(start, [start.pid, ...pids]);
      assert.equal(await start.exited(), 0);
    });
  });

  it('when the start script gets SIGTERM, then within 10 s no process it started is left and no port is bound', async () => {
    const start = new NpmStart(dataDir, await freeStartPorts());
    try {
      await start.waitFor(/Aura Engage is ready/);
      start.rememberPostgresUrl();
      const pids = descendants(start.pid);
      process.kill(start.startScriptPid()!, 'SIGTERM');
      await assertNothingLeft(start, [start.pid, ...pids]);
    } finally {
      start.killAll();
    }
  });

  it('when the terminal sends SIGINT to the whole process group while it is still starting, then nothing is left', async () => {
    const start = new NpmStart(dataDir, await freeStartPorts());
    try {
      await start.waitFor(/starting embedded PostgreSQL/);
      const pids = descendants(start.pid);
      process.kill(-start.pid, 'SIGINT'); // what Ctrl-C does: every process of the foreground group
      await assertNothingLeft(start, [start.pid, ...pids, ...descendants(start.pid)]);
    } finally {
      start.killAll();
    }
  });
});
