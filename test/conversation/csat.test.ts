import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setOptOut } from '../../db/contacts';
import { launchChromium, openConsole } from '../support/browser';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import {
  postWebhook,
  provisionTestClient,
  textNotification,
  waitUntil,
  wamid,
  mintKey as mintAdminKey,
} from '../support/whatsapp';
import { bodyOf, endUser, type TestClient } from './helpers';

type Rows = { rows: { id: string; title: string }[] }[];

describe('conversation engine: satisfaction survey after a handoff', () => {
  let stack: Stack;

  const mintAgent = (clientId: string, scopes = ['agent']) => mintAdminKey(stack.apiUrl, clientId, scopes);
  const api = async (key: string, method: string, path: string) => {
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}` },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, json: (await res.json()) as any };
  };
  /** A customer handed to an agent who resolves the handoff; `beforeResolve` runs while the agent owns it. */
  const resolvedHandoff = async (
    client: TestClient,
    waId: string,
    text: string,
    beforeResolve?: (u: ReturnType<typeof endUser>) => Promise<void>,
  ) => {
    const agent = await mintAgent(client.clientId);
    const u = endUser(stack, client, waId);
    await u.says(text);
    await u.waitForMode('queued');
    assert.equal((await api(agent.apiKey, 'POST', `/v1/conversations/${u.ref}/assign`)).status, 200);
    await beforeResolve?.(u);
    assert.equal((await api(agent.apiKey, 'POST', `/v1/conversations/${u.ref}/resolve`)).status, 200);
    return { u, agent };
  };
  /** The customer's tap on a list row, as Meta's webhook delivers it. */
  const tap = (client: TestClient, waId: string, id: string, rowId: string) => {
    const body = textNotification({ phoneNumberId: client.phoneNumberId, waId, text: '', id });
    const value = (body.entry as { changes: { value: { messages: Record<string, unknown>[] } }[] }[])[0]!
      .changes[0]!.value;
    const message = value.messages[0]!;
    delete message.text;
    message.type = 'interactive';
    message.interactive = { type: 'list_reply', list_reply: { id: rowId, title: rowId } };
    return postWebhook(stack.apiUrl, body);
  };
  const isSurvey = (m: { body: Record<string, unknown> }) =>
    (m.body.interactive as { type?: string } | undefined)?.type === 'list' &&
    bodyOf(m as never).length > 0 &&
    JSON.stringify(m.body).includes('csat:');

  /** Signs in to the console with a `settings` key and reads the Insights tab's figures. */
  const insightsTabShows = async (client: TestClient, metrics: string[]) => {
    const { apiKey } = await mintAgent(client.clientId, ['agent', 'settings']);
    const browser = await launchChromium();
    try {
      const page = await openConsole(browser, stack.apiUrl, apiKey);
      await page.click('#tabs button[data-tab=insights]');
      await page.waitForSelector('#insights-body .metric', { timeout: 30_000 });
      const shown = await page.locator('#insights-body .metric').allInnerTexts();
      for (const m of metrics)
        assert.ok(shown.map((x) => x.replace(/\s+/g, ' ')).includes(m), `${m} in ${shown.join(' | ')}`);
    } finally {
      await browser.close();
    }
  };

  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  it('when an agent resolves a handoff with the survey on, then the customer gets a 1–5 list in their language, the tap counts once and shows in insights', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { csat: { enabled: true } },
    });
    const { u, agent } = await resolvedHandoff(
      client,
      '5511977700001',
      'Olá, quero falar com um atendente, por favor',
    );
    const sent = await u.waitForReplies(4);
    const survey = sent.find(isSurvey);
    assert.ok(survey, 'the survey was sent');
    assert.match(bodyOf(survey), /Escolha uma nota de 1 a 5/);
    const action = (survey.body.interactive as { action: { sections: Rows } }).action;
    assert.deepEqual(
      action.sections[0]!.rows.map((r) => r.id),
      ['csat:1', 'csat:2', 'csat:3', 'csat:4', 'csat:5'],
    );

    const id = wamid();
    assert.equal((await tap(client, '5511977700001', id, 'csat:4')).status, 200);
    assert.equal((await tap(client, '5511977700001', id, 'csat:4')).status, 200, 'redelivered');
    assert.equal((await tap(client, '5511977700001', wamid(), 'csat:1')).status, 200, 'a second tap');
    await u.waitForHandled(3);
    const thanks = (await u.waitForReplies(6)).slice(4).map(bodyOf);
    assert.deepEqual(thanks, Array(2).fill('Obrigado pela sua avaliação! Ela nos ajuda a melhorar.'));

    const { rows } = await stack.db.pool.query(
      "SELECT dims, event_key FROM insight_events WHERE client_id = $1 AND kind = 'csat_rating'",
      [client.clientId],
    );
    assert.equal(rows.length, 1, 'recorded once');
    const agentKey = `agent:${agent.keyId}`;
    assert.deepEqual(rows[0].dims, { score: '4', agent: agentKey });
    assert.doesNotMatch(rows[0].event_key, /wamid|5511977700001/);

    const insights = await api(client.apiKey, 'GET', '/v1/insights');
    assert.equal(insights.status, 200);
    const figures = { count: 1, average: 4, distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 } };
    assert.deepEqual(
      { ...insights.json.csat, byAgent: undefined, byWeek: undefined },
      {
        ...figures,
        byAgent: undefined,
        byWeek: undefined,
      },
    );
    assert.deepEqual(insights.json.csat.byAgent, { [agentKey]: figures });
    assert.deepEqual(Object.values(insights.json.csat.byWeek), [figures]);
    await insightsTabShows(client, ['1 satisfaction ratings', '4 average satisfaction (1–5)']);
  });

  it('when the survey setting is off (the default), then a resolved handoff gets no question', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const { u } = await resolvedHandoff(client, '5511977700002', 'I want to talk to a human');
    await u.waitForReplies(3);
    await u.says('thanks');
    await u.waitForReplies(4);
    assert.equal(u.received().filter(isSurvey).length, 0);
  });

  it('when the customer opted out while an agent had the conversation, then the resolve sends no question', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { csat: { enabled: true } },
    });
    const { u } = await resolvedHandoff(client, '5511977700003', 'I want to talk to a human', (user) =>
      setOptOut(stack.db.pool, {
        clientId: client.clientId,
        subjectHash: user.subjectHash,
        optedOut: true,
        source: 'test',
      }).then(() => undefined),
    );
    await waitUntil(async () => (await u.view()).mode === 'bot' || undefined);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(u.received().length, 2, 'only the queue and join notices, sent before the opt-out');
    assert.equal(u.received().filter(isSurvey).length, 0);
  });
});
