import { masterKeys, type Config } from '../config';
import {
  deploymentKeysWrappedElsewhere,
  findDeploymentKey,
  insertDeploymentKey,
  listDeploymentKeys,
  rewrapDeploymentKey,
} from '../db/deployment-keys';
import type { Queryable } from '../db/pool';
import { masterKeyId, payloadKeyOf, type PayloadKey } from '../temporal/codec';
import { deriveKey } from './keys';
import { LocalKms, type Kms } from './kms';

/**
 * Keys that identify rather than protect: the blind index behind every subject hash (and every
 * keyed hash of an identifier) and the order-content hash. They must not change when the master key
 * rotates, or every end-user would become a stranger. Each lives in `deployment_keys`, wrapped by the
 * KMS; `rotate-keys` re-wraps them, the keys themselves never change.
 */
export interface DeploymentKeys {
  /** The blind-index key: subject hashes and other keyed hashes of identifiers. */
  readonly indexKey: Buffer;
  /** The key of the order-content hash (idempotent order creation). */
  readonly contentKey: Buffer;
  /**
   * Temporal payload keys of master keys rotated away, archived by `rotate-keys`: histories written
   * before a rotation still decode (replays, queries, the codec endpoint) once the old key is gone.
   */
  readonly retiredPayloadKeys: readonly PayloadKey[];
}

const PURPOSES = { indexKey: 'blind-index', contentKey: 'order-content' } as const;
/** `deployment_keys.purpose` of an archived payload key: this prefix and the codec's key id. */
const RETIRED_PAYLOAD = 'temporal-payloads:';

/**
 * Loads the deployment keys with the configured master keys: what the API, the worker and
 * `rotate-keys` call once at start. The first call seeds each key with the value earlier versions
 * derived from the master key they ran with (`deriveKey(master, purpose)`), so an upgraded deployment
 * keeps its subject hashes: that master is the first previous one when a rotation is configured (an
 * upgrade and a rotation in one step), else the current one. Starts that race insert the same value.
 */
export async function loadDeploymentKeys(
  db: Queryable,
  config: Pick<Config, 'masterKey' | 'previousMasterKeys'>,
): Promise<DeploymentKeys> {
  const kms = new LocalKms(masterKeys(config));
  const seedMaster = config.previousMasterKeys[0] ?? config.masterKey;
  const load = (purpose: string) => loadKey(db, kms, purpose, () => deriveKey(seedMaster, purpose));
  return Object.freeze({
    indexKey: await load(PURPOSES.indexKey),
    contentKey: await load(PURPOSES.contentKey),
    retiredPayloadKeys: Object.freeze(await retiredPayloadKeys(db, kms)),
  });
}

async function retiredPayloadKeys(db: Queryable, kms: Kms): Promise<PayloadKey[]> {
  const keys: PayloadKey[] = [];
  for (const { purpose, wrapped } of await listDeploymentKeys(db, RETIRED_PAYLOAD))
    keys.push({
      id: purpose.slice(RETIRED_PAYLOAD.length),
      key: await kms.unwrap(wrapped, wrapAad(purpose)),
    });
  return keys;
}

/**
 * Archives the Temporal payload key of each previous master key, wrapped by the current one, so
 * the previous master key itself is no longer needed; returns how many were new. Idempotent.
 */
export async function archivePayloadKeys(
  db: Queryable,
  kms: Kms,
  previous: readonly Buffer[],
): Promise<number> {
  let archived = 0;
  for (const master of previous) {
    const purpose = `${RETIRED_PAYLOAD}${masterKeyId(master)}`;
    const wrapped = await kms.wrap(payloadKeyOf(master), wrapAad(purpose));
    if (await insertDeploymentKey(db, { purpose, wrapped, kmsKeyId: kms.currentKeyId })) archived += 1;
  }
  return archived;
}

async function loadKey(db: Queryable, kms: Kms, purpose: string, seed: () => Buffer): Promise<Buffer> {
  let wrapped = await findDeploymentKey(db, purpose);
  if (!wrapped) {
    const seeded = await kms.wrap(seed(), wrapAad(purpose));
    await insertDeploymentKey(db, { purpose, wrapped: seeded, kmsKeyId: kms.currentKeyId });
    wrapped = (await findDeploymentKey(db, purpose))!;
  }
  return kms.unwrap(wrapped, wrapAad(purpose));
}

/** Re-wraps every deployment key not wrapped by the KMS's current key; returns how many. */
export async function rewrapDeploymentKeys(db: Queryable, kms: Kms): Promise<number> {
  const stale = await deploymentKeysWrappedElsewhere(db, kms.currentKeyId);
  for (const { purpose, wrapped } of stale) {
    const key = await kms.unwrap(wrapped, wrapAad(purpose));
    const to = await kms.wrap(key, wrapAad(purpose));
    await rewrapDeploymentKey(db, purpose, { from: wrapped, to, kmsKeyId: kms.currentKeyId });
  }
  return stale.length;
}

const wrapAad = (purpose: string) => `deployment-key:${purpose}`;
