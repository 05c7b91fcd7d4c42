// Aura Engage agent console: plain browser JavaScript over the public /v1 API. The API key lives in
// sessionStorage only (never in a URL); every piece of user content is rendered with textContent.
// Every text comes from the catalogue (GET /i18n/console.json) in the browser's language; the
// customer card lives in card.js, message bodies and files in media.js, canned responses in
// canned.js, the card's notes and labels and the list's label filter in notes.js.
'use strict';

const KEY_STORAGE = 'aura.apiKey';
const $ = (id) => document.getElementById(id);
const state = {
  key: sessionStorage.getItem(KEY_STORAGE),
  me: null,
  tab: 'queue',
  selected: null,
  conv: null,
  list: [],
  stream: null, // AbortController of the live-updates request
  texts: null, // the console section of the catalogue, {en, es, pt}
};

// The agent's browser language when the catalogue has it, else English (common.json adds the
// languages' names).
function lang() {
  const code = (navigator.language || 'en').slice(0, 2);
  return state.texts && state.texts[code] ? code : 'en';
}

/** A moment as the agent's language writes it ("4 de dez. de 2026, 14:43"): one form on every panel. */
const when = (iso) => new Date(iso).toLocaleString(lang(), { dateStyle: 'medium', timeStyle: 'short' });

/** The console's text `key` in the agent's language, `{placeholders}` filled. */
function t(key, vars = {}) {
  const text = (state.texts && (state.texts[lang()][key] || state.texts.en[key])) || key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** Whether the catalogue has `key` (a reason code the API may send before the catalogue names it). */
const hasText = (key) => Boolean(state.texts && state.texts.en[key]);

async function loadTexts() {
  if (state.texts) return;
  const [own, common] = await Promise.all(
    ['console', 'common'].map((name) => fetch(`/i18n/${name}.json`).then((r) => r.json())),
  );
  state.texts = Object.fromEntries(Object.keys(own).map((l) => [l, { ...common[l], ...own[l] }]));
  document.documentElement.lang = lang();
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-placeholder]'))
    node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder));
  for (const node of document.querySelectorAll('[data-i18n-aria-label]'))
    node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
}

/** How the console names a sender: an agent by its key's label (else `agent:<keyId>`), the bot, the system. */
function agentName(id, label) {
  if (state.me && id === `agent:${state.me.keyId}`) return t('you');
  if (id === 'bot' || id === 'system') return t(`sender.${id}`);
  return label || id;
}

class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${state.key}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status === 401) {
    signOut(t('signIn.expired'));
    throw new ApiError(401, 'unauthorized', 'signed out');
  }
  const json = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const e = (json && json.error) || {};
    throw new ApiError(
      res.status,
      e.code || 'error',
      e.message || `request failed (${res.status})`,
      e.details,
    );
  }
  return json;
}

function banner(message, kind = 'error') {
  const el = $('banner');
  el.textContent = message;
  el.className = kind === 'info' ? 'info' : '';
  el.hidden = !message;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'style')
      node.style.cssText = v; // CSSOM, allowed by the page's CSP
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

// ---- sign-in ---------------------------------------------------------------------------------

async function signIn(key) {
  state.key = key;
  try {
    const me = await api('GET', '/v1/me');
    if (!me.scopes.includes('agent') && !me.scopes.includes('admin')) {
      state.key = null;
      banner(t('signIn.noAgentScope'));
      return;
    }
    state.me = me;
    sessionStorage.setItem(KEY_STORAGE, key);
    $('sign-in').hidden = true;
    $('tabs').hidden = false;
    $('sign-out').hidden = false;
    $('who').textContent = me.label || `agent:${me.keyId}`;
    $('who').title = `agent:${me.keyId}`;
    banner('');
    showTab('queue');
    void listen();
    document.dispatchEvent(new Event('aura:signed-in'));
  } catch (err) {
    if (err.status !== 401) banner(t('signIn.failed', { reason: err.message }));
  }
}

function signOut(message) {
  if (state.stream) state.stream.abort();
  state.stream = null;
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  state.me = null;
  state.selected = null;
  forgetMedia();
  $('sign-in').hidden = false;
  $('workspace').hidden = true;
  $('insights').hidden = true;
  $('bot-content').hidden = true;
  $('tabs').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  banner(message || '', message ? 'error' : 'info');
  document.dispatchEvent(new Event('aura:signed-out'));
}

// ---- lists -----------------------------------------------------------------------------------

const TAB_MODE = { queue: 'queued', mine: 'agent', bot: 'bot' };

