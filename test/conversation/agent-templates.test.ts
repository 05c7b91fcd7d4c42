import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiOf } from '../support/api';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';
import { endUser, type TestClient } from './helpers';

/**
 * A template as `GET /v1/conversations/:ref/templates` lists it: what it knows of the template's slots
 * and body is null until given.
 */
function pickerEntry(
  purpose: string,
  name: string,
  language: string,
  parameters: string[],
  known: { parameterCount?: number; parameterNames?: string[]; body?: string } = {},
) {
  return {
    purpose,
    name,
    language,
    parameters,
    parameterCount: known.parameterCount ?? null,
    parameterNames: known.parameterNames ?? null,
    body: known.body ?? null,
  };
}

/** Agent templates outside the 24-hour window, and agent availability, over real HTTP and Temporal. */
describe('conversation engine: agent templates and availability', () => {
  let stack: Stack;
  let client: TestClient;
  let agent: { apiKey: string; keyId: string };
  let other: { apiKey: string; keyId: string };
  let reader: { apiKey: string; keyId: string };
  const stale = () => Math.floor(Date.now() / 1000) - 25 * 3600;

  const { call: api, mintKey } = apiOf(() => stack.apiUrl);
  const setContactLanguage = (subjectHash: string, language: string) =>
    stack.db.pool.query('UPDATE contacts SET language = $3 WHERE client_id = $1 AND subject_hash = $2', [
      client.clientId,
      subjectHash,
      language,
    ]);

  before(async () => {
    stack = await startStack({ statusWebhooks: true }); // the fake Graph reports template changes too
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: {
        language: 'pt',
        templates: {
          handoff_update: [
            { name: 'seguimento', language: 'pt_BR', parameters: ['cliente'] },
            { name: 'follow_up', language: 'en' },
          ],
          order_shipped: { name: 'shipped', language: 'en', parameters: ['#1', 'DHL'] },
        },
      },
    });
    agent = await mintKey(client.clientId, ['agent']);
    other = await mintKey(client.clientId, ['agent']);
    reader = await mintKey(client.clientId, ['conversations:read']);
  });
  after(async () => {
    await stack?.close();
  });

  it("when the 24-hour window is closed, then the agent lists the client's templates in the conversation's language and sends one with its parameters, while free text stays refused", async () => {
    const bare = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const bareAgent = await mintKey(bare.clientId, ['agent']);
    const w = endUser(stack, bare, '5511977700009');
    await w.says('hi', { timestamp: stale() });
    await w.waitForHandled(1);
    assert.equal((await api(bareAgent.apiKey, 'POST', `/v1/conversations/${w.ref}/takeover`)).status, 200);
    const refused = await api(bareAgent.apiKey, 'POST', `/v1/conversations/${w.ref}/messages`, {
      text: 'Hi?',
    });
    assert.equal(refused.json.error.details.reason, 'window_closed');
    const none = await api(bareAgent.apiKey, 'GET', `/v1/conversations/${w.ref}/templates`);
    assert.deepEqual(none.json.templates, [], 'a client without templates has nothing to pick');

    const u = endUser(stack, client, '5511977700001');
    await u.says('hi', { timestamp: stale() });
    await u.waitForHandled(1);
    assert.equal((await api(agent.apiKey, 'POST', `/v1/conversations/${u.ref}/takeover`)).status, 200);

    // Spanish has no template: the client's default (Portuguese) is offered, with its slot.
    await setContactLanguage(u.subjectHash, 'es');
    const listed = await api(agent.apiKey, 'GET', `/v1/conversations/${u.ref}/templates`);
    assert.equal(listed.status, 200);
    assert.equal(listed.json.language, 'es');
    assert.deepEqual(listed.json.templates, [
      pickerEntry('order_shipped', 'shipped', 'en', ['#1', 'DHL'], { parameterCount: 2 }),
      pickerEntry('handoff_update', 'seguimento', 'pt_BR', ['cliente'], { parameterCount: 1 }),
    ]);
    await setContactLanguage(u.subjectHash, 'en');
    const english = await api(agent.apiKey, 'GET', `/v1/conversations/${u.ref}/templates`);
    assert.deepEqual(english.json.templates[1], pickerEntry('handoff_update', 'follow_up', 'en', []));

    // No configured values: the agent's free fields go out as the body parameters.
    const sent = await api(agent.apiKey, 'POST', `/v1/conversations/${u.ref}/templates`, {
      purpose: 'handoff_update',
      parameters: ['Ana', 'order 1042'],
      clientMessageId: 'tpl-1',
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.json));
    assert.deepEqual(sent.json.template, {
      type: 'template',
      name: 'follow_up',
      language: 'en',
      parameters: ['Ana', 'order 1042'],
      purpose: 'handoff_update',
    });
    // The greeting and the joined notice were refused (closed window, no reopen template): only this went out.
    const [graphSent] = await u.waitForReplies(1);
    const template = graphSent!.body.template as {
      name: string;
      components: { parameters: { text: string }[] }[];
    };
    assert.equal(template.name, 'follow_up');
    assert.deepEqual(
      template.components[0]!.parameters.map((p) => p.text),
      ['Ana', 'order 1042'],
    );
    const read = await api(agent.apiKey, 'GET', `/v1/conversations/${u.ref}`);
    const recorded = read.json.messages.find((m: { sentBy: string }) => m.sentBy === `agent:${agent.keyId}`);
    assert.equal(recorded.type, 'template');
    assert.deepEqual(recorded.content.parameters, ['Ana', 'order 1042']);

    // Same id: sent once.
    const again = await api(agent.apiKey, 'POST', `/v1/conversations/${u.ref}/templates`, {
      purpose: 'handoff_update',
      parameters: ['Ana', 'order 1042'],
      clientMessageId: 'tpl-1',
    });
    assert.equal(again.status, 201);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(u.received().length, 1);

    // Opted out (recorded on the contact): the same send path refuses it.
    await stack.db.pool.query(
      'UPDATE contacts SET opted_out = true WHERE client_id = $1 AND subject_hash = $2',
      [client.clientId, u.subjectHash],
    );
    const optedOut = await api(agent.apiKey, 'POST', `/v1/conversations/${u.ref}/templates`, {
      purpose: 'order_shipped',
      parameters: ['#1042', 'DHL'],
    });
    assert.equal(optedOut.status, 409);
    assert.equal(optedOut.json.error.details.reason, 'opted_out');
  });

  it("when the client's templates are synced from Meta, then the picker shows the template's body and its named slots, skips one Meta disabled, the send names each parameter, and with every one blocked the send is refused with the reason", async () => {
    const wabaId = `8${Date.now()}`;
    const named = (language: string, text: string) => ({
      name: 'follow_named',
      language,
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'NAMED',
      components: [{ type: 'BODY', text }],
    });
    stack.graph.setTemplates(wabaId, [
      named('pt_BR', 'Olá {{first_name}}, sobre o pedido {{order_id}}: responda quando puder.'),
      named('en', 'Hi {{first_name}}, about order {{order_id}}: reply when you can, {{first_name}}.'),
    ]);
    const shop = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      wabaId,
      settings: { language: 'pt' },
    });
    assert.equal((await api(shop.apiKey, 'POST', '/v1/templates/sync')).status, 200);
    const patched = await api(shop.apiKey, 'PATCH', '/v1/settings', {
      templates: {
        handoff_update: [
          { name: 'follow_named', language: 'pt_BR', parameters: ['cliente', 'seu pedido'] },
          { name: 'follow_named', language: 'en', parameters: ['customer', 'your order'] },
        ],
      },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.equal(await stack.graph.changeStatus(wabaId, 'follow_named', 'pt_BR', 'DISABLED'), 200);
    const shopAgent = await mintKey(shop.clientId, ['agent']);
    const u = endUser(stack, shop, '5511977700031');
    await u.says('olá', { timestamp: stale() });
    await u.waitForHandled(1);
    assert.equal((await api(shopAgent.apiKey, 'POST', `/v1/conversations/${u.ref}/takeover`)).status, 200);

    // Portuguese is disabled at Meta: the picker offers the English one, as the send path would.
    const listed = await api(shopAgent.apiKey, 'GET', `/v1/conversations/${u.ref}/templates`);
    assert.deepEqual(listed.json.templates, [
      pickerEntry('handoff_update', 'follow_named', 'en', ['customer', 'your order'], {
        parameterCount: 2,
        parameterNames: ['first_name', 'order_id'],
        body: 'Hi {{first_name}}, about order {{order_id}}: reply when you can, {{first_name}}.',
      }),
    ]);
    const short = await api(shopAgent.apiKey, 'POST', `/v1/conversations/${u.ref}/templates`, {
      purpose: 'handoff_update',
      parameters: ['Ana'],
    });
    assert.equal(short.status, 400, "the synced template's two slots, not a free count");
    const sent = await api(shopAgent.apiKey, 'POST', `/v1/conversations/${u.ref}/templates`, {
      purpose: 'handoff_update',
      parameters: ['Ana', 'SB-1042'],
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.json));
    const [graphSent] = await u.waitForReplies(1);
    const template = graphSent!.body.template as { components: { type: string; parameters: unknown[] }[] };
    assert.deepEqual(template.components, [
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'first_name', text: 'Ana' },
          { type: 'text', parameter_name: 'order_id', text: 'SB-1042' },
        ],
      },
    ]);

    // Meta pauses the English one too: nothing to pick, and a send is refused with the reason.
    assert.equal(await stack.graph.changeStatus(wabaId, 'follow_named', 'en', 'PAUSED'), 200);
    const none = await api(shopAgent.apiKey, 'GET', `/v1/conversations/${u.ref}/templates`);
    assert.deepEqual(none.json.templates, []);
    const blocked = await api(shopAgent.apiKey, 'POST', `/v1/conversations/${u.ref}/templates`, {
      purpose: 'handoff_update',
      parameters: ['Ana', 'SB-1042'],
    });
    assert.equal(blocked.status, 409);
    assert.equal(
      blocked.json.error.details.reason,
      'template_disabled',
      "the preferred (Portuguese) one's reason",
    );
    assert.equal(u.received().length, 1, 'nothing more was sent');
  });

  it('when a template send is malformed, not configured, not the caller’s or another tenant’s, then 400 / 409 / 403 / 404 and nothing is sent', async () => {
    const u = endUser(stack, client, '5511977700002');
    await u.says('hi', { timestamp: stale() });
    await u.waitForHandled(1);
    const path = `/v1/conversations/${u.ref}/templates`;
    const before = () => u.received().length;
    const count = before();
    assert.equal(
      (await api(agent.apiKey, 'POST', path, { purpose: 'handoff_update' })).status,
      409,
      'nobody owns it yet',
    );
    assert.equal((await api(agent.apiKey, 'POST', `/v1/conversations/${u.ref}/takeover`)).status, 200);

    const wrongCount = await api(agent.apiKey, 'POST', path, {
      purpose: 'order_shipped',
      parameters: ['#1'],
    });
    assert.equal(wrongCount.status, 400);
    assert.match(wrongCount.json.error.message, /takes 2 parameters/);
    const unconfigured = await api(agent.apiKey, 'POST', path, { purpose: 'csat_survey' });
    assert.equal(unconfigured.status, 400);
    assert.match(unconfigured.json.error.message, /no csat_survey template/);
    const unknown = await api(agent.apiKey, 'POST', path, { purpose: 'anything' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /purpose/);
    const multiline = await api(agent.apiKey, 'POST', path, {
      purpose: 'order_shipped',
      parameters: ['#1\nsecond line', 'DHL'],
    });
    assert.equal(multiline.status, 400);
    assert.match(multiline.json.error.message, /one line/);
    const extra = await api(agent.apiKey, 'POST', path, { purpose: 'order_shipped', name: 'x' });
    assert.equal(extra.status, 400);

    const notMine = await api(other.apiKey, 'POST', path, {
      purpose: 'order_shipped',
      parameters: ['#1', 'DHL'],
    });
    assert.equal(notMine.status, 409);
    assert.equal(notMine.json.error.details.owner, `agent:${agent.keyId}`);
    assert.equal((await api(reader.apiKey, 'GET', path)).status, 403);
    assert.equal((await api(reader.apiKey, 'POST', path, { purpose: 'order_shipped' })).status, 403);
    const stranger = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const strangerAgent = await mintKey(stranger.clientId, ['agent']);
    assert.equal((await api(strangerAgent.apiKey, 'GET', path)).status, 404);
    assert.equal(
      (await api(strangerAgent.apiKey, 'POST', path, { purpose: 'order_shipped', parameters: ['#1', 'DHL'] }))
        .status,
      404,
    );
    assert.equal((await api(agent.apiKey, 'GET', '/v1/conversations/cv_garbage/templates')).status, 404);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(u.received().length, count, 'nothing was sent');
  });

  it('when an agent sets itself away and back, then its availability reads back, per key and per client; bad input is a 400', async () => {
    const me = await api(agent.apiKey, 'GET', '/v1/agents/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.json, {
      availability: { status: 'available', since: null },
      handoff: { slaMinutes: 15 },
    });
    const away = await api(agent.apiKey, 'PUT', '/v1/agents/me/availability', { status: 'away' });
    assert.equal(away.status, 200);
    assert.equal(away.json.status, 'away');
    assert.ok(away.json.since);
    assert.equal((await api(agent.apiKey, 'GET', '/v1/agents/me')).json.availability.status, 'away');
    assert.equal((await api(other.apiKey, 'GET', '/v1/agents/me')).json.availability.status, 'available');
    const back = await api(agent.apiKey, 'PUT', '/v1/agents/me/availability', { status: 'available' });
    assert.equal(back.json.status, 'available');

    const bad = await api(agent.apiKey, 'PUT', '/v1/agents/me/availability', { status: 'asleep' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /status/);
    assert.equal((await api(agent.apiKey, 'PUT', '/v1/agents/me/availability', {})).status, 400);
    assert.equal((await api(reader.apiKey, 'GET', '/v1/agents/me')).status, 403);
    assert.equal(
      (await api(reader.apiKey, 'PUT', '/v1/agents/me/availability', { status: 'away' })).status,
      403,
    );
    const { rows } = await stack.db.pool.query('SELECT key_id, client_id, status FROM agent_availability');
    assert.deepEqual(rows, [{ key_id: agent.keyId, client_id: client.clientId, status: 'available' }]);
  });
});
