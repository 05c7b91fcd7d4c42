import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { masterKeys, type Config } from '../config';
import { AesGcmPayloadCodec, masterKeyId, type PayloadKey } from './codec';

/** See temporal/failure-converter.ts; the workflow bundle must be built with the same path. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The payload codec over the current master key (encrypts), previous ones and the payload keys of
 * master keys rotated away (`DeploymentKeys.retiredPayloadKeys`): those still decrypt.
 */
export function payloadCodec(
  config: Pick<Config, 'masterKey' | 'previousMasterKeys'>,
  retired: readonly PayloadKey[] = [],
): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(
    masterKeys(config).map((master) => ({ id: masterKeyId(master), master })),
    retired,
  );
}

/**
 * The data converter every client and worker uses: all payloads encrypted by the codec, and failure
 * messages and stack traces moved into an encoded payload too (`encodeCommonAttributes`), so an
 * error text that happens to quote user data never reaches the history in clear.
 */
export function dataConverter(
  config: Pick<Config, 'masterKey' | 'previousMasterKeys'>,
  retired: readonly PayloadKey[] = [],
): DataConverter {
  return {
    payloadCodecs: [payloadCodec(config, retired)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

/** TLS options for the Temporal connection: mTLS files, or plain TLS when only an API key is set. */
export function tlsOptions(config: Config): ConnectionOptions['tls'] {
  const { tls, apiKey } = config.temporal;
  if (!tls) return apiKey ? true : undefined;
  return {
    serverRootCACertificate: tls.caPath ? readFileSync(tls.caPath) : undefined,
    clientCertPair:
      tls.certPath && tls.keyPath
        ? { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) }
        : undefined,
  };
}

/**
 * A Temporal client (API side) with TLS / API key options when configured (Temporal Cloud). The
 * connection is lazy: the API starts even while Temporal is down, `/readyz` says so, webhooks get 503.
 */
export function createTemporalClient(
  config: Config,
  address: string,
  retired: readonly PayloadKey[] = [],
): Client {
  const connection = Connection.lazy({
    address,
    tls: tlsOptions(config),
    apiKey: config.temporal.apiKey,
    connectTimeout: 5_000,
  });
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverter(config, retired),
  });
}

/** Connects the worker's native connection with the same options. */
export async function connectWorker(config: Config, address: string): Promise<NativeConnection> {
  const options: NativeConnectionOptions = {
    address,
    tls: tlsOptions(config) as NativeConnectionOptions['tls'],
  };
  if (config.temporal.apiKey) options.apiKey = config.temporal.apiKey;
  return NativeConnection.connect(options);
}
