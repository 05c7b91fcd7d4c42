-- End-user rights requests (erasure). The subject's keyed hash is kept only while the request runs
-- (for idempotency) and cleared when it completes, so the finished record holds no trace of who.
CREATE TABLE IF NOT EXISTS privacy_requests (
  id           text PRIMARY KEY,
  client_id    text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('erasure')),
  subject_hash text,
  status       text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  requested_by text NOT NULL,
  progress     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX IF NOT EXISTS privacy_requests_client ON privacy_requests(client_id, created_at);
-- At most one open erasure per subject: a repeated DELETE finds the running one.
CREATE UNIQUE INDEX IF NOT EXISTS privacy_requests_open
  ON privacy_requests(client_id, subject_hash) WHERE status IN ('pending', 'running');
