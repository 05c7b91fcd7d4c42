import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { defaultPayloadConverter } from '@temporalio/common';
import { errorMiddleware } from '../../api/errors';
import { codecRouter } from '../../api/routes/codec';
import { securityHeaders } from '../../api/context';
import { createServer } from '../../api/server';
import { ConfigError } from '../../config';
import { LocalKms } from '../../crypto/kms';
import { SubjectVault } from '../../crypto/vault';
import { payloadCodec, tlsOptions } from '../../temporal/connection';
import { rotateKeysCli } from '../support/admin-cli';
import { createTestDatabase, TEST_ADMIN_TOKEN, testConfig } from '../support/env';

const listen = async (app: express.Express) => {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

describe('in transit and key management: codec server, CORS, HTTPS, Temporal TLS, rotation', () => {
  const config = testConfig();
  const codec = payloadCodec(config);
  let codecUrl: string;
  let close: () => void;
  before(async () => {
    const app = express();
    app.use(securityHeaders);
    app.use(
      codecRouter({
        codec,
        adminToken: TEST_ADMIN_TOKEN,
        sessionKey: randomBytes(32),
        corsOrigins: config.codecCorsOrigins,
      }),
    );
    app.use(errorMiddleware);
    const { server, url } = await listen(app);
    codecUrl = url;
    close = () => server.close();
  });
  after(() => close?.());

  const encoded = async () => {
    const [p] = await codec.encode([defaultPayloadConverter.toPayload({ text: 'secret words' })]);
    return {
      metadata: Object.fromEntries(
        Object.entries(p!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(p!.data!).toString('base64'),
    };
  };
  const decode = (headers: Record<string, string>, payloads: unknown[]) =>
    fetch(`${codecUrl}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify({ payloads }),
    });

  it('when the codec endpoint is called with the operator token, then it decodes; without or with a wrong one, 401 and nothing decoded', async () => {
    const payload = await encoded();
    const denied = await decode({}, [payload]);
    assert.equal(denied.status, 401);
    assert.ok(!(await denied.text()).includes(Buffer.from('secret words').toString('base64')));
    assert.equal(
      (await decode({ authorization: 'Bearer not-the-operator-token-xxxx' }, [payload])).status,
      401,
    );
    const ok = await decode({ authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, [payload]);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { payloads: { data: string }[] };
    assert.equal(JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString()).text, 'secret words');

    const roundTrip = await fetch(`${codecUrl}/codec/encode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: JSON.stringify(body),
    });
    const reEncoded = (await roundTrip.json()) as { payloads: { data: string }[] };
    assert.ok(!Buffer.from(reEncoded.payloads[0]!.data, 'base64').includes('secret words'));
    assert.equal(
      (await decode({ authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, [{ data: '%%' }])).status,
      400,
    );
  });

  it('when the Temporal UI origin sends a preflight, then CORS allows its headers; other origins get no CORS grant', async () => {
    const preflight = await fetch(`${codecUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:8233',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-namespace,authorization,content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:8233');
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    assert.match(
      preflight.headers.get('access-control-allow-headers') ?? '',
      /X-Namespace.*Authorization.*Content-Type/,
    );
    const evil = await fetch(`${codecUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });

  it('when an operator signs in, then the browser session cookie decodes for the UI; a forged cookie does not', async () => {
    const bad = await fetch(`${codecUrl}/codec/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=wrong',
    });
    assert.equal(bad.status, 401);
    const login = await fetch(`${codecUrl}/codec/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(TEST_ADMIN_TOKEN)}`,
    });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly/i);
    assert.equal((await decode({ cookie }, [await encoded()])).status, 200);
    const forged = `aura_codec=${Date.now() + 1e9}.${'0'.repeat(64)}`;
    assert.equal((await decode({ cookie: forged }, [await encoded()])).status, 401);
  });

  it('when TLS files or an API key are configured for Temporal, then the connection options carry them', () => {
    assert.equal(tlsOptions(testConfig()), undefined);
    assert.equal(tlsOptions(testConfig({ TEMPORAL_API_KEY: 'cloud-key' })), true);
    const dir = mkdtempSync(path.join(tmpdir(), 'aura-tls-'));
    for (const f of ['ca.pem', 'crt.pem', 'key.pem']) writeFileSync(path.join(dir, f), `${f} contents`);
    const mtls = tlsOptions(
      testConfig({
        TEMPORAL_TLS_CA_PATH: path.join(dir, 'ca.pem'),
        TEMPORAL_TLS_CERT_PATH: path.join(dir, 'crt.pem'),
        TEMPORAL_TLS_KEY_PATH: path.join(dir, 'key.pem'),
      }),
    ) as { serverRootCACertificate: Buffer; clientCertPair: { crt: Buffer; key: Buffer } };
    assert.equal(mtls.serverRootCACertificate.toString(), 'ca.pem contents');
    assert.equal(mtls.clientCertPair.crt.toString(), 'crt.pem contents');
    assert.equal(mtls.clientCertPair.key.toString(), 'key.pem contents');
  });

  it('when a certificate is configured, then the API serves HTTPS (TLS 1.2+) with the security headers', async (t) => {
    if (spawnSync('openssl', ['version']).status !== 0) return t.skip('openssl is not installed');
    const dir = mkdtempSync(path.join(tmpdir(), 'aura-https-'));
    const [certPath, keyPath] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'ignore' },
    );
    assert.throws(() => testConfig({ TLS_CERT_PATH: certPath }), ConfigError);
    const cfg = testConfig({ TLS_CERT_PATH: certPath, TLS_KEY_PATH: keyPath });
    const app = express();
    app.use(securityHeaders);
    app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    const server = createServer(cfg, app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { status, protocol, headers } = await new Promise<{
        status: number;
        protocol: string;
        headers: Record<string, unknown>;
      }>((resolve, reject) => {
        const req = https.get(
          {
            host: '127.0.0.1',
            port: (server.address() as AddressInfo).port,
            path: '/healthz',
            rejectUnauthorized: false,
          },
          (res) => {
            const tls = res.socket as unknown as { getProtocol(): string };
            resolve({ status: res.statusCode ?? 0, protocol: tls.getProtocol(), headers: res.headers });
            res.resume();
          },
        );
        req.on('error', reject);
      });
      assert.equal(status, 200);
      assert.match(protocol, /^TLSv1\.[23]$/);
      assert.equal(headers['x-content-type-options'], 'nosniff');
    } finally {
      server.close();
    }
  });

  it('when the master key rotates while data exists, then `npm run admin -- rotate-keys` re-wraps every data key and the old key is no longer needed', async () => {
    const db = await createTestDatabase();
    try {
      const oldMaster = randomBytes(32);
      const newMaster = randomBytes(32);
      await db.pool.query(`INSERT INTO clients(id, name) VALUES ('cl_rotation', 'Rotation')`);
      const before = new SubjectVault(db.pool, new LocalKms([oldMaster]));
      const sealed: [{ clientId: string; subjectHash: string }, string][] = [];
      for (let i = 0; i < 5; i += 1) {
        const subject = { clientId: 'cl_rotation', subjectHash: `h${i}` };
        sealed.push([subject, await before.seal(subject, 'contact.name', `person ${i}`)]);
      }
      const oldPayload = await payloadCodec({ masterKey: oldMaster, previousMasterKeys: [] }).encode([
        defaultPayloadConverter.toPayload('history written before rotation'),
      ]);

      const report = rotateKeysCli(db.url, {
        current: newMaster.toString('base64'),
        previous: oldMaster.toString('base64'),
      });
      assert.deepEqual([report.rewrapped, report.remainingOnOldKeys], [5, 0]);

      const onlyNew = new SubjectVault(db.pool, new LocalKms([newMaster]));
      for (const [subject, value] of sealed)
        assert.match(await onlyNew.openText(subject, 'contact.name', value), /^person \d$/);
      const onlyOld = new SubjectVault(db.pool, new LocalKms([oldMaster]));
      await assert.rejects(onlyOld.openText(sealed[0]![0], 'contact.name', sealed[0]![1]));

      const rotated = payloadCodec({ masterKey: newMaster, previousMasterKeys: [oldMaster] });
      const [opened] = await rotated.decode(oldPayload);
      assert.equal(defaultPayloadConverter.fromPayload(opened!), 'history written before rotation');
      await assert.rejects(payloadCodec({ masterKey: newMaster, previousMasterKeys: [] }).decode(oldPayload));
    } finally {
      await db.drop();
    }
  });
});
