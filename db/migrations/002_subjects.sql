-- Per-subject data keys (envelope encryption): one AES-256 key per end-user per client, wrapped by the
-- KMS. Destroying the row makes everything sealed under it unreadable, backups included.
CREATE TABLE IF NOT EXISTS subject_keys (
  client_id    text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  subject_hash text NOT NULL,
  key_id       text NOT NULL UNIQUE,
  wrapped_key  text NOT NULL,
  kms_key_id   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, subject_hash)
);
CREATE INDEX IF NOT EXISTS subject_keys_kms_key ON subject_keys(kms_key_id);

-- End-users of a client. Identified by a keyed hash (blind index); the reply address and profile name
-- are sealed under the subject's data key.
CREATE TABLE IF NOT EXISTS contacts (
  client_id        text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  subject_hash     text NOT NULL,
  recipient_enc    text NOT NULL,
  name_enc         text,
  opted_out        boolean NOT NULL DEFAULT false,
  opted_out_at     timestamptz,
  undeliverable_at timestamptz,
  last_inbound_at  timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, subject_hash)
);

-- Consent history (opt-out / opt-in), kept for export; no PII.
CREATE TABLE IF NOT EXISTS consent_events (
  id           bigserial PRIMARY KEY,
  client_id    text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  subject_hash text NOT NULL,
  event        text NOT NULL CHECK (event IN ('opt_out', 'opt_in')),
  source       text NOT NULL,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS consent_events_subject ON consent_events(client_id, subject_hash);

-- The transcript: inbound and outbound messages. Content is sealed under the subject's data key;
-- outbound rows are keyed by a step-derived idempotency key so a retried send finds its earlier self.
CREATE TABLE IF NOT EXISTS messages (
  id              text PRIMARY KEY,
  client_id       text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  subject_hash    text NOT NULL,
  phone_number_id text NOT NULL,
  direction       text NOT NULL CHECK (direction IN ('in', 'out')),
  wamid           text UNIQUE,
  type            text NOT NULL,
  body_enc        text,
  status          text NOT NULL,
  status_reason   text,
  sent_by         text,
  occurred_at     timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS messages_subject ON messages(client_id, subject_hash, occurred_at);
