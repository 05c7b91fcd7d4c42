import { Router } from 'express';
import { SECTIONS } from '../../i18n/sections';
import { notFound } from '../errors';

/**
 * `GET /i18n/:section`: one section of the message catalogue in every language (`{en, es, pt}`), for
 * the static pages (the sandbox phone, the console) to render their texts from. Public: these are the
 * product's own texts, no data.
 */
export function i18nRouter(): Router {
  const router = Router();
  router.get('/i18n/:section', (req, res) => {
    const texts = Object.hasOwn(SECTIONS, req.params.section) ? SECTIONS[req.params.section] : undefined;
    if (!texts) throw notFound('catalogue section');
    res.setHeader('cache-control', 'public, max-age=300');
    res.json(texts);
  });
  return router;
}
