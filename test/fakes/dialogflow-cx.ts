import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { SessionsClient } from '@google-cloud/dialogflow-cx';

/**
 * A local Dialogflow CX `Sessions` service built from the package's own protos, so the real
 * `SessionsClient` (google-gax over gRPC) is exercised end to end. `respond` decides the answer to
 * each DetectIntent request; every request is recorded for assertions.
 */
export interface DetectIntentCall {
  session: string;
  queryInput: {
    text?: { text: string };
    audio?: { config: { audioEncoding: string; sampleRateHertz: number }; audio: Buffer };
    languageCode: string;
  };
  queryParams?: { parameters?: unknown; timeZone?: string; channel?: string };
}

export type Responder = (call: DetectIntentCall) => Record<string, unknown>;

export interface FakeDialogflowCx {
  port: number;
  calls: DetectIntentCall[];
  respond: Responder;
  /** A real SessionsClient pointed at this fake. */
  client(): SessionsClient;
  close(): Promise<void>;
}

const pkgRoot = path.dirname(require.resolve('@google-cloud/dialogflow-cx/package.json'));
// google-gax does not export its package.json; its main entry lives in build/src.
const gaxRoot = path.resolve(path.dirname(require.resolve('google-gax', { paths: [pkgRoot] })), '../..');

export async function startFakeDialogflowCx(respond: Responder): Promise<FakeDialogflowCx> {
  const definition = protoLoader.loadSync('google/cloud/dialogflow/cx/v3/session.proto', {
    includeDirs: [path.join(pkgRoot, 'build/protos'), path.join(gaxRoot, 'build/protos')],
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: { cloud: { dialogflow: { cx: { v3: { Sessions: { service: grpc.ServiceDefinition } } } } } };
  };
  const fake: FakeDialogflowCx = {
    port: 0,
    calls: [],
    respond,
    client: () =>
      new SessionsClient({
        apiEndpoint: '127.0.0.1',
        port: fake.port,
        sslCreds: grpc.credentials.createInsecure(),
        credentials: { client_email: 'fake@example.com', private_key: 'not-a-key' },
      }),
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
  const server = new grpc.Server();
  server.addService(loaded.google.cloud.dialogflow.cx.v3.Sessions.service, {
    detectIntent: (
      call: grpc.ServerUnaryCall<DetectIntentCall, unknown>,
      done: grpc.sendUnaryData<unknown>,
    ) => {
      fake.calls.push(call.request);
      try {
        done(null, { responseId: `resp-${fake.calls.length}`, queryResult: fake.respond(call.request) });
      } catch (err) {
        done({ code: grpc.status.INTERNAL, message: (err as Error).message });
      }
    },
  });
  fake.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  return fake;
}
