import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TemplateRow } from '../../db/templates';
import { clientSettingsSchema } from '../../settings/client-settings';
import { SYSTEM_PARAMETERS, templateProblems } from '../../settings/template-check';
import { toGraphMessage, type OutboundContent } from '../../whatsapp/outbound';
import {
  bodyTextOf,
  statusAfterEvent,
  templateSlots,
  urlButtonSuffix,
  withParameterNames,
  type TemplateComponent,
} from '../../whatsapp/templates';
import { orderTemplateParameters } from '../../workflows/order/messages';
import { OrderMachine } from '../../workflows/order/state';
import { orderInput } from '../orders/fixtures';

type TemplateContent = Extract<OutboundContent, { type: 'template' }>;

const row = (
  name: string,
  language: string,
  components: TemplateComponent[],
  status = 'APPROVED',
): TemplateRow => ({
  name,
  language,
  components,
  status,
  templateId: null,
  category: 'UTILITY',
  quality: null,
  statusAt: new Date(0),
  syncedAt: new Date(0),
});

describe('message templates: slots, settings checks, send components', () => {
  it('when a template has a text header, a body and buttons, then its slots name what a send fills', () => {
    assert.deepEqual(
      templateSlots([
        { type: 'HEADER', format: 'TEXT', text: 'Hi {{1}}' },
        { type: 'BODY', text: 'Order {{1}} with {{2}}, again {{1}}' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'PHONE_NUMBER', text: 'Call' },
            { type: 'URL', text: 'Track', url: 'https://t.example/x/{{1}}' },
            { type: 'URL', text: 'Site', url: 'https://t.example/' },
            { type: 'QUICK_REPLY', text: 'Stop' },
          ],
        },
      ]),
      {
        header: 'text',
        body: 2,
        buttons: [
          { index: 1, type: 'url', base: 'https://t.example/x/' },
          { index: 3, type: 'quick_reply' },
        ],
      },
    );
    assert.deepEqual(templateSlots([{ type: 'HEADER', format: 'TEXT', text: 'Static' }]), {
      body: 0,
      buttons: [],
    });
  });

  it("when a template names its placeholders, then its slots list the names once each, in order, and a send's parameters carry them", () => {
    const components = [
      { type: 'BODY', text: 'Hi {{first_name}}, order {{ order_id }} is ready, {{first_name}}.' },
    ];
    assert.deepEqual(templateSlots(components), {
      body: 2,
      bodyNames: ['first_name', 'order_id'],
      buttons: [],
    });
    assert.equal(bodyTextOf(components), components[0]!.text);
    const send: TemplateContent = {
      type: 'template',
      name: 'ready',
      language: 'en',
      parameters: ['Ana', 'A-1'],
    };
    const named = withParameterNames(send, components);
    assert.deepEqual(named.parameterNames, ['first_name', 'order_id']);
    assert.deepEqual((toGraphMessage(named).template as { components: unknown }).components, [
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'first_name', text: 'Ana' },
          { type: 'text', parameter_name: 'order_id', text: 'A-1' },
        ],
      },
    ]);
    const headed = [{ type: 'HEADER', format: 'TEXT', text: '{{sale_name}} is here' }, ...components];
    assert.equal(templateSlots(headed).headerName, 'sale_name');
    const withHeader = withParameterNames({ ...send, header: { type: 'text', text: 'Spring sale' } }, headed);
    assert.deepEqual((toGraphMessage(withHeader).template as { components: unknown[] }).components[0], {
      type: 'header',
      parameters: [{ type: 'text', parameter_name: 'sale_name', text: 'Spring sale' }],
    });
    const numbered = [{ type: 'BODY', text: 'Order {{1}} with {{2}}' }];
    assert.equal(templateSlots(numbered).bodyNames, undefined);
    assert.equal(withParameterNames(send, numbered), send, 'numbered placeholders: sent as they are');
  });

  it('when a URL button needs a suffix, then it is the rest of the tracking URL, else the tracking number', () => {
    assert.equal(urlButtonSuffix('https://t.example/x/', 'https://t.example/x/RR1?a=b', 'RR1'), 'RR1?a=b');
    assert.equal(urlButtonSuffix('https://t.example/x/', 'https://other.example/RR1', 'RR 1'), 'RR%201');
    assert.equal(urlButtonSuffix('https://t.example/x/', undefined, undefined), undefined);
  });

  it('when Meta reinstates a template, then it is approved again; other events name the status', () => {
    assert.deepEqual(['REINSTATED', 'paused', 'FLAGGED'].map(statusAfterEvent), [
      'APPROVED',
      'PAUSED',
      'FLAGGED',
    ]);
  });

  it('when the order workflow fills order templates, then the settings check counts the same parameters', () => {
    const m = new OrderMachine(orderInput(), '2026-01-01T00:00:00.000Z');
    const view = m.view();
    const en = { lang: 'en' as const, timeZone: 'UTC' };
    for (const [event, names] of Object.entries(SYSTEM_PARAMETERS))
      assert.equal(orderTemplateParameters(event as never, view, en).length, names.length, event);
  });

  it('when only an unchanged entry is wrong, then a settings change is not refused for it', () => {
    const current = clientSettingsSchema.parse({
      templates: { window_reopen: { name: 'gone', language: 'en' } },
    });
    const next = clientSettingsSchema.parse({
      templates: {
        window_reopen: { name: 'gone', language: 'en' },
        order_shipped: { name: 'track', language: 'en' },
      },
    });
    const track = row('track', 'en', [
      { type: 'BODY', text: '{{1}} {{2}} {{3}} {{4}} {{5}}' },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'T', url: 'https://t.example/{{1}}' }] },
    ]);
    assert.deepEqual(templateProblems(next, current, [track]), [
      {
        field: 'templates.order_shipped',
        message:
          'template track (en) takes 5 body parameters; order_shipped fills 4 (order, carrier, tracking number, tracking URL)',
      },
    ]);
  });

  it('when a template send has a media header, body and buttons, then each becomes its component', () => {
    const message = toGraphMessage({
      type: 'template',
      name: 'promo',
      language: 'en',
      header: { type: 'image', link: 'https://cdn.example/a.jpg' },
      parameters: ['Ana'],
      buttons: [
        { index: 0, type: 'url', text: 'RR1' },
        { index: 1, type: 'quick_reply', payload: 'stop' },
      ],
    });
    assert.deepEqual((message.template as { components: unknown }).components, [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example/a.jpg' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'RR1' }] },
      {
        type: 'button',
        sub_type: 'quick_reply',
        index: '1',
        parameters: [{ type: 'payload', payload: 'stop' }],
      },
    ]);
  });
});
