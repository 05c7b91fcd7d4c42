// Aura Engage agent console, availability: the agent sets itself available or away
// (PUT /v1/agents/me/availability). Away: attention.js shows no queue notifications, and the
// conversation workflow does not count this key as present when a handoff passes its SLA. Also
// reads the client's handoff SLA (GET /v1/agents/me) for the queue's colours. Loaded after
// console.js, whose helpers (state, $, t, el, api, banner, renderList) it uses.
'use strict';

state.availability = null; // 'available' | 'away' once read
state.slaMinutes = null;

function renderAvailability() {
  const controls = $('agent-controls');
  let button = $('availability');
  if (!state.me || !state.availability) {
    if (button) button.remove();
    return;
  }
  if (!button) {
    button = el('button', { id: 'availability', type: 'button', onclick: () => void toggleAvailability() });
    controls.prepend(button);
  }
  button.textContent = t(`availability.${state.availability}`);
  button.dataset.status = state.availability;
  button.title = state.availability === 'away' ? t('availability.awayNote') : t('availability.toggle');
  button.setAttribute('aria-pressed', String(state.availability === 'away'));
}

async function loadAgent() {
  try {
    const me = await api('GET', '/v1/agents/me');
    state.availability = me.availability.status;
    state.slaMinutes = me.handoff.slaMinutes;
    renderAvailability();
    renderList();
  } catch (err) {
    if (err.status !== 401) banner(t('availability.failed', { reason: err.message }));
  }
}

async function toggleAvailability() {
  const status = state.availability === 'away' ? 'available' : 'away';
  try {
    state.availability = (await api('PUT', '/v1/agents/me/availability', { status })).status;
    renderAvailability();
    banner(status === 'away' ? t('availability.awayNote') : '', 'info');
  } catch (err) {
    if (err.status !== 401) banner(t('availability.failed', { reason: err.message }));
  }
}

document.addEventListener('aura:signed-in', () => void loadAgent());
document.addEventListener('aura:signed-out', () => {
  state.availability = null;
  state.slaMinutes = null;
  renderAvailability();
});
