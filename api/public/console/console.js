// Aura Engage agent console: plain browser JavaScript over the public /v1 API. The API key lives in
// sessionStorage only (never in a URL); every piece of user content is rendered with textContent.
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
};

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
    signOut('Your API key is no longer valid (expired or revoked). Sign in again.');
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
      banner('This API key lacks the agent scope.');
      return;
    }
    state.me = me;
    sessionStorage.setItem(KEY_STORAGE, key);
    $('sign-in').hidden = true;
    $('tabs').hidden = false;
    $('sign-out').hidden = false;
    $('who').textContent = `agent:${me.keyId}`;
    banner('');
    showTab('queue');
    void listen();
    document.dispatchEvent(new Event('aura:signed-in'));
  } catch (err) {
    if (err.status !== 401) banner(`Sign-in failed: ${err.message}`);
  }
}

function signOut(message) {
  if (state.stream) state.stream.abort();
  state.stream = null;
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  state.me = null;
  state.selected = null;
  $('sign-in').hidden = false;
  $('workspace').hidden = true;
  $('insights').hidden = true;
  $('bot-content').hidden = true;
  $('tabs').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  banner(message || '', message ? 'error' : 'info');
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
  const { conversations } = await api('GET', `/v1/conversations?mode=${TAB_MODE[state.tab]}&limit=200`);
  const mine = `agent:${state.me.keyId}`;
  state.list = state.tab === 'mine' ? conversations.filter((c) => c.assignedAgent === mine) : conversations;
  if (state.tab === 'queue') $('queue-count').textContent = String(conversations.length);
  renderList();
}

function renderList() {
  const list = $('list');
  list.replaceChildren(
    ...state.list.map((c) =>
      el(
        'li',
        { class: c.id === state.selected ? 'selected' : '', 'data-id': c.id, onclick: () => void open(c.id) },
        el(
          'div',
          { class: 'top' },
          el('span', { class: 'ref', title: c.id }, c.id.slice(0, 22)),
          el(
            'span',
            { class: c.queue && c.queue.escalated ? 'escalated' : 'muted' },
            c.queue && c.mode === 'queued' ? `waiting ${ago(c.queue.queuedAt)}` : '',
          ),
        ),
        el(
          'div',
          { class: 'muted' },
          c.lastMessage ? c.lastMessage : c.assignedAgent ? `with ${c.assignedAgent}` : c.mode,
        ),
        c.queue && c.queue.escalated ? el('div', { class: 'escalated' }, 'escalated') : '',
      ),
    ),
  );
  $('list-empty').hidden = state.list.length > 0;
}

// ---- live updates (server-sent events over fetch, so the key stays in a header) ---------------

async function listen() {
  let delay = 1000;
  let reconnecting = false;
  const key = state.key;
  while (state.key === key) {
    const stream = new AbortController();
    state.stream = stream;
    try {
      const res = await fetch('/v1/conversations/events', {
        headers: { authorization: `Bearer ${key}` },
        signal: stream.signal,
      });
      if (res.status === 401)
        return signOut('Your API key is no longer valid (expired or revoked). Sign in again.');
      if (!res.ok || !res.body) throw new Error(String(res.status));
      $('live').textContent = 'live updates: on';
      delay = 1000;
      // Events sent while the stream was down are gone: re-read what the page shows.
      if (reconnecting) {
        void loadList();
        if (state.selected) void open(state.selected, { quiet: true });
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const chunk = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = chunk
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).replace(/^ /, ''))
            .join('\n');
          if (data) onEvent(JSON.parse(data));
        }
      }
    } catch {
      // fall through to reconnect (or stop: signed out)
    }
    if (state.key !== key) return;
    reconnecting = true;
    $('live').textContent = 'live updates: reconnecting…';
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

