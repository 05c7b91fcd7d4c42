-- What a business teaches its bot, per language: FAQ entries (example questions and one answer) and
-- texts that override the catalogue's greeting and menu. Business content, not end-user data: kept in
-- clear. `bot_content_version` moves with every change so a worker retrains a client's model only
-- when its content changed (one primary-key read per message).
CREATE TABLE IF NOT EXISTS bot_faq (
  id         text PRIMARY KEY,
  client_id  text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  language   text NOT NULL CHECK (language IN ('en', 'es', 'pt')),
  examples   jsonb NOT NULL,
  answer     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bot_faq_client ON bot_faq(client_id, language, created_at);

CREATE TABLE IF NOT EXISTS bot_texts (
  client_id  text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  language   text NOT NULL CHECK (language IN ('en', 'es', 'pt')),
  texts      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, language)
);

CREATE TABLE IF NOT EXISTS bot_content_version (
  client_id text PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
  version   bigint NOT NULL DEFAULT 0
);
