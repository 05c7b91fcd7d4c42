// The phone simulator. Everything goes through the API's /sandbox/api endpoints: the server signs the
// webhook (the browser never sees the app secret) and both sides of each conversation are read back
// from the sandbox Graph API, so a reload shows them again. Texts come from the message catalogue
// (GET /i18n/sandbox.json), in the language picked here (remembered in this browser).
(() => {
  const $ = (id) => document.getElementById(id);
  const LANGS = ['en', 'es', 'pt'];
  let texts = { en: {}, es: {}, pt: {} };
  let names = { en: {}, es: {}, pt: {} };
  let lang = initialLanguage();

  function initialLanguage() {
    const saved = localStorage.getItem('aura.sandbox.lang');
    if (LANGS.includes(saved)) return saved;
    const browser = (navigator.language || 'en').slice(0, 2).toLowerCase();
    return LANGS.includes(browser) ? browser : 'en';
  }

  /** The text of `key` in the page's language, `{placeholders}` filled. */
  function t(key, vars = {}) {
    const text = texts[lang][key] ?? texts.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  }

  function applyTexts() {
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-label]'))
      el.setAttribute('aria-label', t(el.dataset.i18nLabel));
    for (const el of document.querySelectorAll('[data-i18n-placeholder]'))
      el.placeholder = t(el.dataset.i18nPlaceholder);
    for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
    for (const el of document.querySelectorAll('[data-i18n-suffix]'))
      el.textContent = `${el.value.split('|')[1]} · ${t(el.dataset.i18nSuffix)}`;
    for (const option of $('lang').options)
      option.textContent = names[lang][`language.${option.value}`] ?? option.value;
    $('lang').value = lang;
  }

  const currentUser = () => {
    const [id, name] = $('user').value.split('|');
    return { id, name };
  };

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
    if (numbers.length === 0) showError(t('noNumbers'));
    for (const n of numbers) {
      const option = document.createElement('option');
      option.value = n.phoneNumberId;
      option.textContent = `${n.clientName} · ${n.phoneNumberId}`;
      $('number').append(option);
    }
  }

  async function sendText(payload) {
    const user = currentUser();
    const body = { phoneNumberId: $('number').value, userId: user.id, name: user.name, ...payload };
    await call('/sandbox/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
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
    await call(`/sandbox/api/media?${query}`, {
      method: 'POST',
      headers: { 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
    await refresh();
  }

  /** What a bot message says, as text, plus the buttons or rows a user can tap. */
  function describe(body) {
    switch (body.type) {
      case 'text':
        return { text: body.text.body };
      case 'template':
        return {
          text: `📄 ${t('template', { name: body.template.name, language: body.template.language.code })}`,
        };
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
        return { text: t('reacted', { emoji: body.reaction.emoji }) };
      default:
        return { text: `[${body.type}] ${body[body.type]?.caption ?? body[body.type]?.link ?? ''}` };
    }
  }

  /** What the customer sent, as the phone shows it. */
  function mine(m, reads) {
    const text =
      m.kind === 'image'
        ? `🖼️ ${m.text || t('photo')}`
        : m.kind === 'audio'
          ? `🎤 ${t('voiceNote')}`
          : m.text;
    const status = m.webhookStatus !== 200 ? 'failed' : reads.includes(m.wamid) ? 'read' : 'delivered';
    return { side: 'user', at: m.at, text, status };
  }

  function ticks(status) {
    if (status === 'read') return { mark: '✓✓', cls: 'ticks read' };
    if (status === 'delivered') return { mark: '✓✓', cls: 'ticks' };
    if (status === 'sent' || status === 'accepted') return { mark: '✓', cls: 'ticks' };
    if (status === 'failed') return { mark: '⚠', cls: 'ticks failed', title: t('failed') };
    return { mark: '🕓', cls: 'ticks' };
  }

  function bubble(m) {
    const div = document.createElement('div');
    div.className = `bubble ${m.side}`;
    div.dataset.status = m.status;
    div.append(document.createTextNode(m.text));
    if (m.choices?.length) {
      const wrap = div.appendChild(Object.assign(document.createElement('div'), { className: 'choices' }));
      for (const choice of m.choices) {
        const button = Object.assign(document.createElement('button'), {
          type: 'button',
          textContent: choice.title,
        });
        button.onclick = () => sendText({ reply: choice }).catch((e) => showError(e.message));
        wrap.append(button);
      }
    }
    const meta = Object.assign(document.createElement('span'), { className: 'meta' });
    meta.textContent = `${new Date(m.at).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })} `;
    const tick = ticks(m.status);
    meta.append(
      Object.assign(document.createElement('span'), {
        className: tick.cls,
        textContent: tick.mark,
        title: tick.title ?? '',
      }),
    );
    div.append(meta);
    return div;
  }

  async function refresh() {
    if (!$('number').value) return;
    const query = new URLSearchParams({ phoneNumberId: $('number').value, userId: currentUser().id });
    const { messages, inbound, reads } = await call(`/sandbox/api/conversation?${query}`);
    const theirs = messages.map((m) => ({ side: 'bot', at: m.at, status: m.status, ...describe(m.body) }));
    const all = [...(inbound ?? []).map((m) => mine(m, reads)), ...theirs].sort((a, b) => a.at - b.at);
    const chat = $('chat');
    const atBottom = chat.scrollTop + chat.clientHeight >= chat.scrollHeight - 4;
    chat.replaceChildren(...all.map(bubble));
    if (atBottom) chat.scrollTop = chat.scrollHeight;
  }

  const report = (promise) =>
    promise.then(
      () => showError(''),
      (e) => showError(e.message),
    );

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    report(sendText({ text }));
  });
  $('file').addEventListener('change', () => {
    const file = $('file').files[0];
    $('file').value = '';
    if (file) report(sendFile(file));
  });
  $('number').addEventListener('change', () => report(refresh()));
  $('user').addEventListener('change', () => report(refresh()));
  $('lang').addEventListener('change', () => {
    lang = $('lang').value;
    localStorage.setItem('aura.sandbox.lang', lang);
    applyTexts();
    report(refresh());
  });

  Promise.all([call('/i18n/sandbox.json'), call('/i18n/common.json')])
    .then(([sandbox, common]) => {
      texts = sandbox;
      names = common;
      applyTexts();
    })
    .then(loadNumbers)
    .then(refresh)
    .catch((e) => showError(e.message));
  setInterval(() => refresh().catch((e) => showError(e.message)), 1000);
})();
