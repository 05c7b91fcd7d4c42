// Aura Engage agent console, callback requests: the customers who asked to be contacted after the
// maximum wait (GET /v1/callbacks), listed under the conversations with a way to open each one and
// mark it done. Texts come from the catalogue (GET /i18n/callbacks.json + common.json) in the
// page's language. Loaded after console.js, whose helpers (api, el, banner, ago, $, open, state) it uses.
'use strict';

const callbackTexts = { section: null, common: null };

// The agent's browser language (the console has no language choice of its own yet).
function callbackLang() {
  const lang = (navigator.language || 'en').slice(0, 2);
  return callbackTexts.section && callbackTexts.section[lang] ? lang : 'en';
}

function tr(key, vars = {}) {
  const text = callbackTexts.section[callbackLang()][key] || key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

async function loadCallbackTexts() {
  if (callbackTexts.section) return;
  const [section, common] = await Promise.all(
    ['callbacks', 'common'].map((name) => fetch(`/i18n/${name}.json`).then((r) => r.json())),
  );
  callbackTexts.section = section;
  callbackTexts.common = common;
}

function languageName(code) {
  const names = callbackTexts.common[callbackLang()];
  return names[`language.${code}`] || code;
}

async function markDone(id) {
  await api('POST', `/v1/callbacks/${encodeURIComponent(id)}/done`);
  await loadCallbacks();
}

function callbackItem(c) {
  return el(
    'li',
    { 'data-id': c.id },
    el(
      'div',
      { class: 'top' },
      el(
        'span',
        { class: c.contactName ? 'name' : 'ref', title: c.conversation },
        c.contactName || c.conversation.slice(0, 22),
      ),
    ),
    el(
      'div',
      { class: 'muted' },
      tr('requested', { ago: ago(c.requestedAt) }),
      c.language ? ` · ${tr('language', { language: languageName(c.language) })}` : '',
    ),
    el(
      'div',
      {},
      el('button', { class: 'open', onclick: () => void open(c.conversation) }, tr('open')),
      ' ',
      el('button', { class: 'done', onclick: () => void markDone(c.id) }, tr('done')),
    ),
  );
}

async function loadCallbacks() {
  const panel = $('callbacks');
  if (!state.me) {
    panel.hidden = true;
    return;
  }
  try {
    await loadCallbackTexts();
    const { callbacks } = await api('GET', '/v1/callbacks');
    panel.replaceChildren(
      el('h3', {}, tr('title')),
      el('p', { class: 'muted' }, tr('note')),
      callbacks.length
        ? el('ul', { id: 'callback-list' }, ...callbacks.map(callbackItem))
        : el('p', { class: 'muted' }, tr('empty')),
    );
    panel.hidden = false;
  } catch (err) {
    if (err.status === 401) return;
    banner(callbackTexts.section ? tr('failed', { reason: err.message }) : err.message);
  }
}

// New requests come from the workflow's timers: re-read them now and then while signed in.
setInterval(() => void loadCallbacks(), 15000);
document.addEventListener('aura:signed-in', () => void loadCallbacks());
