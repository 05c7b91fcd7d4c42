import { masterKeys, type Config } from '../config';
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
  const { rows } = await db.query<{ purpose: string; wrapped_key: string }>(
    'SELECT purpose, wrapped_key FROM deployment_keys WHERE starts_with(purpose, $1) ORDER BY created_at',
    [RETIRED_PAYLOAD],
  );
  const keys: PayloadKey[] = [];
  for (const row of rows)
    keys.push({
      id: row.purpose.slice(RETIRED_PAYLOAD.length),
      key: await kms.unwrap(row.wrapped_key, wrapAad(row.purpose)),
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
    const res = await db.query(
      `INSERT INTO deployment_keys(purpose, wrapped_key, kms_key_id) VALUES ($1, $2, $3)
       ON CONFLICT (purpose) DO NOTHING`,
      [purpose, await kms.wrap(payloadKeyOf(master), wrapAad(purpose)), kms.currentKeyId],
    );
    archived += res.rowCount ?? 0;
  }
  return archived;
}

async function loadKey(db: Queryable, kms: Kms, purpose: string, seed: () => Buffer): Promise<Buffer> {
  const stored = await db.query<{ wrapped_key: string }>(
    'SELECT wrapped_key FROM deployment_keys WHERE purpose = $1',
    [purpose],
  );
  let wrapped = stored.rows[0]?.wrapped_key;
  if (!wrapped) {
    await db.query(
      `INSERT INTO deployment_keys(purpose, wrapped_key, kms_key_id) VALUES ($1, $2, $3)
       ON CONFLICT (purpose) DO NOTHING`,
      [purpose, await kms.wrap(seed(), wrapAad(purpose)), kms.currentKeyId],
    );
    const { rows } = await db.query<{ wrapped_key: string }>(
      'SELECT wrapped_key FROM deployment_keys WHERE purpose = $1',
      [purpose],
    );
    wrapped = rows[0]!.wrapped_key;
  }
  return kms.unwrap(wrapped, wrapAad(purpose));
}

/** Re-wraps every deployment key not wrapped by the KMS's current key; returns how many. */
export async function rewrapDeploymentKeys(db: Queryable, kms: Kms): Promise<number> {
  const { rows } = await db.query<{ purpose: string; wrapped_key: string }>(
    'SELECT purpose, wrapped_key FROM deployment_keys WHERE kms_key_id <> $1',
    [kms.currentKeyId],
  );
  for (const row of rows) {
    const key = await kms.unwrap(row.wrapped_key, wrapAad(row.purpose));
    await db.query(
      `UPDATE deployment_keys SET wrapped_key = $2, kms_key_id = $3, rewrapped_at = now()
       WHERE purpose = $1 AND wrapped_key = $4`,
      [row.purpose, await kms.wrap(key, wrapAad(row.purpose)), kms.currentKeyId, row.wrapped_key],
    );
  }
  return rows.length;
}

const wrapAad = (purpose: string) => `deployment-key:${purpose}`;
