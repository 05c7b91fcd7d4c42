import { migrate } from './migrate';
import { createPool, type Queryable } from './pool';

/**
 * The application's database role. Migrations run as the schema's owner; the API and the worker
 * connect as a role that may read and write the tables but owns none of them, so it cannot alter
 * them: on `audit_log` it has SELECT and INSERT only (the table's trigger refuses UPDATE, DELETE and
 * TRUNCATE to everyone; this role cannot even ask, nor drop the trigger). Idempotent; run after
 * every migration, as the owner. Tables the owner creates later get the same grants by default.
 */
export async function grantAppRole(owner: Queryable, role: string): Promise<void> {
  const { rows } = await owner.query<{ sql: string }>(
    `SELECT unnest(ARRAY[
       format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), $1::text),
       format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), $1::text),
       format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), $1::text),
       format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
              current_schema(), $1::text),
       format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', current_schema(), $1::text),
       format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', $1::text),
       format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM %I', $1::text)
     ]) AS sql`,
    [role],
  );
  for (const { sql } of rows) await owner.query(sql);
}

/**
 * Creates the application's login role if it does not exist, with `password` (local profile, tests,
 * compose's migrate step; on managed PostgreSQL an administrator may create it instead). The owner
 * needs CREATEROLE. Two processes creating it at once is fine: the second finds it.
 */
export async function ensureAppRole(owner: Queryable, role: string, password: string): Promise<void> {
  const { rows } = await owner.query<{ sql: string }>(
    `SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD %L', $1::text, $2::text)
       AS sql WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`,
    [role, password],
  );
  if (!rows[0]) return;
  try {
    await owner.query(rows[0].sql);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42710' && code !== '23505') throw err; // created meanwhile by another process
  }
}

/**
 * Migrates as the owner (`ownerUrl`), then, when `appUrl` names another role, creates that role if
 * needed (with the URL's password) and grants it. Returns the migrations applied. `setPassword`
 * also gives an existing role the URL's password (`npm start`, whose password is derived from the
 * master key: it changes when the master key rotates).
 */
export async function migrateAndGrant(
  ownerUrl: string,
  appUrl: string,
  opts: { setPassword?: boolean } = {},
): Promise<string[]> {
  const owner = createPool(ownerUrl, 1);
  try {
    const applied = await migrate(owner);
    const app = new URL(appUrl);
    const role = decodeURIComponent(app.username);
    if (role && role !== decodeURIComponent(new URL(ownerUrl).username)) {
      await ensureAppRole(owner, role, decodeURIComponent(app.password));
      if (opts.setPassword) await setRolePassword(owner, role, decodeURIComponent(app.password));
      await grantAppRole(owner, role);
    }
    return applied;
  } finally {
    await owner.end();
  }
}

async function setRolePassword(owner: Queryable, role: string, password: string): Promise<void> {
  const { rows } = await owner.query<{ sql: string }>(
    `SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text) AS sql`,
    [role, password],
  );
  await owner.query(rows[0]!.sql);
}

/** The same database as `ownerUrl`, reached as `role` with `password` (the local profile's app role). */
export function appRoleUrl(ownerUrl: string, role: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}
