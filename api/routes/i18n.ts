import { Router } from 'express';
import { SECTIONS } from '../../i18n/sections';
import { HttpError } from '../errors';

/**
 * `GET /i18n/:section.json`: one section of the message catalogue, `{en, es, pt}`, for the pages
 * (console, sandbox, landing page) to show their texts in the reader's language. The catalogue is
 * product copy, not data: public, cacheable for a short while.
 */
export function i18nRouter(): Router {
  const router = Router();
  router.get('/i18n/:file', (req, res) => {
    const name = /^([a-z][a-z0-9-]*)\.json$/.exec(req.params.file)?.[1];
    const section = name !== undefined && Object.hasOwn(SECTIONS, name) ? SECTIONS[name] : undefined;
    if (!section)
      throw new HttpError(404, 'not_found', `no catalogue section ${req.params.file}`, {
        sections: Object.keys(SECTIONS).map((s) => `${s}.json`),
      });
    res.setHeader('cache-control', 'public, max-age=300');
    res.json(section);
  });
  return router;
}
