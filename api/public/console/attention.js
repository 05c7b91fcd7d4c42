// Aura Engage agent console, attention: a browser notification (once the agent allowed them, asked
// on a click) and an unread count in the tab's title for a new queued conversation (unless the agent
// is away) or a new message in one of the agent's own conversations, while the agent is not looking
// at the tab; and the queue's wait times coloured against the client's SLA. Notifications carry no
// customer data: a fixed text and the conversation's opaque ref as their tag. Loaded after
// console.js, live.js and availability.js, whose helpers (state, $, t, el, open) it uses.
'use strict';

/** Amber from this fraction of the SLA on, red past it. */
const SLA_AMBER = 0.75;
const BASE_TITLE = document.title;
state.unread = 0;

/** The agent sees the page: the tab is visible and the window focused. */
function looking() {
  return document.visibilityState === 'visible' && document.hasFocus();
}

function renderTitle() {
  document.title = state.unread > 0 ? `(${state.unread}) ${BASE_TITLE}` : BASE_TITLE;
}

/** Attributes of a queue row's wait time: amber near the SLA, red past it (or once escalated). */
function waitAttrs(c, escalated) {
  if (!c.queue || c.mode !== 'queued' || !state.slaMinutes)
    return { class: escalated ? 'escalated' : 'muted' };
  const waited = (Date.now() - Date.parse(c.queue.queuedAt)) / 60000;
  const minutes = state.slaMinutes;
  if (escalated || waited >= minutes)
    return { class: 'wait sla-past', title: t('attention.slaPast', { minutes }) };
  if (waited >= minutes * SLA_AMBER)
    return { class: 'wait sla-near', title: t('attention.slaNear', { minutes }) };
  return { class: 'wait muted' };
}

function renderNotifyButton() {
  const can = 'Notification' in window && Notification.permission === 'default' && state.me;
  let button = $('notify');
  if (!can) {
    if (button) button.remove();
    return;
  }
  if (!button) {
    button = el('button', { id: 'notify', type: 'button', onclick: () => void askPermission() });
    $('agent-controls').append(button);
  }
  button.textContent = t('attention.enable');
}

// Browsers grant the permission only from a user gesture: the button's click.
async function askPermission() {
  await Notification.requestPermission();
  renderNotifyButton();
}

function notify(event) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const title = t(event.type === 'queued' ? 'attention.queued' : 'attention.message');
  const note = new Notification(title, { tag: event.id, lang: document.documentElement.lang });
  note.onclick = () => {
    window.focus();
    note.close();
    void open(event.id);
  };
}

/** Whether a live event asks for the agent's attention. */
function wantsAttention(event) {
  if (!state.me) return false;
  if (event.type === 'queued') return state.availability !== 'away';
  return event.type === 'message' && event.agent === `agent:${state.me.keyId}`;
}

document.addEventListener('aura:event', (e) => {
  const event = e.detail;
  if (!wantsAttention(event) || looking()) return;
  state.unread += 1;
  renderTitle();
  notify(event);
});

function seen() {
  if (!looking() || state.unread === 0) return;
  state.unread = 0;
  renderTitle();
}
document.addEventListener('visibilitychange', seen);
window.addEventListener('focus', seen);
document.addEventListener('aura:signed-in', renderNotifyButton);
document.addEventListener('aura:signed-out', () => {
  state.unread = 0;
  renderTitle();
  renderNotifyButton();
});
