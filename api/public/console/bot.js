// Aura Engage agent console, Bot tab: the FAQ entries the business teaches its bot, per language,
// over /v1/bot/faq (keys with the settings or admin scope), and the "teach" controls the Insights
// tab puts beside each no-match utterance. Loaded after console.js, whose helpers (api, el, banner,
// $, state) it uses.
'use strict';

const LANGS = { en: 'English', es: 'Spanish', pt: 'Portuguese' };
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
  $('faq-save').textContent = entry ? 'Save changes' : 'Add entry';
  $('faq-cancel').hidden = !entry;
}

function entryRow(entry) {
  return el(
    'li',
    { class: 'faq', 'data-id': entry.id },
    el('span', { class: 'pill' }, entry.language),
    el('b', {}, entry.examples[0] || ''),
    el('span', { class: 'muted' }, ` +${entry.examples.length - 1} examples`),
    el('p', { class: 'answer' }, entry.answer.text),
    el('button', { class: 'faq-edit', onclick: () => fillForm(entry) }, 'Edit'),
    el('button', { class: 'faq-delete', onclick: () => void removeEntry(entry) }, 'Delete'),
  );
}

async function loadBot() {
  const lang = $('faq-filter').value;
  try {
    const { entries } = await api('GET', `/v1/bot/faq${lang ? `?language=${lang}` : ''}`);
    bot.entries = entries;
    $('faq-list').replaceChildren(...entries.map(entryRow));
    $('faq-empty').hidden = entries.length > 0;
  } catch (err) {
    if (err.status !== 401)
      banner(
        err.status === 403
          ? 'The bot tab needs a key with the settings or admin scope.'
          : `Bot entries unavailable: ${err.message}`,
      );
  }
}

async function saveEntry() {
  const body = { examples: lines($('faq-examples').value), answer: formAnswer() };
  try {
    if (bot.editing) await api('PUT', `/v1/bot/faq/${encodeURIComponent(bot.editing)}`, body);
    else await api('POST', '/v1/bot/faq', { language: $('faq-language').value, ...body });
    banner(bot.editing ? 'Entry saved: the bot answers with it now.' : 'Entry added.', 'info');
    fillForm(null);
    await loadBot();
  } catch (err) {
    if (err.status !== 401) banner(`Not saved: ${err.message}`);
  }
}

async function removeEntry(entry) {
  if (!confirm(`Delete the entry "${entry.examples[0]}"?`)) return;
  try {
    await api('DELETE', `/v1/bot/faq/${encodeURIComponent(entry.id)}`);
    if (bot.editing === entry.id) fillForm(null);
    await loadBot();
  } catch (err) {
    if (err.status !== 401) banner(`Not deleted: ${err.message}`);
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
    { class: 'teach-entry', 'aria-label': 'teach as' },
    el('option', { value: '' }, 'new entry…'),
  );
  const answer = el('input', { class: 'teach-answer', placeholder: 'answer for a new entry' });
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
      banner('Taught: the bot knows it now.', 'info');
      onTaught();
    } catch (err) {
      if (err.status !== 401) banner(`Not taught: ${err.message}`);
    }
  };
  return el(
    'span',
    { class: 'teach' },
    select,
    answer,
    el('button', { onclick: () => void teach() }, 'Teach the bot'),
  );
}

$('faq-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void saveEntry();
});
$('faq-cancel').addEventListener('click', () => fillForm(null));
$('faq-filter').addEventListener('change', () => void loadBot());
