import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addReviewItem } from '../../db/nlu-review';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';

describe('settings: PATCH merges, PUT replaces only a complete document', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Json = any;
  const call = async (key: string, method: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(`${stack.apiUrl}/v1/settings`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': type },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };
  const kept = async (clientId: string) =>
    Number(
      (await stack.db.pool.query('SELECT count(*) AS n FROM nlu_review WHERE client_id = $1', [clientId]))
        .rows[0].n,
    );
  const audits = async (clientId: string) =>
    Number(
      (
        await stack.db.pool.query(
          "SELECT count(*) AS n FROM audit_log WHERE client_id = $1 AND action = 'settings.update'",
          [clientId],
        )
      ).rows[0].n,
    );
  /** A client whose settings differ from the defaults, with review on and one utterance kept. */
  const customised = async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: {
        language: 'pt',
        timezone: 'Europe/Lisbon',
        handoff: { slaMinutes: 5, maxWaitMinutes: 30, agentIdleMinutes: 10, keywords: ['reclamação'] },
        retention: { transcriptDays: 30, mediaDays: 7, orderRecordDays: 400 },
        insights: { reviewNoMatch: true },
      },
    });
    await addReviewItem(stack.db.pool, {
      clientId: client.clientId,
      subjectHash: 'a'.repeat(64),
      messageId: `wamid.review-${client.clientId}`,
      textEnc: 'sealed',
      language: 'pt',
    });
    return client;
  };

  it('when a PUT names one field, then it is a 400 naming what is missing, and nothing changes: settings, kept utterances', async () => {
    const client = await customised();
    const before = (await call(client.apiKey, 'GET')).json;
    const put = await call(client.apiKey, 'PUT', { language: 'es' });
    assert.equal(put.status, 400);
    assert.equal(put.json.error.code, 'bad_request');
    assert.match(
      put.json.error.message,
      /^incomplete settings: missing timezone, templates, handoff, orders/,
    );
    assert.ok(put.json.error.details.missing.includes('insights'));
    const nested = await call(client.apiKey, 'PUT', { ...before, handoff: { slaMinutes: 1 } });
    assert.deepEqual(nested.json.error.details.missing, [
      'handoff.maxWaitMinutes',
      'handoff.agentIdleMinutes',
      'handoff.keywords',
    ]);
    assert.deepEqual((await call(client.apiKey, 'GET')).json, before);
    assert.equal(await kept(client.clientId), 1, 'the kept no-match utterances are still there');
    assert.equal(await audits(client.clientId), 0);
  });

  it('when a PUT is complete, then it replaces the document; turning review off there deletes what was kept', async () => {
    const client = await customised();
    const current = (await call(client.apiKey, 'GET')).json;
    const put = await call(client.apiKey, 'PUT', { ...current, language: 'es' });
    assert.deepEqual([put.status, put.json.language, put.json.handoff.slaMinutes], [200, 'es', 5]);
    assert.equal(await kept(client.clientId), 1);
    await call(client.apiKey, 'PUT', { ...current, insights: { reviewNoMatch: false } });
    assert.equal(await kept(client.clientId), 0);
  });

  it('when a PATCH names one field, then only that field changes (nested objects merge, JSON merge patch)', async () => {
    const client = await customised();
    const before = (await call(client.apiKey, 'GET')).json;
    const patch = await call(
      client.apiKey,
      'PATCH',
      { handoff: { slaMinutes: 20 } },
      'application/merge-patch+json',
    );
    assert.equal(patch.status, 200);
    assert.deepEqual(patch.json, { ...before, handoff: { ...before.handoff, slaMinutes: 20 } });
    assert.deepEqual((await call(client.apiKey, 'GET')).json, patch.json);
    assert.equal(await kept(client.clientId), 1, 'review stays on, utterances stay');
    assert.equal(await audits(client.clientId), 1);
  });

  it('when a PATCH sets a field to null, then it goes back to its default; turning review off explicitly deletes what was kept', async () => {
    const client = await customised();
    const reset = await call(client.apiKey, 'PATCH', { country: 'PT', timezone: null });
    assert.deepEqual([reset.json.country, reset.json.timezone], ['PT', 'UTC']);
    assert.equal((await call(client.apiKey, 'PATCH', { country: null })).json.country, undefined);
    await call(client.apiKey, 'PATCH', { insights: { reviewNoMatch: false } });
    assert.equal(await kept(client.clientId), 0);
  });

  it('when a PATCH is invalid, then it is a 400 naming the field and nothing changes', async () => {
    const client = await customised();
    const before = (await call(client.apiKey, 'GET')).json;
    const bad = await call(client.apiKey, 'PATCH', {
      timezone: 'Europe/Lisboa',
      businessHours: { weekly: { mon: [{ from: '18:00', to: '09:00' }] } },
    });
    assert.equal(bad.status, 400);
    const fields = bad.json.error.details.fields.map((f: { field: string }) => f.field);
    assert.deepEqual(fields, ['timezone', 'businessHours.weekly.mon.0']);
    for (const body of ['[1, 2]', '"text"', 'null', '{"__proto__": {"x": 1}, "language": "es"}'])
      assert.equal((await call(client.apiKey, 'PATCH', body)).status, 400, body);
    assert.deepEqual((await call(client.apiKey, 'GET')).json, before);
  });

  it('when templates are given per language, or in the shape before languages, then both are valid', async () => {
    const client = await customised();
    const old = await call(client.apiKey, 'PATCH', {
      templates: { order_shipped: { name: 'order_shipped', language: 'en' } },
    });
    assert.equal(old.status, 200);
    const perLanguage = await call(client.apiKey, 'PATCH', {
      templates: {
        order_shipped: [
          { name: 'order_shipped', language: 'en' },
          { name: 'pedido_enviado', language: 'pt_BR' },
        ],
      },
    });
    assert.equal(perLanguage.status, 200);
    assert.equal(perLanguage.json.templates.order_shipped.length, 2);
  });
});