function onEvent(event) {
  if (event.type === 'status') {
    // Ticks change only the transcript: the lists (and their audited previews) stay as they are.
    if (event.id === state.selected) void open(event.id, { quiet: true });
    return;
  }
  void loadList();
  if (state.tab !== 'queue')
    void api('GET', '/v1/conversations?mode=queued&limit=200').then(
      (r) => ($('queue-count').textContent = String(r.conversations.length)),
    );
  if (event.id === state.selected) void open(event.id, { quiet: true });
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

function contentText(content) {
  if (!content) return '';
  if (typeof content.text === 'string') return content.text;
  if (content.type === 'text') return content.body;
  if (content.type === 'buttons' || content.type === 'list')
    return `${content.body}\n[${(content.buttons || []).map((b) => b.title).join('] [')}]`;
  if (content.type === 'template') return `template: ${content.name}`;
  if (content.type === 'media') return `[${content.kind}] ${content.caption || ''}`;
  if (content.payload && content.payload.caption) return content.payload.caption;
  return '';
}

async function open(id, { quiet = false } = {}) {
  state.selected = id;
  renderList();
  try {
    const conv = await api('GET', `/v1/conversations/${encodeURIComponent(id)}`);
    state.conv = conv;
    renderConversation(conv);
    void loadOrders(id);
  } catch (err) {
    if (!quiet && err.status !== 401) banner(`Could not open the conversation: ${err.message}`);
  }
}

function renderConversation(conv) {
  const mine = state.me && conv.view && conv.view.assignedAgent === `agent:${state.me.keyId}`;
  $('detail-empty').hidden = true;
  $('conversation').hidden = false;
  $('conv-title').textContent = conv.id;
  const owner = conv.view && conv.view.assignedAgent;
  const ownerName = mine ? 'you' : conv.assignedAgentLabel || owner;
  $('conv-mode').textContent =
    owner && conv.mode === 'agent' ? `${conv.mode} · with ${ownerName}` : conv.mode;
  const until = conv.view && conv.view.windowOpenUntil;
  const open = until && Date.parse(until) > Date.now();
  $('conv-window').textContent = until
    ? open
      ? `24-hour window open until ${new Date(until).toLocaleString()}`
      : '24-hour window closed'
    : 'no inbound message yet';
  $('window-note').textContent =
    conv.mode === 'opted_out'
      ? 'The customer opted out (STOP): nothing can be sent until they write START.'
      : open
        ? ''
        : 'The window is closed: your reply goes out as the approved reopen template, or is refused if none is configured.';
  // Accept stays available on someone else's conversation: the API then says who has it.
  $('accept').disabled = !(conv.mode === 'queued' || (conv.mode === 'agent' && !mine));
  $('takeover').disabled = conv.mode !== 'bot';
  $('resolve').disabled = !(conv.mode === 'agent' && mine);
  // Sending to an opted-out customer is left to the API, which refuses it and says why.
  $('send').disabled = !((conv.mode === 'agent' && mine) || conv.mode === 'opted_out');
  $('transcript').replaceChildren(
    ...conv.messages.map((m) => {
      const ticks = m.direction === 'out' ? TICKS[m.status] || m.status : '';
      return el(
        'li',
        { class: `${m.direction} ${m.status}`, 'data-status': m.status },
        contentText(m.content),
        el(
          'span',
          { class: 'meta' },
          `${m.sentBy && m.direction === 'out' ? `${m.sentBy} · ` : ''}${new Date(m.at).toLocaleTimeString()} `,
          el('span', { class: `ticks ${m.status}`, title: m.statusReason || m.status }, ticks),
          m.status === 'refused' ? ` ${m.statusReason}` : '',
        ),
      );
    }),
  );
  $('transcript').scrollTop = $('transcript').scrollHeight;
}

/** An amount in minor units, with the currency's own number of decimals (JPY 0, EUR 2, KWD 3). */
function money(minor, currency) {
  if (minor === null || minor === undefined) return `not priced yet (${currency})`;
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
  } catch {
    return `${minor} ${currency} (minor units)`;
  }
}

async function loadOrders(id) {
  try {
    const { orders } = await api('GET', `/v1/conversations/${encodeURIComponent(id)}/orders`);
    $('orders').replaceChildren(
      ...(orders.length
        ? orders.map((o) =>
            el(
              'li',
              {},
              `${o.orderId} · ${o.status}`,
              el('div', { class: 'muted' }, money(o.total, o.currency)),
            ),
          )
        : [el('li', { class: 'muted' }, 'no orders')]),
    );
  } catch (err) {
    $('orders').replaceChildren(
      el(
        'li',
        { class: 'muted' },
        err.status === 403 ? 'orders need the orders:read scope' : 'orders unavailable',
      ),
    );
  }
}

const REFUSALS = {
  opted_out: 'Not sent: the customer has opted out (STOP). Nothing more can be sent until they write START.',
  window_closed: 'Not sent: the 24-hour window is closed and no reopen template is configured.',
  undeliverable: 'Not sent: WhatsApp reports this customer as undeliverable.',
};

const ACTIONS = { assign: 'accept', takeover: 'take over', resolve: 'resolve' };

function refusal(verb, err) {
  const d = err.details || {};
  if (err.status === 409 && d.ownerLabel)
    return `Could not ${verb}: ${d.ownerLabel} (${d.owner}) already has this conversation.`;
  if (err.status === 409) return `Could not ${verb}: ${err.message}.`;
  if (err.status === 404) return `Could not ${verb}: this conversation no longer exists.`;
  return `Could not ${verb}: ${err.message}`;
}

async function act(path, okMessage) {
  if (!state.selected) return;
  try {
    await api('POST', `/v1/conversations/${encodeURIComponent(state.selected)}/${path}`, {});
    banner(okMessage, 'info');
  } catch (err) {
    if (err.status !== 401) banner(refusal(ACTIONS[path], err));
  }
  await open(state.selected, { quiet: true });
  await loadList();
}

async function send(text) {
  try {
    const result = await api('POST', `/v1/conversations/${encodeURIComponent(state.selected)}/messages`, {
      text,
      clientMessageId: crypto.randomUUID(),
    });
    $('reply').value = '';
    banner(result.viaTemplate ? 'Sent as the reopen template (the 24-hour window is closed).' : '', 'info');
  } catch (err) {
    const reason = err.details && err.details.reason;
    const optedOut = reason === 'opted_out' || /opted.?out/.test(err.message);
    if (err.status !== 401)
      banner(optedOut ? REFUSALS.opted_out : REFUSALS[reason] || `Not sent: ${err.message}`);
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
$('accept').addEventListener('click', () => void act('assign', 'You have this conversation.'));
$('takeover').addEventListener('click', () => void act('takeover', 'You took over from the bot.'));
$('resolve').addEventListener('click', () => void act('resolve', 'Resolved: the bot answers again.'));
$('reply-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('reply').value.trim();
  if (text) void send(text);
});
// Order statuses change outside the conversation (payments, shipping): re-read them while one is open.
setInterval(() => {
  if (state.me && state.selected && state.tab !== 'insights') void loadOrders(state.selected);
}, 10000);
// Wait times tick on screen without refetching anything.
setInterval(() => {
  if (state.me && state.tab !== 'insights') renderList();
}, 5000);
if (state.key) void signIn(state.key);
