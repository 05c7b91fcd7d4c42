-- Orders: the durable record of each order workflow (the workflow answers while it runs, this table
-- after). Amounts are integer minor units. Customer id, name, address, items and shipment are sealed
-- together in details_enc under the subject's data key; what stays clear carries no PII.
CREATE TABLE IF NOT EXISTS orders (
  client_id        text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  order_id         text NOT NULL,
  subject_hash     text NOT NULL,
  status           text NOT NULL,
  currency         text NOT NULL,
  subtotal         bigint NOT NULL,
  shipping_cost    bigint,
  total            bigint,
  payment_deadline timestamptz,
  cancel_reason    text,
  payments         jsonb NOT NULL DEFAULT '[]'::jsonb,
  details_enc      text NOT NULL,
  content_hash     text NOT NULL,
  source           text NOT NULL,
  version          integer NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  completed_at     timestamptz,
  PRIMARY KEY (client_id, order_id)
);
CREATE INDEX IF NOT EXISTS orders_subject ON orders(client_id, subject_hash, created_at);

-- Every customer update an order owed, and what became of it (sent, refused: opted_out / no_contact /
-- window_closed, failed). No content: the message itself is in the transcript, sealed.
CREATE TABLE IF NOT EXISTS order_notifications (
  client_id  text NOT NULL,
  order_id   text NOT NULL,
  event      text NOT NULL,
  status     text NOT NULL,
  reason     text,
  via        text,
  wamid      text,
  at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, order_id, event),
  FOREIGN KEY (client_id, order_id) REFERENCES orders(client_id, order_id) ON DELETE CASCADE
);

-- One shipping rate table per client (validated by shipping/rate-table.ts before it is stored).
CREATE TABLE IF NOT EXISTS shipping_rates (
  client_id  text PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
  rate_table jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
