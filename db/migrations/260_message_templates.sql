-- Message templates kept in step with Meta (issue 18). A client's WhatsApp Business Account id names
-- the account its templates live in and routes Meta's template webhooks (`entry[].id`) to it: one
-- account per client. Templates are the business's own texts with placeholders, not personal data:
-- stored plain. `status_at` is the time of the newest fact applied (a webhook's `entry.time`, a
-- sync's start): an older webhook arriving late never overwrites a newer status.
ALTER TABLE clients ADD COLUMN IF NOT EXISTS waba_id text;
CREATE UNIQUE INDEX IF NOT EXISTS clients_waba_id ON clients(waba_id) WHERE waba_id IS NOT NULL;
ALTER TABLE clients ADD COLUMN IF NOT EXISTS templates_synced_at timestamptz;

CREATE TABLE IF NOT EXISTS message_templates (
  client_id text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  name text NOT NULL,
  language text NOT NULL,
  template_id text,
  category text,
  status text NOT NULL,
  quality text,
  components jsonb NOT NULL DEFAULT '[]',
  status_at timestamptz NOT NULL,
  synced_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, name, language)
);
CREATE INDEX IF NOT EXISTS message_templates_by_id ON message_templates(client_id, template_id);
CREATE INDEX IF NOT EXISTS message_templates_blocked ON message_templates(status)
  WHERE status IN ('PAUSED', 'DISABLED');
