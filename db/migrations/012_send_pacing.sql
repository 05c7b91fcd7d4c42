-- Send pacing shared by every worker: one GCRA "theoretical arrival time" (epoch ms) per key —
-- `number:<phone_number_id>` for Meta's per-number throughput, `pair:<phone_number_id>:<subject>` for
-- the per-recipient pair limit. UNLOGGED: after a crash the buckets start empty, which is harmless.
CREATE UNLOGGED TABLE IF NOT EXISTS send_pacing (
  key text PRIMARY KEY,
  tat double precision NOT NULL
);
