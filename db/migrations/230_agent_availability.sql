-- Whether an agent (an API key with the agent scope) is available or away, as the agent set it in the
-- console. No row means available: a client that never uses the toggle sees no change. Keyed by the
-- key, not by a person, and holding no end-user data; deleted with its key or client.
CREATE TABLE IF NOT EXISTS agent_availability (
  key_id     text PRIMARY KEY REFERENCES api_keys(id) ON DELETE CASCADE,
  client_id  text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  status     text NOT NULL CHECK (status IN ('available', 'away')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS agent_availability_client ON agent_availability(client_id, status);
