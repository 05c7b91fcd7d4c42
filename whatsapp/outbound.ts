/**
 * What we send, as JSON-plain content that workflows can carry, and its mapping to the Graph API's
 * message body. WhatsApp's limits are enforced here, before anything is sent, with an error naming
 * the limit.
 */
/** A template header's parameter: its text, or the media it shows (by link). */
export type TemplateHeader =
  /** `name`: the placeholder's, for a template that names it (`{{sale_name}}`). */
  { type: 'text'; text: string; name?: string } | { type: 'image' | 'video' | 'document'; link: string };

/** A template button's parameter, by the button's index: a URL's suffix, or a quick reply's payload. */
export type TemplateButton =
  { index: number; type: 'url'; text: string } | { index: number; type: 'quick_reply'; payload: string };

export type OutboundContent =
  | { type: 'text'; body: string }
  | {
      type: 'template';
      name: string;
      language: string;
      /** The body's parameters, in order. */
      parameters?: string[];
      /** Their names, for a template whose placeholders are named (`{{first_name}}`). */
      parameterNames?: string[];
      header?: TemplateHeader;
      buttons?: TemplateButton[];
    }
  | {
      type: 'buttons';
      body: string;
      buttons: { id: string; title: string }[];
      header?: string;
      footer?: string;
    }
  | {
      type: 'list';
      body: string;
      button: string;
      sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
      header?: string;
      footer?: string;
    }
  | {
      type: 'media';
      kind: 'image' | 'video' | 'document' | 'audio' | 'sticker';
      id?: string;
      link?: string;
      /** A file of ours (an agent's upload) by its media id: uploaded to Meta at send time. */
      stored?: string;
      caption?: string;
      filename?: string;
    }
  | { type: 'reaction'; messageId: string; emoji: string };

export class ContentLimitError extends Error {
  override name = 'ContentLimitError';
}

function limit(ok: boolean, what: string): void {
  if (!ok) throw new ContentLimitError(what);
}

const len = (s: string | undefined, max: number) => (s ?? '').length <= max;

/** The Graph API `messages` body (without `to` and `messaging_product`) for `content`. */
export function toGraphMessage(content: OutboundContent): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      limit(content.body.length > 0, 'text body must not be empty');
      limit(len(content.body, 4096), 'text body is limited to 4096 characters');
      return { type: 'text', text: { body: content.body, preview_url: false } };
    case 'template':
      return {
        type: 'template',
        template: {
          name: content.name,
          language: { code: content.language },
          components: templateComponents(content),
        },
      };
    case 'buttons':
      limit(
        content.buttons.length >= 1 && content.buttons.length <= 3,
        'interactive buttons: 1 to 3 buttons',
      );
      for (const b of content.buttons) {
        limit(len(b.title, 20), `interactive buttons: title "${b.title}" exceeds 20 characters`);
        limit(len(b.id, 256), 'interactive buttons: id exceeds 256 characters');
      }
      return interactiveMessage(content, 'button', {
        buttons: content.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })),
      });
    case 'list': {
      const rows = content.sections.flatMap((s) => s.rows);
      limit(
        content.sections.length >= 1 && content.sections.length <= 10,
        'interactive list: 1 to 10 sections',
      );
      limit(rows.length >= 1 && rows.length <= 10, 'interactive list: 1 to 10 rows in total');
      limit(len(content.button, 20), 'interactive list: button label exceeds 20 characters');
      for (const r of rows) {
        limit(len(r.title, 24), `interactive list: row title "${r.title}" exceeds 24 characters`);
        limit(len(r.description, 72), 'interactive list: row description exceeds 72 characters');
        limit(len(r.id, 200), 'interactive list: row id exceeds 200 characters');
      }
      return interactiveMessage(content, 'list', { button: content.button, sections: content.sections });
    }
    case 'media': {
      limit(Boolean(content.id) !== Boolean(content.link), 'media: exactly one of id or link');
      const media: Record<string, unknown> = content.id ? { id: content.id } : { link: content.link };
      if (content.caption && content.kind !== 'audio' && content.kind !== 'sticker')
        media.caption = content.caption;
      if (content.filename && content.kind === 'document') media.filename = content.filename;
      return { type: content.kind, [content.kind]: media };
    }
    case 'reaction':
      return { type: 'reaction', reaction: { message_id: content.messageId, emoji: content.emoji } };
  }
}

/** The send's components: header, body and button parameters, as Meta takes them. */
function templateComponents(t: Extract<OutboundContent, { type: 'template' }>): Record<string, unknown>[] {
  const components: Record<string, unknown>[] = [];
  const h = t.header;
  if (h?.type === 'text') limit(len(h.text, 60), 'template: header text exceeds 60 characters');
  if (h)
    components.push({
      type: 'header',
      parameters: [
        h.type !== 'text'
          ? { type: h.type, [h.type]: { link: h.link } }
          : h.name
            ? { type: 'text', parameter_name: h.name, text: h.text }
            : { type: 'text', text: h.text },
      ],
    });
  if (t.parameters?.length)
    components.push({
      type: 'body',
      parameters: t.parameters.map((text, i) => {
        const name = t.parameterNames?.[i];
        return name ? { type: 'text', parameter_name: name, text } : { type: 'text', text };
      }),
    });
  for (const b of t.buttons ?? []) {
    if (b.type === 'url') limit(len(b.text, 2000), 'template: URL button suffix exceeds 2000 characters');
    if (b.type === 'quick_reply')
      limit(len(b.payload, 1000), 'template: quick-reply payload exceeds 1000 characters');
    components.push({
      type: 'button',
      sub_type: b.type,
      index: String(b.index),
      parameters: [
        b.type === 'url' ? { type: 'text', text: b.text } : { type: 'payload', payload: b.payload },
      ],
    });
  }
  return components;
}

/** Buttons or a list: the body, header and footer they share, checked against their limits, around `action`. */
function interactiveMessage(
  c: { body: string; header?: string; footer?: string },
  type: 'button' | 'list',
  action: Record<string, unknown>,
): Record<string, unknown> {
  limit(c.body.length > 0 && len(c.body, 1024), 'interactive: body must be 1 to 1024 characters');
  limit(len(c.header, 60), 'interactive: header exceeds 60 characters');
  limit(len(c.footer, 60), 'interactive: footer exceeds 60 characters');
  return {
    type: 'interactive',
    interactive: {
      type,
      body: { text: c.body },
      ...(c.header ? { header: { type: 'text', text: c.header } } : {}),
      ...(c.footer ? { footer: { text: c.footer } } : {}),
      action,
    },
  };
}
