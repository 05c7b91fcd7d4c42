-- Service-optimisation events: non-PII facts (counts, intents, durations) per client, so insights
-- survive erasure and retention without ever holding personal data. No subject, no text.
CREATE TABLE IF NOT EXISTS insight_events (
  id        bigserial PRIMARY KEY,
  client_id text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  kind      text NOT NULL,
  dims      jsonb NOT NULL DEFAULT '{}'::jsonb,
  value_ms  bigint,
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS insight_events_client_at ON insight_events(client_id, at);

-- No-match utterances kept for NLU review, only where the client turned review on. Redacted before
-- storage, sealed under the subject's key, and deleted with the subject or by retention.
CREATE TABLE IF NOT EXISTS nlu_review (
  id           bigserial PRIMARY KEY,
  client_id    text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  subject_hash text NOT NULL,
  text_enc     text NOT NULL,
  language     text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS nlu_review_client ON nlu_review(client_id, created_at);
CREATE INDEX IF NOT EXISTS nlu_review_subject ON nlu_review(client_id, subject_hash);
