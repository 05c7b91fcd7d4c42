// Aura Engage agent console, Insights tab: the client's service metrics from GET /v1/insights as
// figures and bar charts. Loaded after console.js, whose helpers (api, el, banner, ago, $) it uses.
'use strict';

function bars(title, data) {
  const entries = Object.entries(data).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  return el(
    'div',
    { class: 'chart' },
    el('h3', {}, title),
    ...(entries.length
      ? entries.map(([k, v]) =>
          el(
            'div',
            { class: 'bar' },
            el('span', {}, k),
            el('span', { class: 'fill', style: `width:${(v / max) * 100}%` }),
            el('span', {}, String(v)),
          ),
        )
      : [el('p', { class: 'muted' }, 'no data')]),
  );
}

/** The redacted no-match utterances, newest first, to improve the NLU from. */
function noMatchReview(review) {
  const note = review.enabled
    ? 'Redacted of numbers, emails, links and known names; kept no longer than transcripts.'
    : 'Review is off: turn on insights.reviewNoMatch in the settings to keep them (redacted).';
  return el(
    'div',
    { class: 'chart', id: 'no-match' },
    el('h3', {}, 'Not understood'),
    el('p', { class: 'muted' }, note),
    review.items.length
      ? el(
          'ul',
          {},
          ...review.items.map((r) => {
            const li = el('li', {}, el('span', { class: 'muted' }, `${ago(r.at)} ago · `), r.text, ' ');
            li.append(teachControls(r, () => li.remove()));
            return li;
          }),
        )
      : el('p', { class: 'muted' }, 'nothing in this period'),
  );
}

async function loadInsights() {
  const to = $('to').value ? new Date(`${$('to').value}T23:59:59Z`) : new Date();
  const from = $('from').value
    ? new Date(`${$('from').value}T00:00:00Z`)
    : new Date(to.getTime() - 30 * 86400000);
  const period = `from=${from.toISOString()}&to=${to.toISOString()}`;
  try {
    const [i, review] = await Promise.all([
      api('GET', `/v1/insights?${period}`),
      api('GET', `/v1/insights/no-match?${period}`),
    ]);
    const pct = (x) => (x === null ? '—' : `${Math.round(x * 100)}%`);
    const ms = (x) => (x === null ? '—' : ago(new Date(Date.now() - x).toISOString()));
    const metric = (label, value) => el('div', { class: 'metric' }, el('b', {}, String(value)), label);
    $('insights-body').replaceChildren(
      el(
        'div',
        { class: 'metrics' },
        metric('conversations', i.conversations),
        metric('messages in', i.messages.in),
        metric('messages out', i.messages.out),
        metric('no-match rate', pct(i.noMatchRate)),
        metric('handoff rate', pct(i.handoff.rate)),
        metric('time to first agent reply (p50)', ms(i.timeToFirstAgentResponseMs.p50)),
        metric('resolution time (p50)', ms(i.resolutionTimeMs.p50)),
        metric('opt-outs', i.optOuts),
        metric('notifications delivered', pct(i.notifications.deliveryRate)),
        metric('notifications read', pct(i.notifications.readRate)),
      ),
      bars('Intents', i.intents),
      bars(
        'Messages in by type',
        Object.fromEntries(Object.entries(i.messages.byType).map(([k, v]) => [k, v.in])),
      ),
      bars('Handoff reasons', i.handoff.reasons),
      noMatchReview(review),
    );
  } catch (err) {
    if (err.status !== 401)
      banner(
        err.status === 403
          ? 'Insights need a key with the settings or admin scope.'
          : `Insights unavailable: ${err.message}`,
      );
  }
}

$('insights-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void loadInsights();
});
