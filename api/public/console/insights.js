// Aura Engage agent console, Insights tab: the client's service metrics from GET /v1/insights as
// figures and bar charts, in the console's language. Loaded after console.js, whose helpers (api,
// el, banner, ago, $, t) it uses.
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
      : [el('p', { class: 'muted' }, t('insights.noData'))]),
  );
}

/** The redacted no-match utterances, newest first, to improve the NLU from. */
function noMatchReview(review) {
  const note = review.enabled ? t('insights.reviewOn') : t('insights.reviewOff');
  return el(
    'div',
    { class: 'chart', id: 'no-match' },
    el('h3', {}, t('insights.notUnderstood')),
    el('p', { class: 'muted' }, note),
    review.items.length
      ? el(
          'ul',
          {},
          ...review.items.map((r) => {
            const li = el(
              'li',
              {},
              el('span', { class: 'muted' }, t('insights.ago', { ago: ago(r.at) })),
              r.text,
              ' ',
            );
            li.append(teachControls(r, () => li.remove()));
            return li;
          }),
        )
      : el('p', { class: 'muted' }, t('insights.nothing')),
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
        metric(t('insights.conversations'), i.conversations),
        metric(t('insights.messagesIn'), i.messages.in),
        metric(t('insights.messagesOut'), i.messages.out),
        metric(t('insights.noMatchRate'), pct(i.noMatchRate)),
        metric(t('insights.handoffRate'), pct(i.handoff.rate)),
        metric(t('insights.firstReply'), ms(i.timeToFirstAgentResponseMs.p50)),
        metric(t('insights.resolution'), ms(i.resolutionTimeMs.p50)),
        metric(t('insights.optOuts'), i.optOuts),
        metric(t('insights.delivered'), pct(i.notifications.deliveryRate)),
        metric(t('insights.read'), pct(i.notifications.readRate)),
        metric(t('insights.csatCount'), i.csat.count),
        metric(t('insights.csatAverage'), i.csat.average ?? '—'),
      ),
      bars(t('insights.intents'), i.intents),
      bars(
        t('insights.byType'),
        Object.fromEntries(Object.entries(i.messages.byType).map(([k, v]) => [k, v.in])),
      ),
      bars(t('insights.reasons'), i.handoff.reasons),
      bars(t('insights.csatScores'), i.csat.distribution),
      bars(
        t('insights.csatAgents'),
        Object.fromEntries(Object.entries(i.csat.byAgent).map(([k, v]) => [k, v.average])),
      ),
      noMatchReview(review),
    );
  } catch (err) {
    if (err.status !== 401)
      banner(
        err.status === 403 ? t('insights.needScope') : t('insights.unavailable', { reason: err.message }),
      );
  }
}

$('insights-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void loadInsights();
});
