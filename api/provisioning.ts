import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box';
import { SANDBOX_GRAPH_TOKEN } from '../sandbox/seed';
import { badRequest } from './errors';
import { generateApiKey, hashApiKey } from '../crypto/keys';
import { graphTokenAad, insertApiKey, insertClient, newClientId, SCOPES, type Scope } from '../db/clients';
import type { Db } from '../db/pool';
import { clientSettingsSchema } from '../settings/client-settings';

export const scopeSchema = z.enum(SCOPES);

const clientName = z.string().trim().min(1).max(200);
const phoneNumberIds = z
  .array(z.string().regex(/^\d{5,20}$/, 'must be a WhatsApp phone_number_id (digits)'))
  .min(1)
  .max(50)
  .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id');
const graphAccessToken = z.string().trim().min(10).max(1000);
/** The client's WhatsApp Business Account: where its templates live; Meta's template webhooks name it. */
export const wabaIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a WhatsApp Business Account id (digits)')
  .meta({ description: "the client's WhatsApp Business Account id (templates are synced from it)" });

export const clientInputSchema = z.strictObject({
  name: clientName,
  phoneNumberIds,
  graphAccessToken: graphAccessToken.optional(),
  wabaId: wabaIdSchema.optional(),
  settings: clientSettingsSchema.optional(),
  scopes: z.array(scopeSchema).min(1).optional(),
});
export type ClientInput = z.infer<typeof clientInputSchema>;

/**
 * `PATCH /admin/v1/clients/:id`: only what is given changes. `phoneNumberIds` is the client's new set
 * of numbers (numbers left out are released); `graphAccessToken` rotates the token.
 */
export const clientUpdateSchema = z
  .strictObject({
    name: clientName.optional(),
    phoneNumberIds: phoneNumberIds.optional(),
    graphAccessToken: graphAccessToken.optional(),
    wabaId: wabaIdSchema.optional(),
  })
  .refine(
    (v) => Object.values(v).some((x) => x !== undefined),
    'name the fields to change: name, phoneNumberIds, graphAccessToken or wabaId',
  );

/**
 * A client needs a Graph access token (every reply is sent with it). Without one it is refused, with a
 * reason, unless the local profile's sandbox Graph API is in use: that accepts any token, so the
 * sandbox's token is stored and replies work.
 */
export function withGraphToken(input: ClientInput, sandboxGraph: boolean): ClientInput {
  if (input.graphAccessToken) return input;
  if (sandboxGraph) return { ...input, graphAccessToken: SANDBOX_GRAPH_TOKEN };
  throw badRequest(
    "invalid body: graphAccessToken: is required (the client's replies are sent through the Graph API with it)",
    { fields: [{ field: 'graphAccessToken', message: 'is required' }] },
  );
}

export const apiKeyInputSchema = z.strictObject({
  scopes: z.array(scopeSchema).min(1),
  label: z.string().max(100).optional(),
});

/** The scopes of a client's first key: everything, so the client can mint narrower keys. */
const FIRST_KEY_SCOPES: readonly Scope[] = SCOPES;

/** Creates a client and its first API key. The key is returned once and stored only as a hash. */
export async function provisionClient(
  deps: { db: Db; secrets: SecretBox },
  input: ClientInput,
): Promise<{ clientId: string; apiKey: string; keyId: string }> {
  const { keyId, apiKey } = generateApiKey();
  const clientId = newClientId();
  await insertClient(deps.db, {
    id: clientId,
    name: input.name,
    phoneNumberIds: input.phoneNumberIds,
    wabaId: input.wabaId ?? null,
    settings: input.settings ?? {},
    // Sealed with the client id as associated data, so it cannot be moved to another client's row.
    graphAccessTokenEnc: input.graphAccessToken
      ? deps.secrets.seal(input.graphAccessToken, graphTokenAad(clientId))
      : null,
    apiKey: { id: keyId, hash: hashApiKey(apiKey), scopes: input.scopes ?? FIRST_KEY_SCOPES },
  });
  return { clientId, apiKey, keyId };
}

/** Mints another API key for an existing client. */
export async function mintApiKey(
  db: Db,
  clientId: string,
  input: z.infer<typeof apiKeyInputSchema>,
): Promise<{ apiKey: string; keyId: string }> {
  const { keyId, apiKey } = generateApiKey();
  await insertApiKey(db, clientId, {
    id: keyId,
    hash: hashApiKey(apiKey),
    scopes: input.scopes,
    label: input.label,
  });
  return { apiKey, keyId };
}
