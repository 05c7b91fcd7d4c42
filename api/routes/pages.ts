import path from 'node:path';
import express, { Router } from 'express';
import { labelRoute } from '../context';

const PUBLIC = path.join(__dirname, '..', 'public');

/** `/console`: the agent console (static HTML + JS; no build server at run time), under the app's CSP. */
export function pagesRouter(): Router {
  const router = Router();
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
