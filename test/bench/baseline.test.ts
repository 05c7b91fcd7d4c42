import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBaseline } from '../../bench/baseline/pipeline';
import { startFakeGraph } from '../../sandbox/fake-graph';
import { testInfra } from '../support/env';
import { phoneNumberId, textNotification } from '../support/whatsapp';

describe('benchmark baseline: bare Temporal pipeline', () => {
  it('when a webhook arrives, then the baseline workflow posts one reply per message to the fake Graph', async () => {
    const graph = await startFakeGraph();
    const baseline = await startBaseline({
      temporalAddress: testInfra().temporalAddress,
      graphUrl: graph.url,
    });
    try {
      const number = phoneNumberId();
      for (const text of ['one', 'two']) {
        const res = await fetch(`${baseline.url}/webhooks/whatsapp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(textNotification({ phoneNumberId: number, waId: '4915100000001', text })),
        });
        assert.equal(res.status, 200);
      }
      const sent = await graph.waitFor((s) => s.length >= 2);
      assert.deepEqual(
        sent.map((m) => [m.phoneNumberId, m.body.to]),
        [
          [number, '4915100000001'],
          [number, '4915100000001'],
        ],
      );
    } finally {
      await baseline.stop();
      await graph.close();
    }
  });
});
