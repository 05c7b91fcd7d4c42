-- Send pacing rows of a recipient name their subject the way every other subject table does, so
-- erasure and retention find them through the registry of subject tables (db/subject-tables.ts):
-- `pair:<number>:<subject>` rows carry client_id + subject_hash; `number:<id>` rows carry neither.
ALTER TABLE send_pacing ADD COLUMN IF NOT EXISTS client_id text;
ALTER TABLE send_pacing ADD COLUMN IF NOT EXISTS subject_hash text;
ALTER TABLE send_pacing ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX IF NOT EXISTS send_pacing_subject ON send_pacing(client_id, subject_hash)
  WHERE subject_hash IS NOT NULL;

-- Retention expires contacts, conversations and closed handoffs by these timestamps.
CREATE INDEX IF NOT EXISTS contacts_updated ON contacts(client_id, updated_at);
CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(client_id, updated_at);
-- Data keys of subjects with nothing left are destroyed by age.
CREATE INDEX IF NOT EXISTS subject_keys_created ON subject_keys(created_at);

-- Buckets written before this migration: the subject is in the key, the client is the number's owner.
UPDATE send_pacing p SET client_id = n.client_id, subject_hash = split_part(p.key, ':', 3)
FROM client_phone_numbers n
WHERE p.key LIKE 'pair:%' AND p.subject_hash IS NULL AND n.phone_number_id = split_part(p.key, ':', 2);
