import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContentLimitError, toGraphMessage } from '../../whatsapp/outbound';

describe('outbound content → Graph message', () => {
  it('when a template has parameters, then they become body text parameters', () => {
    assert.deepEqual(
      toGraphMessage({ type: 'template', name: 'order_shipped', language: 'en', parameters: ['1234'] }),
      {
        type: 'template',
        template: {
          name: 'order_shipped',
          language: { code: 'en' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: '1234' }] }],
        },
      },
    );
  });

  it('when interactive limits are exceeded, then the error names the limit before anything is sent', () => {
    const button = (title: string) => ({ id: title, title });
    assert.throws(
      () => toGraphMessage({ type: 'buttons', body: 'Pick', buttons: ['a', 'b', 'c', 'd'].map(button) }),
      (e: unknown) => e instanceof ContentLimitError && /1 to 3 buttons/.test(e.message),
    );
    assert.throws(
      () => toGraphMessage({ type: 'buttons', body: 'Pick', buttons: [button('x'.repeat(21))] }),
      /exceeds 20 characters/,
    );
    const rows = Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` }));
    assert.throws(
      () => toGraphMessage({ type: 'list', body: 'b', button: 'Menu', sections: [{ rows }] }),
      /10 rows/,
    );
    assert.throws(
      () =>
        toGraphMessage({
          type: 'list',
          body: 'b',
          button: 'Menu',
          sections: [{ rows: [{ id: 'a', title: 'y'.repeat(25) }] }],
        }),
      /row title .* 24/,
    );
    assert.throws(() => toGraphMessage({ type: 'text', body: 'z'.repeat(4097) }), /4096/);
  });

  it('when media is given by id or link, then exactly one is required', () => {
    assert.deepEqual(
      toGraphMessage({ type: 'media', kind: 'image', link: 'https://x/y.png', caption: 'c' }),
      {
        type: 'image',
        image: { link: 'https://x/y.png', caption: 'c' },
      },
    );
    assert.throws(() => toGraphMessage({ type: 'media', kind: 'image' }), /exactly one of id or link/);
  });
});
