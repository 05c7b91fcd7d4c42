-- A no-match utterance is reviewed once per inbound message: the NLU activity may be retried, and
-- the message id makes the retry's insert a no-op.
ALTER TABLE nlu_review ADD COLUMN IF NOT EXISTS message_id text;
CREATE UNIQUE INDEX IF NOT EXISTS nlu_review_message ON nlu_review(client_id, message_id);
