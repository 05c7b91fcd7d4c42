import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, REDACTED_KEYS } from '../../logging';

const capture = (level: Parameters<typeof createLogger>[0] = 'debug') => {
  const lines: string[] = [];
  const log = createLogger(level, { service: 'test' }, (l) => lines.push(l));
  return { log, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines };
};

describe('logging: pino with PII redacted by path', () => {
  it('when fields named like PII or secrets are logged at any depth up to four, then each is redacted', () => {
    const { log, lines, records } = capture();
    const values = Object.fromEntries(REDACTED_KEYS.map((k, i) => [k, `pii-value-${i}`]));
    log.info('flat', values);
    log.info('nested', { a: { b: { c: { d: values } } } });
    log.child({ phone: 'pii-child', requestId: 'r-1' }).warn('child', { sdk: { to: 'pii-deep' } });
    for (const line of lines) assert.doesNotMatch(line, /pii-/, line);
    const [flat, nested, child] = records();
    assert.equal(flat!.phone, '[redacted]');
    assert.equal(flat!.userId, '[redacted]');
    assert.equal((nested!.a as { b: { c: { d: { email: string } } } }).b.c.d.email, '[redacted]');
    assert.equal(child!.requestId, 'r-1', 'ids are kept');
    assert.equal(child!.level, 'warn');
    assert.equal(typeof child!.time, 'string');
  });

  it('when an error is logged, then its class, message and type are written, not its stack', () => {
    const { log, records } = capture();
    const err = Object.assign(new Error('graph refused'), { type: 'TokenExpired' });
    log.error('failed', { err });
    assert.deepEqual(records()[0]!.err, { class: 'Error', message: 'graph refused', type: 'TokenExpired' });
  });

  it('when the level is info or silent, then lines below it are not written', () => {
    const info = capture('info');
    info.log.debug('hidden');
    info.log.info('shown');
    assert.deepEqual(
      info.records().map((r) => r.msg),
      ['shown'],
    );
    const silent = capture('silent');
    silent.log.error('hidden');
    assert.equal(silent.lines.length, 0);
  });

  it('when a method is passed around detached, then it still writes', () => {
    const { log, records } = capture();
    const write = log.warn;
    write('detached', { code: 1 });
    assert.equal(records()[0]!.msg, 'detached');
  });
});
