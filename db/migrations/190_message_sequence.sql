-- The order in which conversations handled their messages. Meta's timestamps have whole seconds and
-- ours milliseconds, so within one second a customer's messages sorted before the replies they got;
-- a sequence number taken when each message is recorded (inbound when the conversation persists it,
-- outbound when it claims the send) orders the transcript as it happened. Existing rows are numbered
-- in the order the transcript showed them so far. Additive: a new column, its sequence and an index.
CREATE SEQUENCE IF NOT EXISTS messages_seq_seq;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS seq bigint;
UPDATE messages m SET seq = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY occurred_at, created_at, id) AS n FROM messages) o
  WHERE m.id = o.id AND m.seq IS NULL;
SELECT setval('messages_seq_seq', COALESCE((SELECT max(seq) FROM messages), 0) + 1, false);
ALTER TABLE messages ALTER COLUMN seq SET DEFAULT nextval('messages_seq_seq');
ALTER SEQUENCE messages_seq_seq OWNED BY messages.seq;
ALTER TABLE messages ALTER COLUMN seq SET NOT NULL;
CREATE INDEX IF NOT EXISTS messages_subject_seq ON messages(client_id, subject_hash, seq);
