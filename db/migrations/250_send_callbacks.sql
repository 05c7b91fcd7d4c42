-- Exactly once across a crash between Meta's answer and our record (issue 16): every send carries a
-- keyed hash of its idempotency key as `biz_opaque_callback_data`, which Meta echoes in the
-- message's statuses. A retried send whose earlier attempt may have been accepted looks for a status
-- carrying its callback before it sends again. Neither value is personal data (HMACs of our keys).
ALTER TABLE messages ADD COLUMN IF NOT EXISTS attempted_at timestamptz;
ALTER TABLE message_status_events ADD COLUMN IF NOT EXISTS callback text;
CREATE INDEX IF NOT EXISTS message_status_events_callback
  ON message_status_events(client_id, callback) WHERE callback IS NOT NULL;
