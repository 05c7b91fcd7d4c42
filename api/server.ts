import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Express } from 'express';
import type { Config } from '../config';

/**
 * The API's listening server: HTTPS when `TLS_CERT_PATH` and `TLS_KEY_PATH` are set (TLS 1.2 at
 * least), else plain HTTP for a TLS-terminating proxy or local development.
 */
export function createServer(config: Pick<Config, 'https'>, app: Express): http.Server | https.Server {
  if (!config.https) return http.createServer(app);
  return https.createServer(
    {
      cert: readFileSync(config.https.certPath),
      key: readFileSync(config.https.keyPath),
      minVersion: 'TLSv1.2',
    },
    app,
  );
}
