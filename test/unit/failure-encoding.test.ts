import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { dataConverter, payloadCodec } from '../../temporal/connection';
import { failureConverter } from '../../temporal/failure-converter';

describe('failure messages in Temporal histories', () => {
  it('when a failure message quotes user data, then the recorded failure holds only an encrypted copy', async () => {
    const config = { masterKey: randomBytes(32), previousMasterKeys: [] };
    const loaded = (await import(dataConverter(config).failureConverterPath!)) as {
      failureConverter: unknown;
    };
    assert.equal(loaded.failureConverter, failureConverter);
    const failure = failureConverter.errorToFailure(
      ApplicationFailure.nonRetryable('could not reach +55 11 98765 0042 (Zélia)', 'Test'),
      defaultPayloadConverter,
    );
    assert.equal(failure.message, 'Encoded failure');
    assert.ok(!JSON.stringify(failure).includes('Zélia'));
    const [encoded] = await payloadCodec(config).encode([failure.encodedAttributes!]);
    assert.ok(!Buffer.from(encoded!.data!).includes('98765'), 'the codec encrypts the attributes');
    const [decoded] = await payloadCodec(config).decode([encoded!]);
    const back = failureConverter.failureToError(
      { ...failure, encodedAttributes: decoded },
      defaultPayloadConverter,
    );
    assert.match(back.message, /Zélia/, 'an operator with the codec still reads it');
  });
});
