-- The health of a client's Graph access token: when Graph last rejected it (error 190, "invalid
-- OAuth access token"), cleared by a successful send or a rotation; when it was last rotated.
ALTER TABLE clients ADD COLUMN IF NOT EXISTS graph_token_rejected_at timestamptz;
ALTER TABLE clients ADD COLUMN IF NOT EXISTS graph_token_rotated_at timestamptz;
CREATE INDEX IF NOT EXISTS clients_graph_token_rejected ON clients(graph_token_rejected_at)
  WHERE graph_token_rejected_at IS NOT NULL;
