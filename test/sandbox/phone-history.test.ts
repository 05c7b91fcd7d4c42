import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startFakeGraph } from '../../sandbox/fake-graph';

describe('sandbox phone history', () => {
  it('when the sandbox Graph restarts on its history file, then both sides of each conversation are still there', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aura-phone-'));
    const historyFile = path.join(dir, 'sandbox-phone.json');
    try {
      const first = await startFakeGraph({ historyFile });
      const inbound = {
        phoneNumberId: '100000000001',
        userId: '5511999990001',
        wamid: 'wamid.IN1',
        kind: 'text',
      };
      await fetch(`${first.url}/sandbox/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...inbound, text: 'olá', at: 1, webhookStatus: 200 }),
      });
      await fetch(`${first.url}/v23.0/100000000001/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer sandbox', 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          to: '5511999990001',
          type: 'text',
          text: { body: 'Oi!' },
        }),
      });
      await first.close();

      const second = await startFakeGraph({ historyFile });
      try {
        const url = `${second.url}/sandbox/conversation?phoneNumberId=100000000001&to=5511999990001`;
        const view = (await (await fetch(url)).json()) as {
          messages: { body: { text: { body: string } } }[];
          inbound: { text: string; kind: string }[];
        };
        assert.deepEqual(
          view.inbound.map((m) => [m.kind, m.text]),
          [['text', 'olá']],
        );
        assert.deepEqual(
          view.messages.map((m) => m.body.text.body),
          ['Oi!'],
        );
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
