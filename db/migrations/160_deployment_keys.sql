-- Keys that identify rather than protect: the blind index (subject hashes) and the order-content
-- hash. They must stay the same when the master key rotates, or every end-user gets a new subject
-- hash. Each is generated once per deployment, stored wrapped by the KMS (like subject data keys,
-- with the id of the key that wrapped it), loaded by API and worker at start and re-wrapped by
-- `rotate-keys`. No end-user data here.
CREATE TABLE IF NOT EXISTS deployment_keys (
  purpose      text PRIMARY KEY,
  wrapped_key  text NOT NULL,
  kms_key_id   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  rewrapped_at timestamptz
);
