// Aura Engage agent console, canned responses: typing `/` at the start of the reply box opens a
// picker of the client's canned responses in the conversation's language, their variables filled by
// the server (GET /v1/conversations/:id/canned-responses: one canned.render audit record when the
// customer's name is filled in). Choosing one puts its text in the reply box; the agent sends it as
// any reply (POST …/messages), so the window, opt-out and pacing rules apply. Loaded after console.js.
'use strict';

const canned = { open: false, items: [], shown: [], active: 0, ref: null };

/** What follows the `/` when the reply box holds only `/word`; null otherwise. */
function cannedQuery() {
  const m = /^\/([\w-]*)$/.exec($('reply').value);
  return m ? m[1].toLowerCase() : null;
}

function closeCanned() {
  canned.open = false;
  $('canned-picker').hidden = true;
  $('reply').setAttribute('aria-expanded', 'false');
}

function renderCanned(query) {
  canned.shown = canned.items.filter((r) => r.shortcut.startsWith(query));
  canned.active = Math.min(canned.active, Math.max(0, canned.shown.length - 1));
  $('canned-picker').replaceChildren(
    ...(canned.shown.length
      ? canned.shown.map((r, i) =>
          el(
            'li',
            {
              role: 'option',
              'data-shortcut': r.shortcut,
              'aria-selected': String(i === canned.active),
              class: i === canned.active ? 'active' : '',
              onmousedown: (e) => {
                e.preventDefault(); // keep the reply box focused
                chooseCanned(r);
              },
            },
            el('strong', {}, `/${r.shortcut}`),
            ' ',
            el('span', { class: 'muted' }, r.text),
          ),
        )
      : [el('li', { class: 'muted' }, t('canned.none', { query }))]),
  );
  $('canned-picker').hidden = false;
  canned.open = true;
  $('reply').setAttribute('aria-expanded', 'true');
}

/** Loads the responses once per `/` typed in a conversation: the order or the name may have changed. */
async function openCanned(query) {
  const ref = state.selected;
  if (!canned.open || canned.ref !== ref) {
    try {
      const { responses } = await api('GET', `/v1/conversations/${encodeURIComponent(ref)}/canned-responses`);
      if (state.selected !== ref || cannedQuery() === null) return;
      canned.items = responses;
      canned.ref = ref;
      canned.active = 0;
    } catch (err) {
      if (err.status !== 401) banner(t('canned.unavailable', { reason: err.message }));
      return;
    }
  }
  // What the box holds now: keys typed while the list loaded have moved on from `query`.
  renderCanned(cannedQuery() ?? query);
}

function chooseCanned(r) {
  $('reply').value = r.text;
  closeCanned();
  banner(r.missing.length ? t('canned.missing', { variables: r.missing.join(', ') }) : '', 'info');
  $('reply').focus();
}

$('reply').addEventListener('input', () => {
  const query = cannedQuery();
  if (query === null) closeCanned();
  else void openCanned(query);
});
$('reply').addEventListener('keydown', (e) => {
  if (!canned.open) return;
  if (e.key === 'Escape') closeCanned();
  else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    const n = canned.shown.length;
    if (n) canned.active = (canned.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
    renderCanned(cannedQuery() || '');
  } else if (e.key === 'Enter' && canned.shown[canned.active]) chooseCanned(canned.shown[canned.active]);
  else return;
  e.preventDefault();
});
$('reply').addEventListener('blur', () => closeCanned());
