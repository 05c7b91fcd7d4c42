import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, type Stack } from '../support/stack';
import { provisionTestClient, waitUntil } from '../support/whatsapp';
import { endUser, type TestClient } from '../conversation/helpers';

interface Entry {
  id: string;
  language: string;
  examples: string[];
  answer: { text: string; buttons?: string[]; link?: { url: string } };
}

const HOURS = {
  language: 'en',
  examples: ['what are your opening hours?', 'when are you open?'],
  answer: { text: 'We are open Mon–Sat, 9:00–19:00.' },
};

describe('bot content over the API: FAQ entries, texts, teaching from the no-match review', () => {
  let stack: Stack;
  let n = 0;
  const waId = () => `55119666${String((n += 1)).padStart(5, '0')}`;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  const call = async (key: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
  const audits = async (clientId: string) =>
    (
      await stack.db.pool.query<{ resource: string }>(
        "SELECT resource FROM audit_log WHERE client_id = $1 AND action = 'bot.update' ORDER BY id",
        [clientId],
      )
    ).rows.map((r) => r.resource);

  it('when a client adds, reads, edits and deletes an FAQ entry, then each answer says so and each change is audited', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const created = await call(client.apiKey, 'POST', '/v1/bot/faq', HOURS);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const entry = created.body as unknown as Entry;
    assert.match(entry.id, /^faq_/);
    assert.deepEqual(entry.examples, HOURS.examples);
    const list = await call(client.apiKey, 'GET', '/v1/bot/faq?language=en');
    assert.deepEqual(
      (list.body.entries as Entry[]).map((e) => e.id),
      [entry.id],
    );
    assert.deepEqual((await call(client.apiKey, 'GET', '/v1/bot/faq?language=es')).body.entries, []);

    const edited = await call(client.apiKey, 'PUT', `/v1/bot/faq/${entry.id}`, {
      examples: [...HOURS.examples, 'are you open on sunday?'],
      answer: { text: 'Open every day.', link: { url: 'https://shop.example/hours', label: 'Hours' } },
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(
      ((await call(client.apiKey, 'GET', `/v1/bot/faq/${entry.id}`)).body.examples as string[]).length,
      3,
    );
    assert.equal(
      ((await call(client.apiKey, 'GET', `/v1/bot/faq/${entry.id}`)).body.answer as Entry['answer']).text,
      'Open every day.',
    );
    assert.equal((await call(client.apiKey, 'DELETE', `/v1/bot/faq/${entry.id}`)).status, 204);
    assert.equal((await call(client.apiKey, 'GET', `/v1/bot/faq/${entry.id}`)).status, 404);
    assert.deepEqual(await audits(client.clientId), Array(3).fill(`bot_faq:${entry.id}`));
  });

  it('when an entry is malformed, then the answer is a 400 naming the field, and nothing is stored', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    for (const [body, field] of [
      [{ ...HOURS, language: 'fr' }, 'language'],
      [{ ...HOURS, examples: [] }, 'examples'],
      [{ ...HOURS, answer: { text: '' } }, 'answer.text'],
      [{ ...HOURS, answer: { text: 'x', buttons: ['a', 'b', 'c', 'd'] } }, 'answer.buttons'],
      [{ ...HOURS, answer: { text: 'x', buttons: ['a title longer than twenty'] } }, 'answer.buttons.0'],
      [{ ...HOURS, answer: { text: 'x', link: { url: 'javascript:alert(1)' } } }, 'answer.link.url'],
      [{ ...HOURS, answer: { text: 'x', buttons: ['a'], link: { url: 'https://a.example' } } }, 'answer'],
      [{ ...HOURS, extra: 1 }, 'extra'],
    ] as const) {
      const res = await call(client.apiKey, 'POST', '/v1/bot/faq', body);
      assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
      const fields = (res.body.error as { details: { fields: { field: string }[] } }).details.fields;
      assert.ok(
        fields.some((f) => f.field === field),
        `${field} named in ${JSON.stringify(fields)}`,
      );
    }
    assert.equal((await call(client.apiKey, 'PUT', '/v1/bot/faq/not-an-id', HOURS)).status, 400);
    assert.deepEqual((await call(client.apiKey, 'GET', '/v1/bot/faq')).body.entries, []);
  });

  it("when another client or a key without the settings scope asks, then it cannot see or change the client's entries", async () => {
    const owner = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const other = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const { id } = (await call(owner.apiKey, 'POST', '/v1/bot/faq', HOURS)).body as unknown as Entry;
    assert.deepEqual((await call(other.apiKey, 'GET', '/v1/bot/faq')).body.entries, []);
    assert.equal((await call(other.apiKey, 'GET', `/v1/bot/faq/${id}`)).status, 404);
    assert.equal(
      (await call(other.apiKey, 'PUT', `/v1/bot/faq/${id}`, { examples: ['x y'], answer: { text: 'x' } }))
        .status,
      404,
    );
    assert.equal((await call(other.apiKey, 'DELETE', `/v1/bot/faq/${id}`)).status, 404);
    const minted = await call(TEST_ADMIN_TOKEN, 'POST', `/admin/v1/clients/${owner.clientId}/keys`, {
      scopes: ['agent'],
    });
    const agentKey = minted.body.apiKey as string;
    assert.equal((await call(agentKey, 'GET', '/v1/bot/faq')).status, 403);
    assert.equal((await call(agentKey, 'POST', '/v1/bot/faq', HOURS)).status, 403);
    assert.equal(
      ((await call(owner.apiKey, 'GET', `/v1/bot/faq/${id}`)).body.answer as Entry['answer']).text,
      HOURS.answer.text,
    );
  });

  it('when a client sets greeting texts for a language, then they are stored and unknown keys are a 400', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const put = await call(client.apiKey, 'PUT', '/v1/bot/texts/es', { greeting: '¡Hola! Somos la Tienda.' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual((await call(client.apiKey, 'GET', '/v1/bot/texts')).body.texts, {
      es: { greeting: '¡Hola! Somos la Tienda.' },
    });
    assert.equal((await call(client.apiKey, 'PUT', '/v1/bot/texts/es', { farewell: 'x' })).status, 400);
    assert.equal((await call(client.apiKey, 'PUT', '/v1/bot/texts/fr', { greeting: 'x' })).status, 400);
  });

  it('when a no-match utterance is taught, then it becomes an example of the entry (or a new entry) and leaves the review', async () => {
    const client: TestClient = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN, {
      settings: { insights: { reviewNoMatch: true } },
    });
    const { id: entryId } = (await call(client.apiKey, 'POST', '/v1/bot/faq', HOURS))
      .body as unknown as Entry;
    const u = endUser(stack, client, waId());
    await u.says('purple elephants dancing');
    await u.says('turquoise llamas singing');
    const review = async () =>
      ((await call(client.apiKey, 'GET', '/v1/insights/no-match')).body.items as {
        id: string;
        text: string;
      }[]) ?? [];
    await waitUntil(async () => (await review()).length === 2, 20_000, 'two utterances kept');
    const [second, first] = await review();

    const taught = await call(client.apiKey, 'POST', `/v1/insights/no-match/${first!.id}/teach`, { entryId });
    assert.equal(taught.status, 200, JSON.stringify(taught.body));
    assert.deepEqual((taught.body as unknown as Entry).examples, [
      ...HOURS.examples,
      'purple elephants dancing',
    ]);
    const made = await call(client.apiKey, 'POST', `/v1/insights/no-match/${second!.id}/teach`, {
      answer: { text: 'Our llamas sing on Fridays.' },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.deepEqual((made.body as unknown as Entry).examples, ['turquoise llamas singing']);
    assert.equal((made.body as unknown as Entry).language, 'en');
    assert.deepEqual(await review(), []);
    assert.equal(
      (await call(client.apiKey, 'POST', `/v1/insights/no-match/${first!.id}/teach`, { entryId })).status,
      404,
    );
  });
});
