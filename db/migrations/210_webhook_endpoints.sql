-- Signed outbound events (docs/events.md). An endpoint is a client's configured destination: a URL,
-- the event types it takes and its signing secret, sealed by the deployment's secret box (aad: the
-- endpoint id). A delivery is one event for one endpoint, in id order; its payload holds ids,
-- refs, hashes and statuses only, never message text, names or numbers. `subject_hash` (the keyed
-- hash, when the event is about an end-user) makes deliveries a subject table: erasure removes them,
-- the retention registry expires them. A redelivery is a new row naming the one it repeats. The
-- payload is `json`, not `jsonb`: its keys stay in the order the event wrote them.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  id              text PRIMARY KEY,
  client_id       text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  url             text NOT NULL,
  events          text[] NOT NULL,
  secret_enc      text NOT NULL,
  status          text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
  disabled_reason text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_endpoints_client ON webhook_endpoints(client_id, status);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id              bigserial PRIMARY KEY,
  endpoint_id     text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  client_id       text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  subject_hash    text,
  event_id        text NOT NULL,
  event_type      text NOT NULL,
  payload         json NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        int NOT NULL DEFAULT 0,
  last_status     int,
  last_error      text,
  last_attempt_at timestamptz,
  delivered_at    timestamptz,
  redelivery_of   bigint REFERENCES webhook_deliveries(id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS webhook_deliveries_event
  ON webhook_deliveries(endpoint_id, event_id) WHERE redelivery_of IS NULL;
CREATE INDEX IF NOT EXISTS webhook_deliveries_pending
  ON webhook_deliveries(endpoint_id, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_subject ON webhook_deliveries(client_id, subject_hash);
