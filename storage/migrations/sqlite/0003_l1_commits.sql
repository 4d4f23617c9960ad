-- What L1 stored of each committed batch, recorded by the sequencer from the `BatchCommitted`
-- log in the receipt of its own commit once it is mined. Keep in step with
-- ../postgres/0003_l1_commits.sql.
--
-- L1 keeps only keccak256(abi.encode(StoredBatchInfo)) per batch, so proving, executing and
-- committing on top of a batch must pass the struct back exactly as emitted; with this row the
-- settlement task reads it (and the payouts `executeBatch` credits) here instead of scanning
-- `eth_getLogs` from the deployment block. A row is only used while its hash equals L1's
-- `storedBatchHash(batch_number)`; batches committed before this table existed, or whose
-- row was not written (a crash between the commit and the write), are read from L1's logs
-- and recorded then.

CREATE TABLE l1_commits (
    batch_number        INTEGER PRIMARY KEY,
    l2_timestamp        INTEGER NOT NULL,      -- StoredBatchInfo.timestamp (seconds)
    first_priority_id   INTEGER NOT NULL,
    priority_ops_count  INTEGER NOT NULL,
    prev_state_root     BLOB NOT NULL,         -- 32 bytes each, as L1 holds them (D9 L1 form)
    state_root          BLOB NOT NULL,
    pubdata_commitment  BLOB NOT NULL,
    priority_commitment BLOB NOT NULL,
    payouts_hash        BLOB NOT NULL,
    payouts             BLOB NOT NULL,         -- payout records emitted at commit (29 bytes each)
    l1_block            INTEGER NOT NULL,      -- block of the commit
    recorded_at_ms      INTEGER NOT NULL
);
