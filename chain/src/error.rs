//! Why the chain could not be read or does not check out.

use ethers::types::H256;
use quire_core::state::BatchReplayError;
use quire_l1::L1Error;

/// An error of the mirror, the rebuild or an exit. Every mismatch names the batch (or the
/// file) at fault, and nothing continues past one.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The L1 node failed or served something undecodable.
    #[error(transparent)]
    L1(#[from] L1Error),
    /// The mirror database failed.
    #[error("mirror database: {0}")]
    Db(#[from] sqlx::Error),
    /// The mirror database's schema could not be applied.
    #[error("mirror database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The mirror file belongs to another rollup or chain.
    #[error("the mirror at {path} holds rollup {found} (chain {found_chain}), not {expected} (chain {expected_chain}): use another --mirror file")]
    WrongMirror {
        /// The file.
        path: String,
        /// What it holds.
        found: String,
        /// Its chain id.
        found_chain: u64,
        /// What was asked for.
        expected: String,
        /// The node's chain id.
        expected_chain: u64,
    },
    /// No contract at the rollup address.
    #[error("no contract at {0:?} on this L1")]
    NoContract(ethers::types::Address),
    /// A batch was committed through another contract: its pubdata is in no transaction's
    /// own calldata.
    #[error("batch {batch} was committed or proven by an indirect call in {tx:?}: its calldata is not readable without call traces")]
    IndirectCall {
        /// The batch.
        batch: u64,
        /// The transaction.
        tx: H256,
    },
    /// The transaction's calldata is not the call its event says.
    #[error("batch {batch}: calldata of {tx:?} does not decode: {reason}")]
    Calldata {
        /// The batch.
        batch: u64,
        /// The transaction.
        tx: H256,
        /// Why.
        reason: String,
    },
    /// The pubdata served for a commit does not hash to what L1 committed.
    #[error("batch {batch}: the pubdata served for {tx:?} hashes to {served:?}, L1 committed {committed:?} (tampered or corrupt RPC answer)")]
    PubdataMismatch {
        /// The batch.
        batch: u64,
        /// The commit transaction.
        tx: H256,
        /// `pubdataCommitment` of the event.
        committed: H256,
        /// keccak256 of the served pubdata.
        served: H256,
    },
    /// The events are not a history the contract can emit.
    #[error("inconsistent L1 history: {0}")]
    History(String),
    /// The genesis file's root is not the contract's.
    #[error("the genesis file's root {file:?} is not the rollup's genesis root {contract:?}: wrong genesis file")]
    GenesisMismatch {
        /// Root of the file's genesis.
        file: H256,
        /// Root of batch 0 on L1.
        contract: H256,
    },
    /// The genesis file is invalid.
    #[error("invalid genesis file: {0}")]
    Genesis(String),
    /// A batch's pubdata does not replay.
    #[error("batch {batch}: {error}")]
    Replay {
        /// The batch.
        batch: u64,
        /// Why.
        error: BatchReplayError,
    },
    /// A batch consumed other priority operations than its pubdata states.
    #[error("batch {batch}: L1 says it consumed {committed} priority operations, its pubdata states {replayed}")]
    PriorityCount {
        /// The batch.
        batch: u64,
        /// `priorityOpsCount` on L1.
        committed: u64,
        /// Deposits and full exits in its pubdata.
        replayed: u64,
    },
    /// The rebuilt root differs from the committed one.
    #[error(
        "batch {batch}: the rebuilt state root {rebuilt:?} is not the committed root {committed:?}"
    )]
    RootMismatch {
        /// The batch.
        batch: u64,
        /// Root on L1.
        committed: H256,
        /// Root of the replay.
        rebuilt: H256,
    },
    /// The mirror has not read this far.
    #[error("batch {0} is not in the mirror (not committed on L1, or not read yet)")]
    UnknownBatch(u64),
}
