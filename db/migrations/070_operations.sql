-- Insight events recorded from activities that Temporal may retry: a natural key per event (message
-- id, handoff id, wamid and level) makes the retry a no-op instead of a double count.
ALTER TABLE insight_events ADD COLUMN IF NOT EXISTS event_key text;
CREATE UNIQUE INDEX IF NOT EXISTS insight_events_key ON insight_events(client_id, kind, event_key)
  WHERE event_key IS NOT NULL;

-- When an agent accepted a handoff and first replied: wait time, time to first response and
-- resolution time are measured from these (the queue row already knows when it was queued).
ALTER TABLE handoff_queue ADD COLUMN IF NOT EXISTS assigned_at timestamptz;
ALTER TABLE handoff_queue ADD COLUMN IF NOT EXISTS first_response_at timestamptz;
