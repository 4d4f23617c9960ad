-- Quire sequencer schema (SQLite). Keep in step with ../postgres/0001_init.sql: same tables,
-- same columns; only the type names differ (BLOB/BYTEA, INTEGER/BIGINT).

-- Key/value facts: the genesis (JSON) and the chain id.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every acknowledged L2 transaction, written before the API replies (the durable mempool).
CREATE TABLE transactions (
    hash           BLOB PRIMARY KEY,
    seq            INTEGER NOT NULL,           -- arrival order
    account        INTEGER NOT NULL,
    nonce          INTEGER NOT NULL,
    body           BLOB NOT NULL,              -- canonical encoding of the signed tx
    received_at_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX transactions_seq ON transactions (seq);

-- The outcome of a transaction once a batch decided it; absent while pending.
CREATE TABLE tx_results (
    hash          BLOB PRIMARY KEY,
    batch_number  INTEGER NOT NULL,
    position      INTEGER,                     -- position in the batch if executed
    status        TEXT NOT NULL,               -- executed | rejected
    receipt       TEXT,                        -- JSON receipt if executed
    error_code    TEXT,
    error_message TEXT
);

-- L1 priority operations in queue order, and their outcome once executed.
CREATE TABLE priority_ops (
    priority_id    INTEGER PRIMARY KEY,
    body           BLOB NOT NULL,              -- canonical encoding
    received_at_ms INTEGER NOT NULL,
    batch_number   INTEGER,
    position       INTEGER,
    receipt        TEXT
);

CREATE TABLE batches (
    number              INTEGER PRIMARY KEY,
    prev_root           BLOB NOT NULL,
    root                BLOB NOT NULL,
    op_count            INTEGER NOT NULL,
    rejected_count      INTEGER NOT NULL,
    pubdata             BLOB NOT NULL,
    pubdata_commitment  BLOB NOT NULL,
    priority_commitment BLOB NOT NULL,
    first_priority_id   INTEGER NOT NULL,
    priority_count      INTEGER NOT NULL,
    diff                TEXT NOT NULL,         -- JSON StateDiff
    stats               TEXT NOT NULL,         -- JSON BatchStats
    status              TEXT NOT NULL,         -- executed | committed | proven | finalized
    created_at_ms       INTEGER NOT NULL
);

-- The accepted operations of each batch in order: what the prover replays.
CREATE TABLE batch_ops (
    batch_number INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    hash         BLOB NOT NULL,
    body         BLOB NOT NULL,                -- canonical encoding of the Operation
    PRIMARY KEY (batch_number, position)
);

-- The state as of the latest batch: restart rebuilds the trees from these rows.
CREATE TABLE accounts (
    id       INTEGER PRIMARY KEY,
    pubkey   BLOB,
    l1_owner BLOB NOT NULL,
    nonce    INTEGER NOT NULL
);

CREATE TABLE balances (
    account INTEGER NOT NULL,
    token   INTEGER NOT NULL,
    amount  INTEGER NOT NULL,
    PRIMARY KEY (account, token)
);

-- One proving job per batch, created with the batch.
CREATE TABLE prover_jobs (
    batch_number    INTEGER PRIMARY KEY,
    status          TEXT NOT NULL,             -- queued | proving | proven | failed
    worker          TEXT,
    attempts        INTEGER NOT NULL,
    heartbeat_at_ms INTEGER,
    proof           BLOB,
    error           TEXT,
    created_at_ms   INTEGER NOT NULL,
    updated_at_ms   INTEGER NOT NULL
);
CREATE INDEX prover_jobs_status ON prover_jobs (status, batch_number);
