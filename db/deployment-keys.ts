import type { Queryable } from './pool';

/** A row of `deployment_keys`: a deployment-wide key, wrapped by the KMS (AAD names its purpose). */
export interface WrappedDeploymentKey {
  purpose: string;
  wrapped: string;
}

/** The wrapped key of `purpose`, or undefined before it was first stored. */
export async function findDeploymentKey(db: Queryable, purpose: string): Promise<string | undefined> {
  const { rows } = await db.query<{ wrapped_key: string }>(
    'SELECT wrapped_key FROM deployment_keys WHERE purpose = $1',
    [purpose],
  );
  return rows[0]?.wrapped_key;
}

/** Stores a key unless one of that purpose exists (the first writer wins); true when this one was stored. */
export async function insertDeploymentKey(
  db: Queryable,
  key: WrappedDeploymentKey & { kmsKeyId: string },
): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO deployment_keys(purpose, wrapped_key, kms_key_id) VALUES ($1, $2, $3)
     ON CONFLICT (purpose) DO NOTHING`,
    [key.purpose, key.wrapped, key.kmsKeyId],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Keys whose purpose starts with `prefix`, oldest first. */
export async function listDeploymentKeys(db: Queryable, prefix: string): Promise<WrappedDeploymentKey[]> {
  const { rows } = await db.query<{ purpose: string; wrapped_key: string }>(
    'SELECT purpose, wrapped_key FROM deployment_keys WHERE starts_with(purpose, $1) ORDER BY created_at',
    [prefix],
  );
  return rows.map((r) => ({ purpose: r.purpose, wrapped: r.wrapped_key }));
}

/** Keys wrapped by another KMS key than `kmsKeyId` (what a rotation re-wraps). */
export async function deploymentKeysWrappedElsewhere(
  db: Queryable,
  kmsKeyId: string,
): Promise<WrappedDeploymentKey[]> {
  const { rows } = await db.query<{ purpose: string; wrapped_key: string }>(
    'SELECT purpose, wrapped_key FROM deployment_keys WHERE kms_key_id <> $1',
    [kmsKeyId],
  );
  return rows.map((r) => ({ purpose: r.purpose, wrapped: r.wrapped_key }));
}

/** Replaces a wrapped key by its re-wrapped form, unless it changed meanwhile. */
export async function rewrapDeploymentKey(
  db: Queryable,
  purpose: string,
  change: { from: string; to: string; kmsKeyId: string },
): Promise<void> {
  await db.query(
    `UPDATE deployment_keys SET wrapped_key = $2, kms_key_id = $3, rewrapped_at = now()
     WHERE purpose = $1 AND wrapped_key = $4`,
    [purpose, change.to, change.kmsKeyId, change.from],
  );
}

/**
 * How many subject data keys and deployment keys are wrapped by another KMS key than `kmsKeyId`, and
 * Graph tokens sealed under another key than `boxKeyId`: 0 when no old master key is needed.
 */
export async function countOnOldKeys(db: Queryable, kmsKeyId: string, boxKeyId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM subject_keys WHERE kms_key_id <> $1)
          + (SELECT count(*) FROM deployment_keys WHERE kms_key_id <> $1)
          + (SELECT count(*) FROM clients WHERE graph_access_token_enc IS NOT NULL
               AND split_part(graph_access_token_enc, '.', 2) <> $2) AS n`,
    [kmsKeyId, boxKeyId],
  );
  return Number(rows[0]!.n);
}
