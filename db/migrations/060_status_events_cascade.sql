-- Status events arrive before or after their message row (Meta does not order them), so they carry no
-- foreign key; instead, deleting a message (erasure, retention) deletes its status history with it.
CREATE OR REPLACE FUNCTION delete_message_status_events() RETURNS trigger AS $$
BEGIN
  IF OLD.wamid IS NOT NULL THEN
    DELETE FROM message_status_events WHERE wamid = OLD.wamid;
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS messages_delete_status_events ON messages;
CREATE TRIGGER messages_delete_status_events AFTER DELETE ON messages
  FOR EACH ROW EXECUTE FUNCTION delete_message_status_events();
