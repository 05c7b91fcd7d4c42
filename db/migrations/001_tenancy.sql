-- Tenants ("clients"), the WhatsApp numbers they own, and their API keys (stored as hashes only).
CREATE TABLE IF NOT EXISTS clients (
  id                     text PRIMARY KEY,
  name                   text NOT NULL,
  graph_access_token_enc text,
  settings               jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS client_phone_numbers (
  phone_number_id text PRIMARY KEY,
  client_id       text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS client_phone_numbers_client ON client_phone_numbers(client_id);

CREATE TABLE IF NOT EXISTS api_keys (
  id         text PRIMARY KEY,
  client_id  text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  key_hash   text NOT NULL UNIQUE,
  scopes     text[] NOT NULL,
  label      text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS api_keys_client ON api_keys(client_id);