function showTab(tab) {
  state.tab = tab;
  banner('');
  for (const b of document.querySelectorAll('#tabs button'))
    b.classList.toggle('active', b.dataset.tab === tab);
  $('workspace').hidden = !TAB_MODE[tab];
  $('insights').hidden = tab !== 'insights';
  $('bot-content').hidden = tab !== 'teach';
  if (tab === 'insights') void loadInsights();
  else if (tab === 'teach') void loadBot();
  else void loadList();
}

async function loadList() {
  if (!state.me || !TAB_MODE[state.tab]) return;
  const { conversations } = await api(
    'GET',
    `/v1/conversations?mode=${TAB_MODE[state.tab]}&limit=200${labelQuery()}`,
  );
  const mine = `agent:${state.me.keyId}`;
  state.list = state.tab === 'mine' ? conversations.filter((c) => c.assignedAgent === mine) : conversations;
  if (state.tab === 'queue') $('queue-count').textContent = String(conversations.length);
  renderList();
}

function listItem(c) {
  const waiting = c.queue && c.mode === 'queued' ? t('list.waiting', { ago: ago(c.queue.queuedAt) }) : '';
  const escalated = c.queue && c.queue.escalated;
  const owner = c.assignedAgent
    ? t('list.with', { agent: agentName(c.assignedAgent, c.assignedAgentLabel) })
    : '';
  return el(
    'li',
    { class: c.id === state.selected ? 'selected' : '', 'data-id': c.id, onclick: () => void open(c.id) },
    el(
      'div',
      { class: 'top' },
      el('span', { class: c.contactName ? 'name' : 'ref', title: c.id }, c.contactName || c.id.slice(0, 22)),
      el('span', waitAttrs(c, escalated), waiting), // attention.js: amber/red against the SLA
    ),
    el('div', { class: 'muted' }, c.lastMessage ? c.lastMessage : owner || t(`mode.${c.mode}`)),
    escalated ? el('div', { class: 'escalated' }, t('list.escalated')) : '',
  );
}

function renderList() {
  $('list').replaceChildren(...state.list.map(listItem));
  $('list-empty').hidden = state.list.length > 0;
}

// ---- one conversation ------------------------------------------------------------------------

const TICKS = {
  pending: '…',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  played: '✓✓',
  failed: '✗',
  refused: '⊘',
};

async function open(id, { quiet = false } = {}) {
  if (id !== state.selected) {
    // Nothing of the previous customer stays on screen while this one loads.
    forgetMedia();
    state.card = null;
    for (const part of ['transcript', 'card-body', 'orders', 'labels', 'notes']) $(part).replaceChildren();
  }
  state.selected = id;
  renderList();
  try {
    const conv = await api('GET', `/v1/conversations/${encodeURIComponent(id)}`);
    if (state.selected !== id) return;
    state.conv = conv;
    renderConversation(conv);
    if (!quiet || !state.card || state.card.id !== id) void loadCard(id);
  } catch (err) {
    if (!quiet && err.status !== 401) banner(t('open.failed', { reason: err.message }));
  }
}

function renderHeader(conv, mine) {
  $('detail-empty').hidden = true;
  $('conversation').hidden = false;
  $('conv-title').textContent = (state.card && state.card.id === conv.id && state.card.name) || conv.id;
  $('conv-title').title = conv.id;
  const owner = conv.view && conv.view.assignedAgent;
  const mode = t(`mode.${conv.mode}`);
  $('conv-mode').dataset.mode = conv.mode;
  $('conv-mode').textContent =
    owner && conv.mode === 'agent'
      ? mine
        ? t('mode.withYou', { mode })
        : t('mode.with', { mode, agent: agentName(owner, conv.assignedAgentLabel) })
      : mode;
  const until = conv.view && conv.view.windowOpenUntil;
  const open = until && Date.parse(until) > Date.now();
  $('conv-window').textContent = until
    ? open
      ? t('window.openUntil', { time: when(until) })
      : t('window.closed')
    : t('window.none');
  $('window-note').textContent =
    conv.mode === 'opted_out' ? t('note.optedOut') : open ? '' : t('note.windowClosed');
}

function renderConversation(conv) {
  const mine = state.me && conv.view && conv.view.assignedAgent === `agent:${state.me.keyId}`;
  renderHeader(conv, mine);
  // Accept stays available on someone else's conversation: the API then says who has it.
  $('accept').disabled = !(conv.mode === 'queued' || (conv.mode === 'agent' && !mine));
  $('takeover').disabled = conv.mode !== 'bot';
  $('resolve').disabled = !(conv.mode === 'agent' && mine);
  // Sending to an opted-out customer is left to the API, which refuses it and says why.
  $('send').disabled = !((conv.mode === 'agent' && mine) || conv.mode === 'opted_out');
  $('attach').disabled = !(conv.mode === 'agent' && mine);
  renderTranscript(conv.messages);
  document.dispatchEvent(new CustomEvent('aura:conversation', { detail: conv })); // templates.js
}

