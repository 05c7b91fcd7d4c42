// The phone simulator. Everything goes through the API's /sandbox/api endpoints: the server signs the
// webhook (the browser never sees the app secret) and reads replies back from the sandbox Graph API.
(() => {
  const $ = (id) => document.getElementById(id);
  const sentByUser = new Map(); // key "number|user" → [{ wamid, text, at, webhookStatus }]
  const key = () => `${$('number').value}|${currentUser().id}`;

  function currentUser() {
    const [id, name] = $('user').value.split('|');
    return { id, name };
  }

  function showError(message) {
    $('error').textContent = message || '';
  }

  async function call(url, options) {
    const res = await fetch(url, options);
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.error?.message || `HTTP ${res.status}`);
    return json;
  }

  async function loadNumbers() {
    const { numbers } = await call('/sandbox/api/numbers');
    for (const n of numbers) {
      const option = document.createElement('option');
      option.value = n.phoneNumberId;
      option.textContent = `${n.clientName} · ${n.phoneNumberId}`;
      $('number').append(option);
    }
  }

  function remember(result, text) {
    const list = sentByUser.get(key()) ?? [];
    list.push({ ...result, text, at: Date.now() });
    sentByUser.set(key(), list);
  }

  async function sendText(payload, label) {
    const user = currentUser();
    const body = { phoneNumberId: $('number').value, userId: user.id, name: user.name, ...payload };
    const result = await call('/sandbox/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    remember(result, label);
    await refresh();
  }

  async function sendFile(file) {
    const user = currentUser();
    const kind = file.type.startsWith('audio/') ? 'audio' : 'image';
    const query = new URLSearchParams({
      phoneNumberId: $('number').value,
      userId: user.id,
      name: user.name,
      kind,
    });
    const result = await call(`/sandbox/api/media?${query}`, {
      method: 'POST',
      headers: { 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
    remember(result, kind === 'audio' ? `🎤 voice note (${file.name})` : `🖼️ ${file.name}`);
    await refresh();
  }

  /** What a bot message says, as text, plus the buttons or rows a user can tap. */
  function describe(body) {
    switch (body.type) {
      case 'text':
        return { text: body.text.body };
      case 'template':
        return { text: `📄 template “${body.template.name}” (${body.template.language.code})` };
      case 'interactive': {
        const i = body.interactive;
        if (i.type === 'button')
          return {
            text: i.body.text,
            choices: i.action.buttons.map((b) => ({ kind: 'button', ...b.reply })),
          };
        const rows = i.action.sections.flatMap((s) => s.rows);
        return { text: i.body.text, choices: rows.map((r) => ({ kind: 'list', id: r.id, title: r.title })) };
      }
      case 'reaction':
        return { text: `reacted ${body.reaction.emoji}` };
      default:
        return { text: `[${body.type}] ${body[body.type]?.caption ?? body[body.type]?.link ?? ''}` };
    }
  }

  function ticks(status) {
    if (status === 'read') return { mark: '✓✓', cls: 'ticks read' };
    if (status === 'delivered') return { mark: '✓✓', cls: 'ticks' };
    if (status === 'sent' || status === 'accepted') return { mark: '✓', cls: 'ticks' };
    return { mark: '🕓', cls: 'ticks' };
  }

  function bubble(side, text, at, status, choices) {
    const div = document.createElement('div');
    div.className = `bubble ${side}`;
    div.dataset.status = status;
    div.append(document.createTextNode(text));
    for (const choice of choices ?? []) {
      const wrap =
        div.querySelector('.choices') ??
        div.appendChild(Object.assign(document.createElement('div'), { className: 'choices' }));
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = choice.title;
      button.onclick = () => sendText({ reply: choice }, choice.title).catch((e) => showError(e.message));
      wrap.append(button);
    }
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) + ' ';
    const t = ticks(status);
    const mark = Object.assign(document.createElement('span'), { className: t.cls, textContent: t.mark });
    meta.append(mark);
    div.append(meta);
    return div;
  }

  async function refresh() {
    if (!$('number').value) return;
    const query = new URLSearchParams({ phoneNumberId: $('number').value, userId: currentUser().id });
    const { messages, reads } = await call(`/sandbox/api/conversation?${query}`);
    const mine = (sentByUser.get(key()) ?? []).map((m) => ({
      side: 'user',
      at: m.at,
      text: m.text,
      status: reads.includes(m.wamid) ? 'read' : m.webhookStatus === 200 ? 'delivered' : 'failed',
    }));
    const theirs = messages.map((m) => ({ side: 'bot', at: m.at, status: m.status, ...describe(m.body) }));
    const all = [...mine, ...theirs].sort((a, b) => a.at - b.at);
    $('chat').replaceChildren(...all.map((m) => bubble(m.side, m.text, m.at, m.status, m.choices)));
    $('chat').scrollTop = $('chat').scrollHeight;
  }

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    sendText({ text }, text).then(
      () => showError(''),
      (e) => showError(e.message),
    );
  });
  $('file').addEventListener('change', () => {
    const file = $('file').files[0];
    $('file').value = '';
    if (file)
      sendFile(file).then(
        () => showError(''),
        (e) => showError(e.message),
      );
  });
  $('number').addEventListener('change', () => refresh().catch((e) => showError(e.message)));
  $('user').addEventListener('change', () => refresh().catch((e) => showError(e.message)));

  loadNumbers()
    .then(refresh)
    .catch((e) => showError(e.message));
  setInterval(() => refresh().catch((e) => showError(e.message)), 1000);
})();
