-- Webhook notifications answered 200 but not acted on: other subscribed fields (template updates,
-- user preferences …), numbers no client owns, items that failed validation. Ids of Meta objects
-- only (WABA, business number), never end-user data, so it can be kept and counted freely.
CREATE TABLE IF NOT EXISTS webhook_ignored (
  id              bigserial PRIMARY KEY,
  field           text NOT NULL,
  reason          text NOT NULL,
  waba_id         text,
  phone_number_id text,
  received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_ignored_received ON webhook_ignored(received_at);

-- Delivery states of an outbound message in the order they may only move: sent < delivered <
-- read/played; failed is terminal. A status ranked no higher than the current one is a regression.
CREATE OR REPLACE FUNCTION delivery_rank(status text) RETURNS integer
  IMMUTABLE LANGUAGE sql AS $$
  SELECT CASE status
    WHEN 'pending' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2
    WHEN 'read' THEN 3 WHEN 'played' THEN 3 WHEN 'failed' THEN 9 WHEN 'refused' THEN 9
    ELSE 0 END
$$;

-- Status history of outbound messages, one row per (wamid, status) however often Meta redelivers it.
-- Keyed by wamid rather than our row: a status can arrive before the send recorded its wamid.
CREATE TABLE IF NOT EXISTS message_status_events (
  client_id   text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  wamid       text NOT NULL,
  status      text NOT NULL,
  occurred_at timestamptz NOT NULL,
  error_code  integer,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (wamid, status)
);
CREATE INDEX IF NOT EXISTS message_status_events_client ON message_status_events(client_id, recorded_at);
