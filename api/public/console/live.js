// Aura Engage agent console, live updates: server-sent events over fetch (so the key stays in a
// header), reconnecting with backoff; each event re-reads what it concerns. Loaded after console.js,
// whose helpers (state, $, t, loadList, open, api, signOut) it uses.
'use strict';

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
      if (res.status === 401) return signOut(t('signIn.expired'));
      if (!res.ok || !res.body) throw new Error(String(res.status));
      $('live').textContent = t('live.on');
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
    $('live').textContent = t('live.reconnecting');
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

function onEvent(event) {
  document.dispatchEvent(new CustomEvent('aura:event', { detail: event })); // attention.js
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
