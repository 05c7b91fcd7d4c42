import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box';
import { generateApiKey, hashApiKey } from '../crypto/keys';
import { graphTokenAad, insertApiKey, insertClient, newClientId, SCOPES, type Scope } from '../db/clients';
import type { Db } from '../db/pool';
import { clientSettingsSchema } from '../settings/client-settings';

export const scopeSchema = z.enum(SCOPES);

export const clientInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  phoneNumberIds: z
    .array(z.string().regex(/^\d{5,20}$/, 'must be a WhatsApp phone_number_id (digits)'))
    .min(1)
    .max(50)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
  graphAccessToken: z.string().min(10).max(1000).optional(),
  settings: clientSettingsSchema.optional(),
  scopes: z.array(scopeSchema).min(1).optional(),
});
export type ClientInput = z.infer<typeof clientInputSchema>;

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
