// Aura Engage agent console, what a message shows: text, the bot's menus, buttons and templates
// with their content, reactions, edits and deletions, and files (GET /v1/conversations/:id/media/:mediaId
// fetched with the key in a header, shown from a blob: URL, so no key or id of the customer's ever
// sits in a URL the browser keeps). Each file is fetched once per opened conversation (each fetch is
// one media.read audit record). Agents send an image or a document with POST /v1/conversations/:id/media.
// Loaded after console.js, whose helpers (api, el, t, lang, state, $, banner, open) it uses.
'use strict';

const mediaUrls = new Map(); // mediaId → Promise<blob: URL>

/** Drops the files of the conversation that was open (their blob: URLs are released). */
function forgetMedia() {
  for (const url of mediaUrls.values()) void url.then((u) => u && URL.revokeObjectURL(u));
  mediaUrls.clear();
}

async function fetchMedia(mediaId) {
  const res = await fetch(
    `/v1/conversations/${encodeURIComponent(state.selected)}/media/${encodeURIComponent(mediaId)}`,
    { headers: { authorization: `Bearer ${state.key}` } },
  );
  if (!res.ok) throw new Error(String(res.status));
  return URL.createObjectURL(await res.blob());
}

function mediaUrl(mediaId) {
  if (!mediaUrls.has(mediaId))
    mediaUrls.set(
      mediaId,
      fetchMedia(mediaId).catch(() => null),
    );
  return mediaUrls.get(mediaId);
}

/** Sets `attr` of `node` to the file's blob: URL once it is fetched (or says it is unavailable). */
function withFile(node, attr, mediaId) {
  void mediaUrl(mediaId).then((url) => {
    if (url) node.setAttribute(attr, url);
    else node.replaceWith(el('span', { class: 'muted' }, t('media.unavailable')));
  });
  return node;
}

function size(bytes) {
  if (typeof bytes !== 'number') return '?';
  const units = ['B', 'KB', 'MB', 'GB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u += 1;
  }
  return `${new Intl.NumberFormat(lang(), { maximumFractionDigits: u ? 1 : 0 }).format(n)} ${units[u]}`;
}

function downloadLink(media) {
  const name = media.fileName || `${media.kind}`;
  const link = el(
    'a',
    { class: 'download', href: '#' },
    t('media.download', { name, size: size(media.size) }),
  );
  link.addEventListener('click', async (e) => {
    e.preventDefault();
    const url = await mediaUrl(media.mediaId);
    if (!url) return banner(t('media.unavailable'));
    const a = el('a', { href: url, download: name, hidden: '' });
    document.body.append(a);
    a.click();
    a.remove();
  });
  return link;
}

function imageNode(media, sticker) {
  const img = el('img', {
    class: sticker ? 'sticker' : 'photo',
    alt: t(sticker ? 'media.sticker' : 'media.photo'),
    title: sticker ? '' : t('media.enlarge'),
  });
  if (!sticker) img.addEventListener('click', () => img.classList.toggle('enlarged'));
  return withFile(img, 'src', media.mediaId);
}

/** The file of a message, rendered by its kind. */
function fileNode(media) {
  if (media.status === 'pending') return el('span', { class: 'muted' }, t('media.pending'));
  if (media.status === 'failed') return el('span', { class: 'muted' }, t('media.failed'));
  switch (media.kind) {
    case 'image':
      return imageNode(media, false);
    case 'sticker':
      return imageNode(media, true);
    case 'audio':
      return el(
        'div',
        { class: 'audio' },
        withFile(
          el('audio', { controls: '', preload: 'auto', title: t('media.voice') }),
          'src',
          media.mediaId,
        ),
        media.transcript
          ? el('div', { class: 'heard muted' }, t('media.heard', { text: media.transcript }))
          : '',
      );
    case 'video':
      return withFile(el('video', { controls: '', preload: 'metadata' }), 'src', media.mediaId);
    default:
      return downloadLink(media);
  }
}

function locationNode(p) {
  const lat = Number(p.latitude);
  const lon = Number(p.longitude);
  if (!Number.isFinite(lat) || !Number.isFinite(lon))
    return el('span', {}, t('content.unknown', { type: 'location' }));
  const map = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;
  return el(
    'div',
    { class: 'location' },
    el('div', {}, t('media.location', { latitude: lat.toFixed(5), longitude: lon.toFixed(5) })),
    p.name || p.address ? el('div', { class: 'muted' }, [p.name, p.address].filter(Boolean).join(' · ')) : '',
    el('a', { href: map, target: '_blank', rel: 'noopener noreferrer' }, t('media.map')),
  );
}

