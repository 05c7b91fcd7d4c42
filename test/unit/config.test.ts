import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../config';
import { localEnv } from '../../config/local';

const valid = {
  AURA_ADMIN_TOKEN: 'a'.repeat(32),
  AURA_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  WHATSAPP_APP_SECRET: 'secret-one-123',
  WHATSAPP_VERIFY_TOKEN: 'verify-123',
};

describe('configuration', () => {
  it('when every required variable is set, then defaults fill the rest and the result is frozen', () => {
    const config = parseConfig(valid);
    assert.equal(config.port, 3000);
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.whatsapp.graphUrl, 'https://graph.facebook.com');
    assert.equal(config.dialogflow, undefined);
    assert.ok(Object.isFrozen(config));
  });

  it('when variables are missing or bad, then the error names each one', () => {
    assert.throws(
      () => parseConfig({ ...valid, AURA_MASTER_KEY: 'short', PORT: 'eighty', AURA_ADMIN_TOKEN: undefined }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = err.problems.join('\n');
        assert.match(text, /AURA_MASTER_KEY: must be a base64-encoded 32-byte key/);
        assert.match(text, /PORT:/);
        assert.match(text, /AURA_ADMIN_TOKEN: is required but not set/);
        return true;
      },
    );
  });

  it('when two app secrets are given, then both are accepted for rotation; three are refused', () => {
    assert.deepEqual(
      parseConfig({ ...valid, WHATSAPP_APP_SECRET: 'new-secret-1, old-secret-2' }).whatsapp.appSecrets,
      ['new-secret-1', 'old-secret-2'],
    );
    assert.throws(
      () => parseConfig({ ...valid, WHATSAPP_APP_SECRET: 'aaaaaaaa1,aaaaaaaa2,aaaaaaaa3' }),
      /WHATSAPP_APP_SECRET/,
    );
  });

  it('when only part of Dialogflow CX is configured, then it says which variables go together', () => {
    assert.throws(() => parseConfig({ ...valid, DIALOGFLOW_CX_PROJECT: 'p' }), /must be set together/);
  });

  it('when the local profile starts without secrets, then it generates them once and keeps them', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-local-'));
    const first = parseConfig(localEnv({ AURA_DATA_DIR: dir }));
    const second = parseConfig(localEnv({ AURA_DATA_DIR: dir }));
    assert.equal(first.profile, 'local');
    assert.equal(first.adminToken, second.adminToken);
    assert.ok(first.masterKey.equals(second.masterKey));
    assert.equal(statSync(path.join(dir, 'secrets.json')).mode & 0o777, 0o600);
    const kept = JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8')) as Record<string, string>;
    assert.equal(kept.AURA_ADMIN_TOKEN, first.adminToken);
    // What the environment sets wins over the generated value.
    assert.equal(
      parseConfig(localEnv({ AURA_DATA_DIR: dir, AURA_ADMIN_TOKEN: 'b'.repeat(30) })).adminToken,
      'b'.repeat(30),
    );
  });

  it('when a process starts with bad configuration, then it prints which variable is wrong and exits 1', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      env: { PATH: process.env.PATH, ...valid, AURA_MASTER_KEY: 'not-a-key' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /AURA_MASTER_KEY: must be a base64-encoded 32-byte key/);
    assert.ok(!result.stderr.includes(valid.AURA_ADMIN_TOKEN), 'secrets are not echoed');
  });
});
