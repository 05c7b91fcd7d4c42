-- Media of inbound messages (image, audio, video, document, sticker). The file itself is sealed under
-- the subject's data key and kept in the media store under `storage_key`; this row says where, what
-- it is, and whether the download failed for good (status 'failed' with a reason).
CREATE TABLE IF NOT EXISTS media (
  client_id     text NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  message_wamid text NOT NULL,
  subject_hash  text NOT NULL,
  media_id      text NOT NULL,
  kind          text NOT NULL,
  mime_type     text,
  sha256        text,
  size_bytes    integer,
  storage_key   text,
  status        text NOT NULL CHECK (status IN ('stored', 'failed')),
  failure       text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, message_wamid)
);
CREATE INDEX IF NOT EXISTS media_subject ON media(client_id, subject_hash);
