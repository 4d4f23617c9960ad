-- Columns the prover worker (quire-prover `run`) needs on top of 0001's prover_jobs. Keep in
-- step with ../sqlite/0002_prover.sql. The worker also uses 0001's columns: `worker` (who holds
-- the job), `attempts` (claims so far; with `worker` it fences every write of the holder),
-- `heartbeat_at_ms` (database clock, so workers on several machines agree), `proof`, `error`.

-- Public inputs of the stored proof: Goldilocks elements, 8 bytes big-endian each.
ALTER TABLE prover_jobs ADD COLUMN public_inputs BYTEA;
-- Retry back-off: a queued job is not claimed before this time (NULL: at once).
ALTER TABLE prover_jobs ADD COLUMN retry_at_ms BIGINT;
-- Wall time of the successful attempt, and when it finished.
ALTER TABLE prover_jobs ADD COLUMN proving_ms BIGINT;
ALTER TABLE prover_jobs ADD COLUMN proven_at_ms BIGINT;
