import path from 'node:path';
import express, { Router } from 'express';

const PUBLIC = path.join(__dirname, '..', 'public');

/** Pages are static files calling the public API; a strict CSP keeps injected content inert. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** `/console`: the agent console (static HTML + JS; no build server at run time). */
export function pagesRouter(): Router {
  const router = Router();
  router.use('/console', (_req, res, next) => {
    res.setHeader('content-security-policy', CSP);
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
