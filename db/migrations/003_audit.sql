-- Append-only audit log: who (API key id) did what, when, to which subject (by keyed hash). No PII.
CREATE TABLE IF NOT EXISTS audit_log (
  id           bigserial PRIMARY KEY,
  client_id    text NOT NULL,
  actor        text NOT NULL,
  action       text NOT NULL,
  subject_hash text,
  resource     text,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_log_client ON audit_log(client_id, id);
CREATE INDEX IF NOT EXISTS audit_log_subject ON audit_log(client_id, subject_hash);

CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
