-- Canned responses: a client's prepared replies, per language, with `{{variables}}` the API fills for
-- the conversation (db/canned-responses.ts). Business content, not end-user data: kept in clear.
CREATE TABLE IF NOT EXISTS canned_responses (
  id         text PRIMARY KEY,
  client_id  text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  shortcut   text NOT NULL,
  language   text NOT NULL CHECK (language IN ('en', 'es', 'pt')),
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, shortcut, language)
);

-- Agents' private notes on a contact (never sent to the customer): personal data, so a subject table
-- (client_id + subject_hash) whose text is sealed under the subject's data key as `contact_notes.body`.
-- Export, erasure and retention find it by those columns (db/subject-tables.ts, db/retention.ts).
CREATE TABLE IF NOT EXISTS contact_notes (
  id           text PRIMARY KEY,
  client_id    text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  subject_hash text NOT NULL,
  author       text NOT NULL,
  body_enc     text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS contact_notes_subject ON contact_notes(client_id, subject_hash, created_at);

-- Labels on conversations: sealed as `conversation_labels.label`; `label_hash` is the label's keyed
-- hash (blind index) under the client, which is how the conversation list filters by label.
CREATE TABLE IF NOT EXISTS conversation_labels (
  id           text PRIMARY KEY,
  client_id    text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  ref          text NOT NULL,
  subject_hash text NOT NULL,
  label_hash   text NOT NULL,
  label_enc    text NOT NULL,
  added_by     text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, ref, label_hash)
);
CREATE INDEX IF NOT EXISTS conversation_labels_hash ON conversation_labels(client_id, label_hash);
CREATE INDEX IF NOT EXISTS conversation_labels_subject ON conversation_labels(client_id, subject_hash);
