import type { Express } from 'express';
import { signBody } from '../whatsapp/signature';

/**
 * The fake Graph API's message templates: `GET /<version>/<waba_id>/message_templates` pages each
 * account's list with Meta's cursors (`paging.cursors.after`, `paging.next` on all pages but the
 * last), and a change of status or quality is reported to the connected webhook as Meta reports it
 * (`message_template_status_update`, `message_template_quality_update`), signed.
 */
export interface FakeTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  components: Record<string, unknown>[];
  quality_score?: { score: string };
}

export interface FakeTemplates {
  /** Replaces an account's templates (ids are made up when not given). */
  setTemplates(wabaId: string, templates: (Omit<FakeTemplate, 'id'> & { id?: string })[]): void;
  /** List calls answered, with the `after` cursor each asked for (paging tests). */
  readonly listCalls: { wabaId: string; after?: string; limit: number }[];
  /**
   * Changes a template's status as Meta would (`event`: PAUSED, DISABLED, REINSTATED, APPROVED …) and
   * reports it to the webhook; resolves to the webhook's HTTP status (undefined when none is connected).
   */
  changeStatus(wabaId: string, name: string, language: string, event: string): Promise<number | undefined>;
  /** Changes a template's quality score (GREEN, YELLOW, RED) and reports it likewise. */
  changeQuality(wabaId: string, name: string, language: string, score: string): Promise<number | undefined>;
}

type Hook = { url: string; appSecret: string } | undefined;

const cursor = (i: number) => Buffer.from(`offset:${i}`).toString('base64url');
const offsetOf = (c: unknown) =>
  typeof c === 'string' ? Number(/^offset:(\d+)$/.exec(Buffer.from(c, 'base64url').toString())?.[1] ?? 0) : 0;

export function mountFakeTemplates(app: Express, webhook: () => Hook): FakeTemplates {
  const accounts = new Map<string, FakeTemplate[]>();
  const listCalls: FakeTemplates['listCalls'] = [];
  let nextId = 700_000_000_000_000;

  app.get('/:version/:wabaId/message_templates', (req, res) => {
    if (!/^Bearer .+$/.test(req.header('authorization') ?? ''))
      return void res.status(401).json({ error: { code: 190, message: 'Invalid OAuth access token.' } });
    const wabaId = String(req.params.wabaId);
    const all = accounts.get(wabaId);
    if (!all) return void res.status(400).json({ error: { code: 100, message: 'Unknown WABA id' } });
    const limit = Math.min(Math.max(Number(req.query.limit) || 25, 1), 1000);
    const after = typeof req.query.after === 'string' ? req.query.after : undefined;
    listCalls.push({ wabaId, limit, ...(after ? { after } : {}) });
    const from = offsetOf(after);
    const data = all.slice(from, from + limit);
    const end = from + data.length;
    const base = `${req.protocol}://${req.get('host')}${req.path}`;
    res.json({
      data,
      paging: {
        cursors: { before: cursor(from), after: cursor(end) },
        ...(end < all.length ? { next: `${base}?limit=${limit}&after=${cursor(end)}` } : {}),
      },
    });
  });

  /** The sandbox's way to play Meta: change a template's status, reported to the webhook. */
  app.post('/sandbox/templates/status', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    const [wabaId, name, language, event] = [b.wabaId, b.name, b.language, b.event];
    if (![wabaId, name, language, event].every((v) => typeof v === 'string' && v.length > 0))
      return void res
        .status(400)
        .json({ error: { code: 100, message: 'wabaId, name, language and event are required' } });
    try {
      const status = await changeStatus(String(wabaId), String(name), String(language), String(event));
      res.json({ ok: true, webhookStatus: status ?? null });
    } catch (err) {
      res.status(404).json({ error: { code: 100, message: (err as Error).message } });
    }
  });

  async function report(wabaId: string, field: string, value: Record<string, unknown>) {
    const hook = webhook();
    if (!hook) return undefined;
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }],
    });
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, hook.appSecret) },
      body,
    });
    return res.status;
  }

  async function changeStatus(wabaId: string, name: string, language: string, event: string) {
    const t = find(wabaId, name, language);
    t.status = event === 'REINSTATED' ? 'APPROVED' : event;
    return report(wabaId, 'message_template_status_update', {
      event,
      message_template_id: Number(t.id),
      message_template_name: t.name,
      message_template_language: t.language,
      reason: event === 'PAUSED' ? 'LOW_QUALITY' : 'NONE',
    });
  }

  function find(wabaId: string, name: string, language: string): FakeTemplate {
    const t = accounts.get(wabaId)?.find((x) => x.name === name && x.language === language);
    if (!t) throw new Error(`fake Graph: no template ${name} (${language}) in ${wabaId}`);
    return t;
  }

  return {
    listCalls,
    setTemplates(wabaId, templates) {
      accounts.set(
        wabaId,
        templates.map((t) => ({ ...t, id: t.id ?? String((nextId += 1)) })),
      );
    },
    changeStatus,
    async changeQuality(wabaId, name, language, score) {
      const t = find(wabaId, name, language);
      const previous = t.quality_score?.score ?? 'UNKNOWN';
      t.quality_score = { score };
      return report(wabaId, 'message_template_quality_update', {
        previous_quality_score: previous,
        new_quality_score: score,
        message_template_id: Number(t.id),
        message_template_name: t.name,
        message_template_language: t.language,
      });
    },
  };
}