/**
 * The transcript in the order the conversation handled it. A message whose rendering would not
 * change keeps its node, so a live update does not restart a playing voice note or refetch a photo.
 */
function renderTranscript(messages) {
  const list = $('transcript');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  const old = new Map([...list.children].map((node) => [node.dataset.key, node]));
  const nodes = messages.map((m) => {
    const key = `${m.id}|${m.status}|${m.media ? m.media.status : ''}|${m.sentByLabel || ''}`;
    return old.get(key) || messageItem(m, key);
  });
  list.replaceChildren(...nodes);
  if (atBottom || old.size === 0) list.scrollTop = list.scrollHeight;
}

function messageItem(m, key) {
  const ticks = m.direction === 'out' ? TICKS[m.status] || m.status : '';
  const by = m.sentBy && m.direction === 'out' ? `${agentName(m.sentBy, m.sentByLabel)} · ` : '';
  return el(
    'li',
    { class: `${m.direction} ${m.status}`, 'data-status': m.status, 'data-id': m.id, 'data-key': key },
    messageBody(m),
    el(
      'span',
      { class: 'meta' },
      `${by}${new Date(m.at).toLocaleTimeString(lang())} `,
      el('span', { class: `ticks ${m.status}`, title: m.statusReason || m.status }, ticks),
      m.status === 'refused' ? ` ${m.statusReason}` : '',
    ),
  );
}

function refusal(path, err) {
  const verb = t(`verb.${path}`);
  const d = err.details || {};
  if (err.status === 409 && d.ownerLabel)
    return t('refused.owner', { verb, owner: d.ownerLabel, ownerId: d.owner });
  // A typed refusal reads in the agent's language; the API's English reason only for others.
  if (err.status === 409 && d.reason && hasText(`refused.${d.reason}`))
    return t(`refused.${d.reason}`, { verb });
  if (err.status === 409) return t('refused.conflict', { verb, reason: err.message });
  if (err.status === 404) return t('refused.gone', { verb });
  return t('refused.other', { verb, reason: err.message });
}

async function act(path) {
  if (!state.selected) return;
  try {
    await api('POST', `/v1/conversations/${encodeURIComponent(state.selected)}/${path}`, {});
    banner(t(`ok.${path}`), 'info');
  } catch (err) {
    if (err.status !== 401) banner(refusal(path, err));
  }
  await open(state.selected, { quiet: true });
  await loadList();
}

/** The banner for a send the API refused (opt-out, closed window, undeliverable, other). */
function notSent(err) {
  const reason = err.details && err.details.reason;
  const optedOut = reason === 'opted_out' || /opted.?out/.test(err.message);
  if (optedOut) return t('notSent.opted_out');
  if (reason && hasText(`notSent.${reason}`)) return t(`notSent.${reason}`);
  return t('notSent.other', { reason: err.message });
}

async function send(text) {
  try {
    const result = await api('POST', `/v1/conversations/${encodeURIComponent(state.selected)}/messages`, {
      text,
      clientMessageId: crypto.randomUUID(),
    });
    $('reply').value = '';
    banner(result.viaTemplate ? t('sent.viaTemplate') : '', 'info');
  } catch (err) {
    if (err.status !== 401) banner(notSent(err));
  }
  await open(state.selected, { quiet: true });
}

// ---- wiring ----------------------------------------------------------------------------------

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void signIn($('api-key').value.trim());
  $('api-key').value = '';
});
$('sign-out').addEventListener('click', () => signOut(''));
for (const b of document.querySelectorAll('#tabs button'))
  b.addEventListener('click', () => showTab(b.dataset.tab));
$('accept').addEventListener('click', () => void act('assign'));
$('takeover').addEventListener('click', () => void act('takeover'));
$('resolve').addEventListener('click', () => void act('resolve'));
$('reply-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('reply').value.trim();
  if (text) void send(text);
});
// Order statuses change outside the conversation (payments, shipping): the card is re-read when one
// of the customer's orders changed (refreshCard), so opening a card is one contact.read, not one a tick.
setInterval(() => {
  if (state.me && state.selected && state.tab !== 'insights') void refreshCard(state.selected);
}, 10000);
// Wait times tick on screen without refetching anything.
setInterval(() => {
  if (state.me && state.tab !== 'insights') renderList();
}, 5000);
// After every script (card.js, media.js) has run: the texts first, then the stored key, if any.
document.addEventListener('DOMContentLoaded', () => {
  void loadTexts().then(() => {
    $('live').textContent = t('live.connecting');
    if (state.key) void signIn(state.key);
  });
});
