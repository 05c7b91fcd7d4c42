// Aura Engage agent console, Bot tab: the FAQ entries the business teaches its bot, per language,
// over /v1/bot/faq (keys with the settings or admin scope), and the "teach" controls the Insights
// tab puts beside each no-match utterance, in the console's language. Loaded after console.js, whose
// helpers (api, el, banner, $, state, t) it uses.
'use strict';

const bot = { entries: [], editing: null };

const mayTeach = () =>
  Boolean(state.me && (state.me.scopes.includes('settings') || state.me.scopes.includes('admin')));

document.addEventListener('aura:signed-in', () => {
  $('bot-tab').hidden = !mayTeach();
});

const lines = (text) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The answer the form describes: a text, with buttons (comma-separated) or a link. */
function formAnswer() {
  const buttons = $('faq-buttons')
    .value.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const url = $('faq-link').value.trim();
  return {
    text: $('faq-answer').value.trim(),
    ...(buttons.length ? { buttons } : {}),
    ...(url ? { link: { url } } : {}),
  };
}

function fillForm(entry) {
  bot.editing = entry ? entry.id : null;
  $('faq-language').value = entry ? entry.language : $('faq-filter').value || 'en';
  $('faq-language').disabled = Boolean(entry);
  $('faq-examples').value = entry ? entry.examples.join('\n') : '';
  $('faq-answer').value = entry ? entry.answer.text : '';
  $('faq-buttons').value = entry && entry.answer.buttons ? entry.answer.buttons.join(', ') : '';
  $('faq-link').value = entry && entry.answer.link ? entry.answer.link.url : '';
  $('faq-save').textContent = t(entry ? 'faq.saveChanges' : 'faq.add');
  $('faq-cancel').hidden = !entry;
}

function moreExamples(count) {
  if (count < 1) return '';
  return ` ${count === 1 ? t('faq.oneMoreExample') : t('faq.moreExamples', { count })}`;
}

function entryRow(entry) {
  return el(
    'li',
    { class: 'faq', 'data-id': entry.id },
    el('span', { class: 'pill' }, entry.language),
    el('b', {}, entry.examples[0] || ''),
    el('span', { class: 'muted' }, moreExamples(entry.examples.length - 1)),
    el('p', { class: 'answer' }, entry.answer.text),
    el('button', { class: 'faq-edit', onclick: () => fillForm(entry) }, t('faq.edit')),
    el('button', { class: 'faq-delete', onclick: () => void removeEntry(entry) }, t('faq.delete')),
  );
}

async function loadBot() {
  const lang = $('faq-filter').value;
  try {
    const { entries } = await api('GET', `/v1/bot/faq${lang ? `?language=${lang}` : ''}`);
    if ($('faq-filter').value !== lang) return; // a later load, for the filter now chosen, shows its own
    bot.entries = entries;
    $('faq-list').replaceChildren(...entries.map(entryRow));
    $('faq-empty').hidden = entries.length > 0;
  } catch (err) {
    if (err.status !== 401)
      banner(err.status === 403 ? t('faq.needScope') : t('faq.unavailable', { reason: err.message }));
  }
}

async function saveEntry() {
  const body = { examples: lines($('faq-examples').value), answer: formAnswer() };
  try {
    if (bot.editing) await api('PUT', `/v1/bot/faq/${encodeURIComponent(bot.editing)}`, body);
    else await api('POST', '/v1/bot/faq', { language: $('faq-language').value, ...body });
    banner(t(bot.editing ? 'faq.saved' : 'faq.added'), 'info');
    fillForm(null);
    await loadBot();
  } catch (err) {
    if (err.status !== 401) banner(t('faq.notSaved', { reason: err.message }));
  }
}

async function removeEntry(entry) {
  if (!confirm(t('faq.confirmDelete', { question: entry.examples[0] || entry.id }))) return;
  try {
    await api('DELETE', `/v1/bot/faq/${encodeURIComponent(entry.id)}`);
    if (bot.editing === entry.id) fillForm(null);
    await loadBot();
  } catch (err) {
    if (err.status !== 401) banner(t('faq.notDeleted', { reason: err.message }));
  }
}

/**
 * Controls beside a no-match utterance (Insights): add it as an example of an entry of its
 * language, or make it a new entry with an answer. The item leaves the list once taught.
 */
function teachControls(item, onTaught) {
  if (!mayTeach()) return el('span');
  const select = el(
    'select',
    { class: 'teach-entry', 'aria-label': t('teach.as') },
    el('option', { value: '' }, t('teach.newEntry')),
  );
  const answer = el('input', { class: 'teach-answer', placeholder: t('teach.answer') });
  const fill = async () => {
    const { entries } = await api('GET', `/v1/bot/faq?language=${item.language || 'en'}`);
    for (const e of entries) select.append(el('option', { value: e.id }, e.examples[0] || e.id));
  };
  void fill().catch(() => undefined);
  select.addEventListener('change', () => (answer.hidden = Boolean(select.value)));
  const teach = async () => {
    const body = select.value ? { entryId: select.value } : { answer: { text: answer.value.trim() } };
    try {
      await api('POST', `/v1/insights/no-match/${encodeURIComponent(item.id)}/teach`, body);
      banner(t('teach.done'), 'info');
      onTaught();
    } catch (err) {
      if (err.status !== 401) banner(t('teach.failed', { reason: err.message }));
    }
  };
  return el(
    'span',
    { class: 'teach' },
    select,
    answer,
    el('button', { onclick: () => void teach() }, t('teach.submit')),
  );
}

$('faq-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void saveEntry();
});
$('faq-cancel').addEventListener('click', () => fillForm(null));
$('faq-filter').addEventListener('change', () => void loadBot());
