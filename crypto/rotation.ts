import { DecryptionError } from './aead';
import { masterKeys, type Config } from '../config';
import { graphTokenAad, graphTokensSealedElsewhere, resealGraphToken } from '../db/clients';
import { countOnOldKeys } from '../db/deployment-keys';
import type { Db, Queryable } from '../db/pool';
import { archivePayloadKeys, loadDeploymentKeys, rewrapDeploymentKeys } from './deployment-keys';
import { LocalKms } from './kms';
import { createSecretBox, secretBoxKeyId, type SecretBox } from './secret-box';
import { SubjectVault } from './vault';

/** What `rotate-keys` did, and what still needs an old master key (all 0: it can be removed). */
export interface RotationReport {
  currentKeyId: string;
  /** Subject data keys re-wrapped. */
  rewrapped: number;
  /** Deployment keys (blind index, order content) re-wrapped. */
  deploymentKeys: number;
  /** Sealed deployment secrets (Graph tokens) re-sealed. */
  secrets: number;
  /** Temporal payload keys of previous master keys archived (wrapped by the current one). */
  payloadKeys: number;
  /** Data keys, deployment keys and sealed secrets that still name an old key. */
  remainingOnOldKeys: number;
}

/**
 * Moves everything the master key protects in PostgreSQL onto the current master key: subject data
 * keys and deployment keys re-wrapped, sealed deployment secrets re-sealed. Online and idempotent;
 * run it after moving the old key to `AURA_MASTER_KEY_PREVIOUS`. Temporal histories are not
 * re-encrypted: the payload key of each previous master key is archived, wrapped by the current one,
 * so they keep decoding after the old master key is removed.
 */
export async function rotateMasterKey(
  db: Db,
  config: Pick<Config, 'masterKey' | 'previousMasterKeys'>,
): Promise<RotationReport> {
  const kms = new LocalKms(masterKeys(config));
  const box = createSecretBox(config.masterKey, config.previousMasterKeys);
  const boxKeyId = secretBoxKeyId(config.masterKey);
  await loadDeploymentKeys(db, config); // seeded before it is re-wrapped, when nothing has started yet
  const rewrapped = await new SubjectVault(db, kms).rewrapAll();
  const payloadKeys = await archivePayloadKeys(db, kms, config.previousMasterKeys);
  const deploymentKeys = await rewrapDeploymentKeys(db, kms);
  const secrets = await resealGraphTokens(db, box, boxKeyId);
  const remainingOnOldKeys = await countOnOldKeys(db, kms.currentKeyId, boxKeyId);
  return {
    currentKeyId: kms.currentKeyId,
    rewrapped,
    deploymentKeys,
    secrets,
    payloadKeys,
    remainingOnOldKeys,
  };
}

/** Re-seals every Graph token sealed under another key than `keyId`; returns how many. */
async function resealGraphTokens(
  db: Queryable,
  box: SecretBox,
  keyId: string,
  batchSize = 500,
): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = await graphTokensSealedElsewhere(db, keyId, batchSize);
    if (batch.length === 0) return total;
    for (const { clientId, sealed } of batch) {
      const token = openOrExplain(box, clientId, sealed);
      if (await resealGraphToken(db, clientId, sealed, box.seal(token, graphTokenAad(clientId)))) total += 1;
    }
  }
}

function openOrExplain(box: SecretBox, clientId: string, sealed: string): string {
  try {
    return box.open(sealed, graphTokenAad(clientId));
  } catch (err) {
    if (!(err instanceof DecryptionError)) throw err;
    throw new Error(`the Graph token of client ${clientId} opens with none of the configured master keys`);
  }
}
