-- The chain mirror: what one rollup contract's L1 history says, as read (decoded events
-- with the calldata they need), so a verifier or an exodus tool resumes without re-reading
-- L1. Everything here is derived from L1 and can be thrown away and re-read.

-- Which rollup this file mirrors (one row): a mirror never mixes two contracts.
CREATE TABLE mirror_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    chain_id INTEGER NOT NULL,
    rollup BLOB NOT NULL,
    deployment_block INTEGER NOT NULL
);

-- Where reading resumes (one row): the first block not read and the last page's last block.
CREATE TABLE mirror_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_block INTEGER NOT NULL,
    checkpoint_number INTEGER NOT NULL,
    checkpoint_hash BLOB NOT NULL
);

-- The last block of every page read, with its hash then: after a reorg deeper than the
-- confirmation depth, reading rolls back to the newest one still on the chain.
CREATE TABLE mirror_checkpoints (
    number INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);

-- Every event of the rollup in chain order, decoded (JSON of quire_chain::ChainEvent).
CREATE TABLE mirror_events (
    block INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (block, log_index)
);
