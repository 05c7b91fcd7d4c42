// Aura Engage agent console, template picker: when the customer's 24-hour window is closed, the
// agent's reply box gives way to the client's approved templates for the conversation's language
// (GET /v1/conversations/:id/templates), their body parameters as fields, a preview, and a send
// (POST …/templates). The note above it says why free text is not possible. The preview shows the
// template's body as Meta holds it with the typed values in its placeholders, when the template is
// synced; else (settings hold no template text) the name, the language and each numbered parameter.
// Loaded after console.js, whose helpers (state, $, t, el, api, banner, open, notSent) it uses.
'use strict';

/** Most body parameters a template may be sent with (as the API allows). */
const MAX_TEMPLATE_PARAMETERS = 10;
// The picker of the open conversation: its templates, the chosen one and the values typed so far.
const picker = { id: null, templates: null, chosen: 0, values: [] };

function windowClosed(conv) {
  const until = conv.view && conv.view.windowOpenUntil;
  return !(until && Date.parse(until) > Date.now());
}

document.addEventListener('aura:conversation', (e) => {
  const conv = e.detail;
  const mine =
    state.me && conv.mode === 'agent' && conv.view && conv.view.assignedAgent === `agent:${state.me.keyId}`;
  const show = Boolean(mine && windowClosed(conv));
  $('template-picker').hidden = !show;
  $('reply-form').hidden = show;
  if (!show) return;
  $('window-note').textContent = '';
  if (picker.id !== conv.id) void loadTemplates(conv.id);
});

async function loadTemplates(id) {
  Object.assign(picker, { id, templates: null, chosen: 0, values: [] });
  $('template-picker').replaceChildren();
  try {
    const { templates } = await api('GET', `/v1/conversations/${encodeURIComponent(id)}/templates`);
    if (picker.id !== id) return;
    picker.templates = templates;
    choose(0);
  } catch (err) {
    picker.id = null;
    if (err.status !== 401) banner(t('template.failed', { reason: err.message }));
  }
}

function choose(index) {
  picker.chosen = index;
  const tpl = picker.templates[index];
  picker.values = tpl ? [...tpl.parameters] : [];
  // A synced template fixes the number of fields; the settings' values fill the first ones.
  if (tpl && tpl.parameterCount !== null)
    while (picker.values.length < tpl.parameterCount) picker.values.push('');
  renderPicker();
}

function renderPicker() {
  const root = $('template-picker');
  const tpl = picker.templates[picker.chosen];
  const why = el('p', { id: 'template-why', role: 'note' }, t(tpl ? 'template.why' : 'template.none'));
  if (!tpl) return root.replaceChildren(why);
  const select = el(
    'select',
    {
      id: 'template-select',
      'aria-label': t('template.pick'),
      onchange: (e) => choose(Number(e.target.value)),
    },
    ...picker.templates.map((x, i) =>
      el(
        'option',
        { value: String(i) },
        t('template.option', {
          purpose: t(`template.purpose.${x.purpose}`),
          name: x.name,
          language: x.language,
        }),
      ),
    ),
  );
  select.value = String(picker.chosen);
  const send = el('button', { type: 'submit', id: 'template-send' }, t('template.send'));
  root.replaceChildren(
    why,
    el(
      'form',
      { id: 'template-form', onsubmit: (e) => (e.preventDefault(), void sendTemplate()) },
      el('label', {}, el('span', {}, t('template.pick')), ' ', select),
      el('div', { id: 'template-fields' }, ...fields(tpl)),
      el('div', { id: 'template-preview', 'aria-live': 'polite' }),
      send,
    ),
  );
  renderPreview();
}

/** The i-th body placeholder as the template writes it: its name, or its number. */
function placeholder(tpl, i) {
  return (tpl.parameterNames && tpl.parameterNames[i]) || i + 1;
}

/** A body parameter's label: the placeholder's name when the template names them, else "Parameter n". */
function parameterLabel(tpl, i) {
  return tpl.parameterNames ? placeholder(tpl, i) : t('template.parameter', { n: i + 1 });
}

/**
 * One input per body parameter: as many as the synced template (or the settings) has slots for, or
 * free fields the agent adds.
 */
function fields(tpl) {
  const inputs = picker.values.map((value, i) => {
    const label = parameterLabel(tpl, i);
    const input = el('input', {
      'data-index': String(i),
      'aria-label': label,
      placeholder: label,
      maxlength: '1024',
      required: '',
    });
    input.value = value;
    input.addEventListener('input', () => {
      picker.values[i] = input.value;
      renderPreview();
    });
    return input;
  });
  if (tpl.parameterCount !== null) return inputs;
  const more = el(
    'button',
    { type: 'button', id: 'template-add', onclick: () => resize(1) },
    t('template.addParameter'),
  );
  const less = el(
    'button',
    { type: 'button', id: 'template-remove', onclick: () => resize(-1) },
    t('template.removeParameter'),
  );
  more.disabled = picker.values.length >= MAX_TEMPLATE_PARAMETERS;
  less.disabled = picker.values.length === 0;
  return [...inputs, more, less];
}

function resize(by) {
  if (by > 0) picker.values.push('');
  else picker.values.pop();
  renderPicker();
}

/** The body's text with each placeholder ({{1}} or {{first_name}}) showing what was typed for it. */
function filledBody(tpl) {
  const slot = (key) => {
    const i = tpl.parameterNames ? tpl.parameterNames.indexOf(key) : Number(key) - 1;
    return picker.values[i] ? picker.values[i] : `{{${key}}}`;
  };
  return tpl.body.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key) => slot(key));
}

function renderPreview() {
  const tpl = picker.templates[picker.chosen];
  const params = picker.values.map((v, i) => el('li', {}, `{{${placeholder(tpl, i)}}} = ${v}`));
  const shown = tpl.body
    ? el('div', { id: 'template-body', class: 'template-body' }, filledBody(tpl))
    : params.length
      ? el('ol', {}, ...params)
      : el('div', { class: 'muted' }, t('template.noParameters'));
  $('template-preview').replaceChildren(
    el('strong', {}, t('template.preview')),
    el('div', { class: 'template-name' }, `${tpl.name} (${tpl.language})`),
    shown,
  );
}

async function sendTemplate() {
  const id = picker.id;
  const tpl = picker.templates[picker.chosen];
  $('template-send').disabled = true;
  try {
    await api('POST', `/v1/conversations/${encodeURIComponent(id)}/templates`, {
      purpose: tpl.purpose,
      parameters: picker.values.map((v) => v.trim()),
      clientMessageId: crypto.randomUUID(),
    });
    banner(t('template.sent', { name: tpl.name }), 'info');
    choose(picker.chosen);
  } catch (err) {
    if (err.status === 409) banner(notSent(err));
    else if (err.status !== 401) banner(t('template.failed', { reason: err.message }));
    if ($('template-send')) $('template-send').disabled = false;
  }
  await open(id, { quiet: true });
}
