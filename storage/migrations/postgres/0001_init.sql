-- Quire sequencer schema (PostgreSQL). Keep in step with ../sqlite/0001_init.sql: same tables,
-- same columns; only the type names differ (BYTEA for BLOB, BIGINT for INTEGER).

-- Key/value facts: the genesis (JSON) and the chain id.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every acknowledged L2 transaction, written before the API replies (the durable mempool).
CREATE TABLE transactions (
    hash           BYTEA PRIMARY KEY,
    seq            BIGINT NOT NULL,           -- arrival order
    account        BIGINT NOT NULL,
    nonce          BIGINT NOT NULL,
    body           BYTEA NOT NULL,              -- canonical encoding of the signed tx
    received_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX transactions_seq ON transactions (seq);

-- The outcome of a transaction once a batch decided it; absent while pending.
CREATE TABLE tx_results (
    hash          BYTEA PRIMARY KEY,
    batch_number  BIGINT NOT NULL,
    position      BIGINT,                     -- position in the batch if executed
    status        TEXT NOT NULL,               -- executed | rejected
    receipt       TEXT,                        -- JSON receipt if executed
    error_code    TEXT,
    error_message TEXT
);

-- L1 priority operations in queue order, and their outcome once executed.
CREATE TABLE priority_ops (
    priority_id    BIGINT PRIMARY KEY,
    body           BYTEA NOT NULL,              -- canonical encoding
    received_at_ms BIGINT NOT NULL,
    batch_number   BIGINT,
    position       BIGINT,
    receipt        TEXT
);

CREATE TABLE batches (
    number              BIGINT PRIMARY KEY,
    prev_root           BYTEA NOT NULL,
    root                BYTEA NOT NULL,
    op_count            BIGINT NOT NULL,
    rejected_count      BIGINT NOT NULL,
    pubdata             BYTEA NOT NULL,
    pubdata_commitment  BYTEA NOT NULL,
    priority_commitment BYTEA NOT NULL,
    first_priority_id   BIGINT NOT NULL,
    priority_count      BIGINT NOT NULL,
    diff                TEXT NOT NULL,         -- JSON StateDiff
    stats               TEXT NOT NULL,         -- JSON BatchStats
    status              TEXT NOT NULL,         -- executed | committed | proven | finalized
    created_at_ms       BIGINT NOT NULL
);

-- The accepted operations of each batch in order: what the prover replays.
CREATE TABLE batch_ops (
    batch_number BIGINT NOT NULL,
    position     BIGINT NOT NULL,
    hash         BYTEA NOT NULL,
    body         BYTEA NOT NULL,                -- canonical encoding of the Operation
    PRIMARY KEY (batch_number, position)
);

-- The state as of the latest batch: restart rebuilds the trees from these rows.
CREATE TABLE accounts (
    id       BIGINT PRIMARY KEY,
    pubkey   BYTEA,
    l1_owner BYTEA NOT NULL,
    nonce    BIGINT NOT NULL
);

CREATE TABLE balances (
    account BIGINT NOT NULL,
    token   BIGINT NOT NULL,
    amount  BIGINT NOT NULL,
    PRIMARY KEY (account, token)
);

-- One proving job per batch, created with the batch.
CREATE TABLE prover_jobs (
    batch_number    BIGINT PRIMARY KEY,
    status          TEXT NOT NULL,             -- queued | proving | proven | failed
    worker          TEXT,
    attempts        BIGINT NOT NULL,
    heartbeat_at_ms BIGINT,
    proof           BYTEA,
    error           TEXT,
    created_at_ms   BIGINT NOT NULL,
    updated_at_ms   BIGINT NOT NULL
);
CREATE INDEX prover_jobs_status ON prover_jobs (status, batch_number);
