-- Voice understanding reads a stored file by the media id the message carried.
CREATE INDEX IF NOT EXISTS media_media_id ON media(client_id, media_id);
