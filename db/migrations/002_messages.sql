-- Outbound messages: one row per logical send, keyed by a step-derived idempotency key, so a retried
-- activity finds what it already sent instead of sending it again.
CREATE TABLE IF NOT EXISTS outbound_messages (
  idempotency_key text PRIMARY KEY,
  client_id       text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  subject_hash    text NOT NULL,
  phone_number_id text NOT NULL,
  kind            text NOT NULL,
  wamid           text UNIQUE,
  status          text NOT NULL DEFAULT 'pending',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS outbound_messages_subject ON outbound_messages(client_id, subject_hash);
