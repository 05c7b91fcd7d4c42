-- Per-API-key request counters shared by every API process (rate-limiter-flexible's PostgreSQL
-- store, table layout as that library expects). Keys are API key ids, never end-user data; rows
-- expire with their window and each API process deletes those expired an hour ago.
CREATE TABLE IF NOT EXISTS rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
