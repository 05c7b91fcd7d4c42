import path from 'node:path';
import express, { Router, type Request } from 'express';
import { LANGUAGES, supportedLanguage, translate, type Language } from '../../i18n';
import { common } from '../../i18n/common';
import { landing } from '../../i18n/landing';
import { labelRoute } from '../context';

const PUBLIC = path.join(__dirname, '..', 'public');

/**
 * `/`: the landing page (what Aura is, links to the console, the sandbox in the local profile, and
 * the API reference), in the language the browser asks for or `?lang=`. `/console`: the agent console
 * (static HTML + JS; no build server at run time). Both under the app's CSP.
 */
export function pagesRouter(opts: { sandbox: boolean }): Router {
  const router = Router();
  router.get('/', (req, res) => {
    res.setHeader('content-language', languageOf(req));
    res.vary('Accept-Language');
    res.type('html').send(landingPage(languageOf(req), opts.sandbox));
  });
  router.use('/landing', labelRoute('/landing/*'), express.static(path.join(PUBLIC, 'landing')));
  router.use('/console', labelRoute('/console/*'), (_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });
  router.get('/console', (req, res, next) =>
    req.path === '/console' ? res.redirect(301, '/console/') : next(),
  );
  router.use(
    '/console',
    express.static(path.join(PUBLIC, 'console'), { index: 'index.html', redirect: false }),
  );
  return router;
}

function languageOf(req: Request): Language {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  if (asked && (LANGUAGES as readonly string[]).includes(asked)) return asked as Language;
  return supportedLanguage(req.acceptsLanguages(...LANGUAGES) || undefined);
}

/** The page's texts come from the catalogue; none holds markup, and none is user input. */
function landingPage(lang: Language, sandbox: boolean): string {
  const t = (key: keyof (typeof landing)['en']) => translate(landing, lang, key);
  const card = (href: string, area: 'console' | 'sandbox' | 'docs') =>
    `<a href="${href}" data-area="${area}"><h2>${t(`${area}.title`)}</h2><p>${t(`${area}.text`)}</p></a>`;
  const languages = LANGUAGES.map(
    (l) =>
      `<a href="/?lang=${l}" hreflang="${l}" lang="${l}"${l === lang ? ' aria-current="true"' : ''}>${translate(common, l, `language.${l}`)}</a>`,
  ).join('');
  return `<!doctype html>
<html lang="${lang}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${t('title')}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/landing/landing.css" />
  </head>
  <body>
    <header>
      <h1>${t('title')}</h1>
      <p>${t('tagline')}</p>
      <nav class="languages" aria-label="${t('language.label')}">${languages}</nav>
    </header>
    <main>
      <p class="intro">${t('intro')}</p>
      <section class="cards">
        ${card('/console/', 'console')}
        ${sandbox ? card('/sandbox', 'sandbox') : ''}
        ${card('/docs', 'docs')}
      </section>
      <footer><a href="/openapi.json">${t('openapi.link')}</a></footer>
    </main>
  </body>
</html>
`;
}
