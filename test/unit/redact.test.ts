import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUtterance } from '../../nlu/redact';

describe('redaction of no-match utterances', () => {
  it('when the text holds an email, a link, a phone number and other digits, then each becomes a placeholder', () => {
    assert.equal(
      redactUtterance('mail me at ana.p+x@example.co.uk or see https://t.co/abc?u=9 now'),
      'mail me at [email] or see [link] now',
    );
    assert.equal(redactUtterance('call +55 (11) 98765-4321 please'), 'call [phone] please');
    assert.equal(
      redactUtterance('order ORD-4521 cost 19.90, arrives 12/03'),
      'order ORD-[number] cost [number], arrives [number]',
    );
  });

  it('when the text names the speaker, then the full name and each part go, whatever the case or accents', () => {
    const names = ['José Álvarez'];
    assert.equal(redactUtterance('soy JOSE alvarez, hola', names), 'soy [name], hola');
    assert.equal(redactUtterance('Álvarez here; josé speaking', names), '[name] here; [name] speaking');
    assert.equal(redactUtterance('josefina is not me', names), 'josefina is not me', 'whole words only');
  });

  it('when no name is known or a name is one letter, then only patterns are redacted', () => {
    assert.equal(redactUtterance('I am X from the blue house', ['X']), 'I am X from the blue house');
    assert.equal(redactUtterance('purple elephants'), 'purple elephants');
  });
});
