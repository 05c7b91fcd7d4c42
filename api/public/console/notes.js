// Aura Engage agent console, the card's notes and labels and the list's label filter. Notes are the
// agents' private notes on the customer (never sent to them), labels tag the conversation; both come
// with the card (GET …/contact) and change through POST|DELETE …/notes and …/labels. The list asks
// for one label with GET /v1/conversations?label=…. Loaded after console.js and card.js.
'use strict';

/** The list's label filter as a query-string part (console.js's loadList appends it). */
function labelQuery() {
  const label = $('label-filter').value.trim();
  return label ? `&label=${encodeURIComponent(label)}` : '';
}

const convPath = (id, part) => `/v1/conversations/${encodeURIComponent(id)}/${part}`;

async function changeCard(id, change) {
  try {
    await change();
  } catch (err) {
    if (err.status !== 401) banner(t('notes.failed', { reason: err.message }));
  }
  if (state.card && state.card.id === id) renderNotes(state.card);
}

function labelChip(card, l) {
  return el(
    'li',
    { class: 'label', 'data-label': l.label },
    l.label,
    el(
      'button',
      {
        type: 'button',
        class: 'remove',
        'aria-label': t('labels.remove', { label: l.label }),
        onclick: () =>
          void changeCard(card.id, async () => {
            await api('DELETE', convPath(card.id, `labels/${encodeURIComponent(l.id)}`));
            card.labels = card.labels.filter((x) => x.id !== l.id);
            if ($('label-filter').value.trim()) void loadList();
          }),
      },
      '×',
    ),
  );
}

function noteItem(card, n) {
  return el(
    'li',
    { 'data-note': n.id },
    el('div', { class: 'note-text' }, n.text),
    el(
      'div',
      { class: 'muted' },
      t('notes.by', { author: agentName(n.author, n.authorLabel), date: when(n.createdAt) }),
      ' ',
      el(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () =>
            void changeCard(card.id, async () => {
              await api('DELETE', convPath(card.id, `notes/${encodeURIComponent(n.id)}`));
              card.notes = card.notes.filter((x) => x.id !== n.id);
            }),
        },
        t('notes.delete'),
      ),
    ),
  );
}

function labelForm(card) {
  const input = el('input', {
    id: 'label-input',
    maxlength: '40',
    placeholder: t('labels.placeholder'),
    'aria-label': t('labels.placeholder'),
  });
  return el(
    'form',
    {
      id: 'label-form',
      class: 'inline',
      onsubmit: (e) => {
        e.preventDefault();
        const label = input.value.trim();
        if (!label) return;
        void changeCard(card.id, async () => {
          card.labels = [...card.labels, await api('POST', convPath(card.id, 'labels'), { label })];
        });
      },
    },
    input,
    el('button', { type: 'submit', id: 'label-add' }, t('labels.add')),
  );
}

function noteForm(card) {
  const input = el('textarea', {
    id: 'note-input',
    rows: '2',
    maxlength: '2000',
    placeholder: t('notes.placeholder'),
    'aria-label': t('notes.placeholder'),
  });
  return el(
    'form',
    {
      id: 'note-form',
      onsubmit: (e) => {
        e.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        void changeCard(card.id, async () => {
          card.notes = [await api('POST', convPath(card.id, 'notes'), { text }), ...card.notes];
        });
      },
    },
    input,
    el('button', { type: 'submit', id: 'note-add' }, t('notes.add')),
  );
}

/** The card's labels and notes, with their forms (card.js calls it with each card it renders). */
function renderNotes(card) {
  if (!card) {
    $('labels').replaceChildren();
    $('notes').replaceChildren();
    return;
  }
  const labels = card.labels || [];
  const notes = card.notes || [];
  $('labels').replaceChildren(
    el(
      'ul',
      { id: 'label-list' },
      ...(labels.length
        ? labels.map((l) => labelChip(card, l))
        : [el('li', { class: 'muted' }, t('labels.none'))]),
    ),
    labelForm(card),
  );
  $('notes').replaceChildren(
    noteForm(card),
    el(
      'ul',
      { id: 'note-list' },
      ...(notes.length
        ? notes.map((n) => noteItem(card, n))
        : [el('li', { class: 'muted' }, t('notes.none'))]),
    ),
  );
}

let labelFilterTimer;
$('label-filter').addEventListener('input', () => {
  clearTimeout(labelFilterTimer);
  labelFilterTimer = setTimeout(() => void loadList(), 300);
});
