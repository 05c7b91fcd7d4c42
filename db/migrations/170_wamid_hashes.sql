-- A WhatsApp message id (wamid) holds the end-user's phone number, so it is stored only as a keyed
-- hash (whatsapp/wamid.ts). The columns that held wamids in clear are renamed to what they hold now;
-- the ids already stored are hashed in place by `hashStoredWamids` (db/wamid-backfill.ts), which
-- needs the blind-index key that SQL does not have: the API and the worker run it at start, before
-- they serve, for every table still listed in `wamid_rehash_pending`, and unlist each table once
-- none of its values is in clear. New rows are written hashed from the start.
ALTER TABLE messages RENAME COLUMN wamid TO wamid_hash;
ALTER TABLE message_status_events RENAME COLUMN wamid TO wamid_hash;
ALTER TABLE order_notifications RENAME COLUMN wamid TO wamid_hash;
-- For inbound files it held Meta's message id, for outbound ones the send's idempotency key: the
-- message's id (`messages.id`) either way.
ALTER TABLE media RENAME COLUMN message_wamid TO message_id;

CREATE OR REPLACE FUNCTION delete_message_status_events() RETURNS trigger AS $$
BEGIN
  IF OLD.wamid_hash IS NOT NULL THEN
    DELETE FROM message_status_events WHERE wamid_hash = OLD.wamid_hash;
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE IF NOT EXISTS wamid_rehash_pending (
  table_name text PRIMARY KEY
);
INSERT INTO wamid_rehash_pending(table_name) VALUES
  ('messages'), ('message_status_events'), ('order_notifications'), ('media'), ('nlu_results'),
  ('nlu_review'), ('insight_events'), ('orders')
ON CONFLICT DO NOTHING;
