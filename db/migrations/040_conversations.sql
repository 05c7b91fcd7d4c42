-- Conversations as agents see them: one row per conversation workflow, kept current by the workflow
-- (mode, assigned agent). No PII: the subject is a keyed hash, the ref is opaque.
CREATE TABLE IF NOT EXISTS conversations (
  client_id       text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  ref             text NOT NULL,
  phone_number_id text NOT NULL,
  subject_hash    text NOT NULL,
  mode            text NOT NULL CHECK (mode IN ('bot', 'queued', 'agent', 'opted_out', 'closed')),
  assigned_agent  text,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, ref)
);
CREATE INDEX IF NOT EXISTS conversations_mode ON conversations(client_id, mode, updated_at DESC);

-- The handoff queue: one open request per conversation at most (waiting or assigned), ordered by
-- priority then time; closed rows stay as the record of what happened (resolved, expired …).
CREATE TABLE IF NOT EXISTS handoff_queue (
  id             bigserial PRIMARY KEY,
  client_id      text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  ref            text NOT NULL,
  subject_hash   text NOT NULL,
  reason         text NOT NULL,
  priority       integer NOT NULL DEFAULT 0,
  status         text NOT NULL CHECK (status IN ('waiting', 'assigned', 'resolved', 'expired', 'cancelled', 'callback')),
  assigned_agent text,
  queued_at      timestamptz NOT NULL DEFAULT now(),
  closed_at      timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS handoff_queue_open ON handoff_queue(client_id, ref)
  WHERE status IN ('waiting', 'assigned');
CREATE INDEX IF NOT EXISTS handoff_queue_waiting ON handoff_queue(client_id, priority DESC, queued_at)
  WHERE status = 'waiting';

-- What the NLU understood, once per inbound message: Dialogflow CX's detectIntent is not idempotent,
-- so a retried activity returns this instead of calling again. Sealed (it holds what the user said).
CREATE TABLE IF NOT EXISTS nlu_results (
  client_id    text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  message_id   text NOT NULL,
  subject_hash text NOT NULL,
  engine       text NOT NULL,
  result_enc   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, message_id)
);
CREATE INDEX IF NOT EXISTS nlu_results_subject ON nlu_results(client_id, subject_hash);
