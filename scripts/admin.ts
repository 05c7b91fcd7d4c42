import { parseArgs } from 'node:util';
import type { z } from 'zod';
import {
  apiKeyInputSchema,
  clientInputSchema,
  mintApiKey,
  provisionClient,
  withGraphToken,
} from '../api/provisioning';
import { loadConfigOrExit, processEnv, usesSandboxGraph, type Config } from '../config';
import { localEnv } from '../config/local';
import { createSecretBox } from '../crypto/secret-box';
import { rotateMasterKey } from '../crypto/rotation';
import { listClients, PhoneNumberTakenError, revokeApiKey } from '../db/clients';
import { openLocalDatabase } from '../db/embedded';
import { migrate } from '../db/migrate';
import { createPool, type Db } from '../db/pool';
import { freePort } from '../temporal/dev-server';

const USAGE = `npm run admin -- <command> [options]

  create-client --name NAME --phone-number-id ID [--phone-number-id ID …] --graph-token TOKEN
      creates a client; prints {clientId, apiKey, keyId} (the key is shown once); the token may be
      left out only in the local profile with the sandbox Graph API
  create-key --client CLIENT_ID --scopes orders:read,orders:write [--label TEXT]
      mints another API key for a client
  revoke-key --client CLIENT_ID --key KEY_ID
  list-clients
      the first 1,000 clients with their numbers and the state of their Graph token
      (over HTTP: GET /admin/v1/clients, GET|PATCH /admin/v1/clients/:id, GET …/:id/keys)
  rotate-keys
      re-wraps every subject data key and deployment key (blind index, order content) with the
      current AURA_MASTER_KEY and re-seals every Graph token under it (online, batched); run it after
      moving the old key to AURA_MASTER_KEY_PREVIOUS; prints what it did and how many still use an
      old key (0 = PostgreSQL no longer needs the old key)

Uses DATABASE_URL, or the local embedded database.`;

/** The admin CLI: the same provisioning as `POST /admin/v1/clients`, straight against the database. */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'phone-number-id': { type: 'string', multiple: true },
      'graph-token': { type: 'string' },
      client: { type: 'string' },
      scopes: { type: 'string' },
      label: { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (!command || values.help) {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const env = processEnv();
  const config = loadConfigOrExit(env.AURA_PROFILE === 'production' ? env : localEnv(env));
  const local = config.databaseUrl ? undefined : await openLocalDatabase(config.dataDir, freePort);
  const db = createPool(config.databaseUrl ?? local!.url, 1);
  try {
    await migrate(db).catch((err: { code?: string }) => {
      // The application's role (no ownership) cannot migrate: `npm run migrate` with the owner does.
      if (err.code !== '42501' && !/permission denied/.test(String(err))) throw err;
    });
    if (command === 'rotate-keys') return await rotateKeys(config, db);
    const deps = {
      db,
      secrets: createSecretBox(config.masterKey, config.previousMasterKeys),
      sandboxGraph: usesSandboxGraph(config),
    };
    return await runCommand(command, values, deps);
  } finally {
    await db.end();
    await local?.stop();
  }
}

async function runCommand(
  command: string,
  values: Record<string, string | string[] | boolean | undefined>,
  deps: { db: Db; secrets: ReturnType<typeof createSecretBox>; sandboxGraph: boolean },
): Promise<number> {
  const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  switch (command) {
    case 'create-client': {
      const input = parseOrThrow(clientInputSchema, {
        name: values.name,
        phoneNumberIds: values['phone-number-id'] ?? [],
        graphAccessToken: values['graph-token'],
      });
      print(await provisionClient(deps, withGraphToken(input, deps.sandboxGraph)));
      return 0;
    }
    case 'create-key': {
      const input = parseOrThrow(apiKeyInputSchema, {
        scopes: String(values.scopes ?? '')
          .split(',')
          .filter(Boolean),
        label: values.label,
      });
      print(await mintApiKey(deps.db, String(values.client ?? ''), input));
      return 0;
    }
    case 'revoke-key': {
      const ok = await revokeApiKey(deps.db, String(values.client ?? ''), String(values.key ?? ''));
      if (!ok) throw new Error('no such active key for that client');
      print({ revoked: values.key });
      return 0;
    }
    case 'list-clients': {
      print(await listClients(deps.db, { limit: 1000 }));
      return 0;
    }
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

/** Moves data keys, deployment keys and sealed secrets onto the current master key; 0 when none is left. */
async function rotateKeys(config: Config, db: Db): Promise<number> {
  const report = await rotateMasterKey(db, config);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return report.remainingOnOldKeys === 0 ? 0 : 1;
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new Error(result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof PhoneNumberTakenError ? err.message : (err as Error).message;
    process.stderr.write(`admin: ${message}\n`);
    process.exit(1);
  },
);
