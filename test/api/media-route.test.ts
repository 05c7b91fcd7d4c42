import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { findMedia } from '../../db/media';
import { createLocalMediaStore, type MediaStore } from '../../media/store';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { notification } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import {
  postWebhook,
  provisionTestClient,
  storedWamid,
  waitUntil,
  wamid,
  mintKey as mintAdminKey,
} from '../support/whatsapp';
import { endUser, type TestClient } from '../conversation/helpers';

/** The local store, remembering every read stream it opened (to see a disconnect stop the read). */
function trackedStore(): { store: MediaStore; reads: Readable[]; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'aura-media-route-'));
  const inner = createLocalMediaStore(dir);
  const reads: Readable[] = [];
  return {
    dir,
    reads,
    store: {
      ...inner,
      async read(key) {
        const stream = await inner.read(key);
        if (stream) reads.push(stream);
        return stream;
      },
    },
  };
}

describe('media both ways: the agent media route', () => {
  let stack: Stack;
  let tracked: ReturnType<typeof trackedStore>;
  let client: TestClient;
  let agent: string;
  let reader: string;
  let otherAgent: string;

  const mintKey = async (clientId: string, scopes: string[]) =>
    (await mintAdminKey(stack.apiUrl, clientId, scopes)).apiKey;
  const get = (key: string, p: string, signal?: AbortSignal) =>
    fetch(`${stack.apiUrl}${p}`, { headers: { authorization: `Bearer ${key}` }, signal });
  // The tests read response shapes field by field; the API's own types are what is under test.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const transcript = async (ref: string): Promise<any[]> =>
    ((await (await get(agent, `/v1/conversations/${ref}`)).json()) as { messages: unknown[] }).messages;
  const auditCount = async (action: string) =>
    Number(
      (
        await stack.db.pool.query(
          'SELECT count(*) AS n FROM audit_log WHERE client_id = $1 AND action = $2',
          [client.clientId, action],
        )
      ).rows[0].n,
    );

  /** One webhook POST with these media messages from `user`; resolves once every file is stored. */
  async function customerSends(user: string, items: { type: string; object: Record<string, unknown> }[]) {
    const ids = items.map(() => wamid(user));
    const t = Math.floor(Date.now() / 1000);
    const res = await postWebhook(
      stack.apiUrl,
      notification(client.phoneNumberId, {
        contacts: [{ wa_id: user, profile: { name: 'Ana' } }],
        messages: items.map((m, i) => ({
          from: user,
          id: ids[i],
          timestamp: String(t),
          type: m.type,
          [m.type]: m.object,
        })),
      }),
    );
    assert.equal(res.status, 200);
    // Rows name each message by the hash of its wamid.
    const stored = ids.map((id) => storedWamid(stack.config.masterKey, client.clientId, id!));
    for (const id of stored)
      await waitUntil(() => findMedia(stack.db.pool, client.clientId, id), 30_000, 'media row');
    return stored;
  }

  before(async () => {
    tracked = trackedStore();
    stack = await startStack({ media: tracked.store });
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    agent = await mintKey(client.clientId, ['agent']);
    reader = await mintKey(client.clientId, ['conversations:read']);
    otherAgent = await mintKey((await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN)).clientId, [
      'agent',
    ]);
  });
  after(async () => {
    await stack?.close();
    rmSync(tracked.dir, { recursive: true, force: true });
  });

  it('when a customer sends a photo, a voice note and a PDF, then the transcript describes each and the agent gets each file byte for byte, audited once per read', async () => {
    const photo = randomBytes(300_000);
    const voice = Buffer.from('OggS\u0000voice-note');
    const pdf = Buffer.from('%PDF-1.7 the invoice');
    const fileName = 'Relatório "final"\r\nX-Injected: 1.pdf';
    const user = '5511900000601';
    await customerSends(user, [
      { type: 'image', object: { id: stack.graph.addMedia(photo, 'image/jpeg'), mime_type: 'image/jpeg' } },
      { type: 'audio', object: { id: stack.graph.addMedia(voice, 'audio/ogg; codecs=opus'), voice: true } },
      { type: 'document', object: { id: stack.graph.addMedia(pdf, 'application/pdf'), filename: fileName } },
    ]);
    const u = endUser(stack, client, user);
    const withMedia = (await transcript(u.ref)).filter((m) => m.media);
    assert.deepEqual(
      withMedia.map((m) => [m.media.kind, m.media.status, m.media.size, m.media.voice, m.media.fileName]),
      [
        ['image', 'stored', photo.length, undefined, undefined],
        ['audio', 'stored', voice.length, true, undefined],
        ['document', 'stored', pdf.length, undefined, fileName],
      ],
    );
    const before = await auditCount('media.read');
    for (const [i, bytes] of [photo, voice, pdf].entries()) {
      const res = await get(agent, `/v1/conversations/${u.ref}/media/${withMedia[i].media.mediaId}`);
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('content-type'), withMedia[i].media.mimeType);
    }
    assert.equal(await auditCount('media.read'), before + 3, 'one audit record per read');
    const pdfRes = await get(agent, `/v1/conversations/${u.ref}/media/${withMedia[2].media.mediaId}`);
    const disposition = pdfRes.headers.get('content-disposition')!;
    assert.match(
      disposition,
      /^attachment; filename="Relat\?rio \\"final\\"X-Injected: 1\.pdf"; filename\*=UTF-8''Relat%C3%B3rio/,
    );
    assert.ok(
      !/[\r\n]/.test(disposition) && pdfRes.headers.get('x-injected') === null,
      'no header injection',
    );
    await pdfRes.arrayBuffer();
  });

  it('when another client, a key without the agent scope or an unknown id asks for a file, then 404, 403 and 404, and nothing is audited', async () => {
    const user = '5511900000602';
    await customerSends(user, [
      { type: 'image', object: { id: stack.graph.addMedia(Buffer.from('img'), 'image/png') } },
    ]);
    const u = endUser(stack, client, user);
    const mediaId = (await transcript(u.ref)).find((m) => m.media).media.mediaId as string;
    const before = await auditCount('media.read');
    assert.equal((await get(otherAgent, `/v1/conversations/${u.ref}/media/${mediaId}`)).status, 404);
    assert.equal((await get(reader, `/v1/conversations/${u.ref}/media/${mediaId}`)).status, 403);
    assert.equal((await get(agent, `/v1/conversations/${u.ref}/media/123456`)).status, 404);
    assert.equal((await get(agent, `/v1/conversations/${u.ref}/media/bad%0aid`)).status, 400);
    assert.equal(await auditCount('media.read'), before);
  });

  it('when an agent stops reading a large file, then the server stops reading it from the store', async () => {
    const user = '5511900000603';
    const big = randomBytes(24 * 1024 * 1024);
    await customerSends(user, [{ type: 'video', object: { id: stack.graph.addMedia(big, 'video/mp4') } }]);
    const u = endUser(stack, client, user);
    const mediaId = (await transcript(u.ref)).find((m) => m.media).media.mediaId as string;
    const abort = new AbortController();
    const res = await get(agent, `/v1/conversations/${u.ref}/media/${mediaId}`, abort.signal);
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    const read = tracked.reads.at(-1)! as Readable & { bytesRead: number };
    await waitUntil(async () => read.destroyed, 10_000, 'the store read to stop');
    assert.ok(read.bytesRead < big.length, `read ${read.bytesRead} of ${big.length} bytes`);
  });

  it('when Graph names a download host that is not Meta’s, then the token is never sent and the file is recorded as failed', async () => {
    const seen: (string | undefined)[] = [];
    const elsewhere: Server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('x');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    stack.graph.setMediaOrigin(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`);
    try {
      const [id] = await customerSends('5511900000604', [
        { type: 'image', object: { id: stack.graph.addMedia(Buffer.from('img'), 'image/png') } },
      ]);
      const row = await findMedia(stack.db.pool, client.clientId, id!);
      assert.deepEqual([row?.status, row?.failure], ['failed', 'untrusted_host']);
      assert.deepEqual(seen, [], 'nothing, and no token, reached the other host');
    } finally {
      stack.graph.setMediaOrigin(undefined);
      elsewhere.close();
    }
  });
});

describe('media both ways: agents send files', () => {
  let stack: Stack;
  let client: TestClient;
  let agent: string;

  const upload = async (
    ref: string,
    parts: { file?: Blob; name?: string; fields?: Record<string, string> },
  ) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(parts.fields ?? {})) form.append(k, v);
    if (parts.file) form.append('file', parts.file, parts.name ?? 'file');
    const res = await fetch(`${stack.apiUrl}/v1/conversations/${ref}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent}` },
      body: form,
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, json: (await res.json()) as any };
  };
  const mediaRows = async () =>
    Number(
      (await stack.db.pool.query('SELECT count(*) AS n FROM media WHERE client_id = $1', [client.clientId]))
        .rows[0].n,
    );

  before(async () => {
    stack = await startStack();
    client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const res = await fetch(`${stack.apiUrl}/admin/v1/clients/${client.clientId}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['agent'] }),
    });
    agent = ((await res.json()) as { apiKey: string }).apiKey;
  });
  after(async () => {
    await stack?.close();
  });

  async function agentOwns(user: string) {
    const u = endUser(stack, client, user);
    await u.says('hello');
    await u.waitForReplies(1);
    const res = await fetch(`${stack.apiUrl}/v1/conversations/${u.ref}/takeover`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent}` },
    });
    assert.equal(res.status, 200);
    return u;
  }

  it('when an agent sends an image and a document, then Meta gets an upload and a send by its id, once per clientMessageId, and the transcript shows both', async () => {
    const u = await agentOwns('5511900000701');
    const png = Buffer.concat([Buffer.from('\u0089PNG\r\n'), randomBytes(2000)]);
    const first = await upload(u.ref, {
      file: new Blob([png], { type: 'image/png' }),
      name: 'mug.png',
      fields: { caption: 'Your new mug', clientMessageId: 'photo-1' },
    });
    assert.equal(first.status, 201, JSON.stringify(first.json));
    const again = await upload(u.ref, {
      file: new Blob([png], { type: 'image/png' }),
      fields: { caption: 'Your new mug', clientMessageId: 'photo-1' },
    });
    assert.equal(again.status, 201);
    assert.equal(again.json.mediaId, first.json.mediaId);
    assert.equal(stack.graph.uploads.length, 1, 'uploaded once');
    assert.deepEqual(stack.graph.uploads[0]!.bytes, png);
    assert.equal(stack.graph.uploads[0]!.type, 'image/png');
    const images = u.received().filter((m) => m.body.type === 'image');
    assert.deepEqual(
      images.map((m) => m.body.image),
      [{ id: stack.graph.uploads[0]!.id, caption: 'Your new mug' }],
    );

    const pdf = Buffer.from('%PDF-1.7 replacement label');
    const doc = await upload(u.ref, {
      fields: { clientMessageId: 'label-1' },
      file: new Blob([pdf], { type: 'application/pdf' }),
      name: 'Etiqueta nº 12.pdf',
    });
    assert.equal(doc.status, 201);
    const sentDoc = u.received().find((m) => m.body.type === 'document')!.body.document as Record<
      string,
      unknown
    >;
    assert.equal(sentDoc.filename, 'Etiqueta nº 12.pdf');
    assert.equal(sentDoc.id, stack.graph.uploads[1]!.id);

    const res = await fetch(`${stack.apiUrl}/v1/conversations/${u.ref}`, {
      headers: { authorization: `Bearer ${agent}` },
    });
    const messages = (
      (await res.json()) as { messages: { direction: string; media?: Record<string, unknown> }[] }
    ).messages;
    const out = messages.filter((m) => m.direction === 'out' && m.media).map((m) => m.media!);
    assert.deepEqual(
      out.map((m) => [m.kind, m.status, m.size, m.fileName ?? null]),
      [
        ['image', 'stored', png.length, null],
        ['document', 'stored', pdf.length, 'Etiqueta nº 12.pdf'],
      ],
    );
    const served = await fetch(`${stack.apiUrl}/v1/conversations/${u.ref}/media/${first.json.mediaId}`, {
      headers: { authorization: `Bearer ${agent}` },
    });
    assert.deepEqual(
      Buffer.from(await served.arrayBuffer()),
      png,
      'the kept sealed copy serves the transcript',
    );
  });

  it('when a file is of a type or size WhatsApp refuses, or the form is wrong, then a 4xx names why and nothing is kept', async () => {
    const u = await agentOwns('5511900000702');
    const rows = await mediaRows();
    const uploads = stack.graph.uploads.length;
    const gif = await upload(u.ref, { file: new Blob([Buffer.from('GIF89a')], { type: 'image/gif' }) });
    assert.equal(gif.status, 415);
    assert.equal(gif.json.error.code, 'unsupported_media_type');
    const big = await upload(u.ref, {
      file: new Blob([Buffer.alloc(5 * 1024 * 1024 + 1)], { type: 'image/jpeg' }),
    });
    assert.equal(big.status, 413);
    assert.equal((await upload(u.ref, { fields: { caption: 'no file' } })).status, 400);
    const badField = await upload(u.ref, {
      file: new Blob([Buffer.from('%PDF')], { type: 'application/pdf' }),
      fields: { clientMessageId: 'not an id!' },
    });
    assert.equal(badField.status, 400);
    const json = await fetch(`${stack.apiUrl}/v1/conversations/${u.ref}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(json.status, 400);
    const notMine = endUser(stack, client, '5511900000703');
    await notMine.says('hello');
    await notMine.waitForReplies(1);
    const refused = await upload(notMine.ref, {
      file: new Blob([Buffer.from('%PDF')], { type: 'application/pdf' }),
    });
    assert.equal(refused.status, 409, 'the bot owns that conversation');
    assert.equal(await mediaRows(), rows, 'no media row');
    assert.equal(stack.graph.uploads.length, uploads, 'nothing reached Meta');
  });
});
