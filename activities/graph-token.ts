import { ApplicationFailure } from '@temporalio/activity';
import type { SecretBox } from '../crypto/secret-box';
import { findClient, graphTokenAad, type ClientRow } from '../db/clients';
import type { Queryable } from '../db/pool';

/**
 * A client's row and its Graph access token, opened. Throws non-retryable `ClientNotFound` or
 * `GraphTokenMissing`: retrying cannot make either appear.
 */
export async function clientWithToken(
  db: Queryable,
  secrets: SecretBox,
  clientId: string,
): Promise<{ client: ClientRow; token: string }> {
  return withToken(secrets, clientId, await findClient(db, clientId));
}

/** A client row read elsewhere (undefined: it no longer exists) with its token opened, as `clientWithToken`. */
export function withToken(
  secrets: SecretBox,
  clientId: string,
  client: ClientRow | undefined,
): { client: ClientRow; token: string } {
  if (!client) throw ApplicationFailure.nonRetryable(`client ${clientId} no longer exists`, 'ClientNotFound');
  if (!client.graphAccessTokenEnc) {
    throw ApplicationFailure.nonRetryable(
      `client ${clientId} has no Graph access token`,
      'GraphTokenMissing',
    );
  }
  return { client, token: secrets.open(client.graphAccessTokenEnc, graphTokenAad(clientId)) };
}
