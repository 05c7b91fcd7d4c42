-- Media both ways. Agents' outbound files get rows too (`message_wamid` is then the outbound
-- message's id, the send's idempotency key, until Meta's id is known), with the id Meta's upload
-- answered so a retried send does not upload twice. `sealed_as` tells how the file is sealed:
-- 'whole' (one sealed string, files stored before streaming) or 'stream' (chunked AEAD,
-- crypto/stream.ts); both open.
ALTER TABLE media ADD COLUMN IF NOT EXISTS direction text NOT NULL DEFAULT 'in'
  CHECK (direction IN ('in', 'out'));
ALTER TABLE media ADD COLUMN IF NOT EXISTS sealed_as text NOT NULL DEFAULT 'whole'
  CHECK (sealed_as IN ('whole', 'stream'));
ALTER TABLE media ADD COLUMN IF NOT EXISTS graph_media_id text;
ALTER TABLE media ALTER COLUMN size_bytes TYPE bigint;
