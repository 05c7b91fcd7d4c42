import path from 'node:path';
import express, { Router } from 'express';
import { labelRoute } from '../context';
import { buildOpenApiDocument } from '../openapi/document';

const PUBLIC = path.join(__dirname, '..', 'public');
/** swagger-ui-dist's prebuilt files (its package has no types; its folder is all we need). */
const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/swagger-ui-bundle.js'));

/**
 * `/openapi.json`: the OpenAPI 3.1 document, generated from the routes' zod schemas at start.
 * `/docs`: Swagger UI over it, every file served from this origin (no CDN) under the app's CSP.
 */
export function docsRouter(): Router {
  const router = Router();
  const document = buildOpenApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.sendFile(path.join(PUBLIC, 'docs', 'index.html'));
  });
  router.use('/docs', labelRoute('/docs/*'), express.static(path.join(PUBLIC, 'docs'), { index: false }));
  router.use('/docs/assets', express.static(SWAGGER_UI, { index: false }));
  return router;
}
