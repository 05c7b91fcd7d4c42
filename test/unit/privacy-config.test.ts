import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, masterKeys } from '../../config';
import { testConfig } from '../support/env';

describe('privacy configuration', () => {
  it('when previous master keys are given, then they follow the current one; a malformed one is named', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const config = testConfig({
      AURA_MASTER_KEY: a.toString('base64'),
      AURA_MASTER_KEY_PREVIOUS: ` ${b.toString('base64')} ,`,
    });
    assert.deepEqual(masterKeys(config), [a, b]);
    assert.deepEqual(testConfig().previousMasterKeys, []);
    assert.throws(
      () => testConfig({ AURA_MASTER_KEY_PREVIOUS: 'not-a-key' }),
      (err: ConfigError) => err.problems.some((p) => p.startsWith('AURA_MASTER_KEY_PREVIOUS')),
    );
  });

  it('when codec origins, rate limit and HTTPS are not set, then the UI origin, 600/min and plain HTTP apply', () => {
    const config = testConfig();
    assert.deepEqual(config.codecCorsOrigins, ['http://localhost:8233']);
    assert.equal(config.rateLimitPerMinute, 600);
    assert.equal(config.https, undefined);
    const custom = testConfig({ AURA_CODEC_CORS_ORIGINS: 'https://ui.example.com, http://localhost:8080' });
    assert.deepEqual(custom.codecCorsOrigins, ['https://ui.example.com', 'http://localhost:8080']);
    assert.throws(() => testConfig({ AURA_CODEC_CORS_ORIGINS: 'not a url' }), ConfigError);
    assert.throws(() => testConfig({ TLS_KEY_PATH: '/k.pem' }), /TLS_CERT_PATH and TLS_KEY_PATH/);
  });
});
