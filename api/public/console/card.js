// Aura Engage agent console, the customer card beside the transcript (GET /v1/conversations/:id/contact):
// who the customer is, consent, the 24-hour window, past handoffs and orders. Each load is one
// contact.read audit record. Loaded after console.js, whose helpers (api, el, t, lang, state, $) it uses.
'use strict';

/** An amount in minor units, with the currency's own number of decimals (JPY 0, EUR 2, KWD 3). */
function money(minor, currency) {
  if (minor === null || minor === undefined) return t('orders.notPriced', { currency });
  try {
    const format = new Intl.NumberFormat(lang(), { style: 'currency', currency });
    return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
  } catch {
    return `${minor} ${currency}`;
  }
}

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const minutes = Math.max(1, Math.round(ms / 60000));
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Only web links leave the console (a tracking URL is the client's data, not ours). */
function safeLink(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

function fact(label, ...value) {
  return el('div', { class: 'fact' }, el('dt', {}, label), el('dd', {}, ...value));
}

function addressLine(a) {
  return [a.name, ...(a.lines || []), [a.postalCode, a.city].filter(Boolean).join(' '), a.region, a.country]
    .filter(Boolean)
    .join(', ');
}

function orderItem(o) {
  const link = o.trackingUrl && safeLink(o.trackingUrl);
  return el(
    'li',
    { 'data-order': o.orderId },
    `${o.orderId} · ${t(`orders.status.${o.status}`)}`,
    el('div', { class: 'muted' }, money(o.total, o.currency)),
    el(
      'ul',
      { class: 'items' },
      ...o.items.map((i) => el('li', {}, t('orders.item', { quantity: i.quantity, name: i.name }))),
    ),
    el('div', { class: 'muted address' }, t('orders.shipTo', { address: addressLine(o.deliveryAddress) })),
    link
      ? el(
          'a',
          { class: 'tracking', href: link, target: '_blank', rel: 'noopener noreferrer' },
          t('orders.track', { carrier: o.carrier || '', number: o.trackingNumber || '' }),
        )
      : '',
  );
}

function pastItem(p) {
  return el(
    'li',
    {},
    t('card.pastItem', {
      date: when(p.resolvedAt),
      agent: agentName(p.agent || '', p.agentLabel),
      duration: duration(p.durationMs),
    }),
  );
}

function consentText(card) {
  const state = card.optedOut ? t('card.optedOut') : t('card.subscribed');
  return card.consentChangedAt
    ? `${state} · ${t('card.consentChanged', { date: when(card.consentChangedAt) })}`
    : state;
}

function renderCard(card) {
  const languageName = card.language ? t(`language.${card.language}`) : t('card.languageUnknown');
  $('card-body').replaceChildren(
    el('p', { id: 'card-name', class: card.name ? 'name' : 'muted' }, card.name || t('card.noName')),
    el(
      'dl',
      {},
      card.phone ? fact(t('card.phone'), el('span', { id: 'card-phone' }, `+${card.phone}`)) : '',
      card.userId ? fact(t('card.userId'), el('span', { id: 'card-phone' }, card.userId)) : '',
      fact(t('card.language'), languageName),
      fact(t('card.consent'), consentText(card)),
      fact(t('card.firstContact'), when(card.firstContactAt)),
      fact(
        t('card.window'),
        card.windowOpen ? t('card.windowOpen', { time: when(card.windowOpenUntil) }) : t('card.windowClosed'),
      ),
    ),
    el('h4', {}, t('card.past')),
    el(
      'ul',
      { id: 'past' },
      ...(card.pastConversations.length
        ? card.pastConversations.map(pastItem)
        : [el('li', { class: 'muted' }, t('card.pastNone'))]),
    ),
  );
  $('orders').replaceChildren(
    ...(card.orders.length ? card.orders.map(orderItem) : [el('li', { class: 'muted' }, t('orders.none'))]),
  );
}

async function loadCard(id) {
  try {
    const card = await api('GET', `/v1/conversations/${encodeURIComponent(id)}/contact`);
    if (state.selected !== id) return;
    state.card = { ...card, id };
    renderCard(card);
    renderNotes(state.card);
    if (state.conv && state.conv.id === id && card.name) $('conv-title').textContent = card.name;
  } catch (err) {
    if (err.status === 401 || state.selected !== id) return;
    state.card = null;
    $('card-body').replaceChildren(
      el('p', { class: 'muted' }, t('card.unavailable', { reason: err.message })),
    );
    $('orders').replaceChildren(el('li', { class: 'muted' }, t('orders.unavailable')));
    renderNotes(null);
  }
}

/**
 * Re-reads the card only when an order of the customer changed: the order list (ids, statuses and
 * totals, no personal data) is cheap and unaudited; the card is personal data, one `contact.read` a read.
 */
async function refreshCard(id) {
  if (!state.card || state.card.id !== id) return loadCard(id);
  try {
    const { orders } = await api('GET', `/v1/conversations/${encodeURIComponent(id)}/orders`);
    const seen = (list) =>
      list
        .map((o) => `${o.orderId}:${o.status}`)
        .sort()
        .join(',');
    if (state.selected === id && seen(orders) !== seen(state.card.orders)) await loadCard(id);
  } catch {
    // Offline for a moment: the card stays as it was, the next tick tries again.
  }
}