function contactsNode(contacts) {
  return el(
    'div',
    { class: 'contacts' },
    ...(Array.isArray(contacts) ? contacts : []).map((c) =>
      el(
        'div',
        { class: 'contact-card' },
        el('strong', {}, t('media.contact')),
        el('div', {}, (c.name && c.name.formatted_name) || ''),
        ...(c.phones || []).map((p) => el('div', { class: 'muted' }, p.phone || p.wa_id || '')),
        ...(c.emails || []).map((m) => el('div', { class: 'muted' }, m.email || '')),
      ),
    ),
  );
}

function chips(titles) {
  return el('div', { class: 'chips' }, ...titles.map((title) => el('span', { class: 'chip' }, title)));
}

/** The bot's (or an agent's) interactive messages with their content, and templates with their values. */
function outboundNode(c) {
  const parts = (...nodes) => el('div', { class: 'rich' }, ...nodes.filter(Boolean));
  const framed = (...inner) =>
    parts(
      c.header ? el('strong', {}, c.header) : '',
      el('div', {}, c.body || ''),
      ...inner,
      c.footer ? el('div', { class: 'muted' }, c.footer) : '',
    );
  if (c.type === 'text') return document.createTextNode(c.body);
  if (c.type === 'buttons') return framed(chips((c.buttons || []).map((b) => b.title)));
  if (c.type === 'list')
    return framed(
      el('div', { class: 'muted' }, t('content.list', { button: c.button || '' })),
      ...(c.sections || []).map((s) =>
        el(
          'div',
          { class: 'section' },
          s.title ? el('em', {}, s.title) : '',
          el(
            'ul',
            {},
            ...(s.rows || []).map((r) =>
              el(
                'li',
                {},
                r.title,
                r.description ? el('span', { class: 'muted' }, ` — ${r.description}`) : '',
              ),
            ),
          ),
        ),
      ),
    );
  if (c.type === 'template')
    return parts(
      el('strong', {}, t('content.template', { name: c.name })),
      c.parameters && c.parameters.length
        ? el('div', {}, t('content.templateParams', { params: c.parameters.join(' · ') }))
        : '',
    );
  if (c.type === 'reaction') return document.createTextNode(t('content.reaction', { emoji: c.emoji }));
  if (c.type === 'media') return document.createTextNode(c.caption || '');
  return document.createTextNode(t('content.unknown', { type: c.type }));
}

/** A customer's message by its WhatsApp type (files are added by messageBody). */
function inboundNode(m) {
  const c = m.content || {};
  const p = c.payload || {};
  if (m.type === 'location') return locationNode(p);
  if (m.type === 'contacts') return contactsNode(p.contacts);
  if (m.type === 'reaction') return document.createTextNode(t('content.reaction', { emoji: p.emoji || '' }));
  if (m.type === 'revoke') return el('em', { class: 'muted' }, t('content.deleted'));
  if (m.type === 'edit')
    return el('span', {}, el('em', { class: 'muted' }, `${t('content.edited')}: `), c.text || '');
  if (m.type === 'interactive' || m.type === 'button')
    return document.createTextNode(t('content.tapped', { title: c.text || '' }));
  if (typeof c.text === 'string') return document.createTextNode(c.text);
  if (m.media) return document.createTextNode('');
  return document.createTextNode(t('content.unknown', { type: m.type }));
}

/** What a transcript message shows: its content, then its file (if it carries one). */
function messageBody(m) {
  const text = !m.content ? '' : m.direction === 'out' ? outboundNode(m.content) : inboundNode(m);
  if (!m.media) return text;
  return el('div', { class: 'with-file' }, fileNode(m.media), text);
}

/** Sends the chosen file (image or document) as the agent, with the reply box's text as its caption. */
async function sendFile(file) {
  const id = state.selected;
  const form = new FormData();
  const caption = $('reply').value.trim();
  if (caption) form.append('caption', caption);
  form.append('clientMessageId', crypto.randomUUID());
  form.append('file', file, file.name);
  banner(t('attach.sending', { name: file.name }), 'info');
  const res = await fetch(`/v1/conversations/${encodeURIComponent(id)}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${state.key}` },
    body: form,
  });
  const json = await res.json().catch(() => null);
  if (res.ok) {
    $('reply').value = '';
    banner(t('attach.sent', { name: file.name }), 'info');
  } else {
    const e = (json && json.error) || {};
    banner(notSent({ message: e.message || String(res.status), details: e.details }));
  }
  await open(id, { quiet: true });
}

$('attach').addEventListener('click', () => $('attach-file').click());
$('attach-file').addEventListener('change', () => {
  const file = $('attach-file').files[0];
  $('attach-file').value = '';
  if (file && state.selected) void sendFile(file);
});
