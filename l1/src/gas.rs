//! The L1 gas model of a batch's settlement transactions, which the batch builder keeps
//! every batch within (as it keeps `batch.max_pubdata_bytes`): a batch it builds can always
//! be committed, whatever its operations.
//!
//! The costly transaction is the commit: `commitAndProveBatch` (or `commitBatch`) walks the
//! pubdata once, reading a stored priority operation per deposit and full exit and building a
//! payout record per withdrawal, refunded deposit and full exit. Execution is paged by the
//! contract (`Rollup.PAYOUTS_PER_PAGE`), so it never grows with the batch, and the proof is
//! of fixed size. Since Pectra (EIP-7623) a transaction pays
//! `21000 + max(16·nonzero + 4·zero bytes + execution, 40·nonzero + 10·zero bytes)`, so the
//! model bounds both sums, counting every pubdata byte as nonzero:
//! - `standard`: a fixed part (base cost, the header, the proof's calldata, the real plonky2
//!   verification with its EIP-150 reserve, the commit's own overhead) plus, per operation,
//!   16 gas per pubdata byte and what the contract spends on it;
//! - `floor`: a fixed part (base cost, the proof's calldata) plus 40 gas per pubdata byte.
//!
//! The per-kind execution figures are marginal costs measured with forge at the largest
//! batches (withdrawals at 8,000 per batch, where memory expansion makes each dearer than
//! at 1,000) and rounded up; `contracts/test/RollupWorstCase.t.sol` builds the worst batches
//! this model admits from `contracts/test/fixtures/l1_gas_model.json` (written by
//! `cargo run -p quire-l1 --example l1_gas_model`, checked fresh by this crate's tests) and
//! shows every settlement transaction of each at most 15M gas.

use quire_core::tx::pubdata;
use quire_core::tx::OpType;

/// The most gas one settlement transaction may need: EIP-7825 caps a transaction at 2^24
/// (16,777,216) gas; this keeps a margin for the model's error and for the node's estimate.
pub const MAX_SETTLEMENT_GAS: u64 = 15_000_000;

/// A cost under both of EIP-7623's prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Gas {
    /// Calldata at 16 gas a byte plus execution.
    pub standard: u64,
    /// Calldata at the floor price, 40 gas a byte.
    pub floor: u64,
}

impl Gas {
    /// What a transaction of this cost is charged (and the gas limit it needs).
    pub fn charged(&self) -> u64 {
        self.standard.max(self.floor)
    }

    fn plus(self, other: Gas) -> Gas {
        Gas {
            standard: self.standard + other.standard,
            floor: self.floor + other.floor,
        }
    }
}

/// What every commit pays whatever its operations (measured: an empty `commitAndProveBatch`
/// with the real 58,873-byte proof is 5.97M standard, 2.38M floor).
pub const FIXED: Gas = Gas {
    standard: 6_100_000,
    floor: 2_400_000,
};

/// Contract execution per operation of `kind` while committing (measured marginal cost,
/// rounded up): L2-only kinds are skipped over (~60 gas); a withdrawal is decoded, its
/// token checked and its payout record built and logged (~1,325 at 8,000 a batch); a deposit
/// or full exit reads its queued operation (two cold slots), folds its hash and, when it
/// pays out, builds a record (~5,430 credited, ~5,950 refunded, ~6,050 a full exit).
pub const fn execution(kind: OpType) -> u64 {
    match kind {
        OpType::Transfer | OpType::Swap | OpType::AddLiquidity | OpType::RemoveLiquidity => 100,
        OpType::Withdraw => 1_450,
        OpType::Deposit => 6_300,
        OpType::FullExit => 6_400,
    }
}

/// The commit's cost of one operation of `kind`.
pub const fn op_gas(kind: OpType) -> Gas {
    let bytes = pubdata::size(kind) as u64;
    Gas {
        standard: 16 * bytes + execution(kind),
        floor: 40 * bytes,
    }
}

/// The running cost of a batch being built against a limit.
#[derive(Clone, Copy, Debug)]
pub struct GasBudget {
    limit: u64,
    used: Gas,
}

impl GasBudget {
    /// An empty batch under `limit` (at most [`MAX_SETTLEMENT_GAS`] for a batch that must
    /// settle).
    pub fn new(limit: u64) -> Self {
        Self { limit, used: FIXED }
    }

    /// Adds an operation of `kind` if the batch still fits with it; says whether it did.
    pub fn try_add(&mut self, kind: OpType) -> bool {
        let next = self.used.plus(op_gas(kind));
        if next.charged() > self.limit {
            return false;
        }
        self.used = next;
        true
    }

    /// The cost so far.
    pub fn used(&self) -> Gas {
        self.used
    }
}

/// The model as JSON, for the Solidity worst-case tests.
pub fn model_json() -> serde_json::Value {
    let kind = |k: OpType| {
        let g = op_gas(k);
        serde_json::json!({
            "bytes": pubdata::size(k),
            "execution": execution(k),
            "standard": g.standard,
            "floor": g.floor,
        })
    };
    serde_json::json!({
        "generator": "cargo run -p quire-l1 --example l1_gas_model",
        "max_settlement_gas": MAX_SETTLEMENT_GAS,
        "fixed": { "standard": FIXED.standard, "floor": FIXED.floor },
        "deposit": kind(OpType::Deposit),
        "transfer": kind(OpType::Transfer),
        "withdraw": kind(OpType::Withdraw),
        "full_exit": kind(OpType::FullExit),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_admits_the_largest_transfer_batch_and_bounds_withdrawals() {
        // 16,384 transfers (the prover's largest batch) fit one commit.
        let mut b = GasBudget::new(MAX_SETTLEMENT_GAS);
        assert!((0..16_384).all(|_| b.try_add(OpType::Transfer)));
        // Withdrawals stop well before: each costs as much as five transfers.
        let mut b = GasBudget::new(MAX_SETTLEMENT_GAS);
        let n = (0..16_384)
            .take_while(|_| b.try_add(OpType::Withdraw))
            .count();
        assert!((4_000..5_000).contains(&n), "{n}");
        assert!(b.used().charged() <= MAX_SETTLEMENT_GAS);
        // A refused operation leaves the budget as it was.
        let before = b.used();
        assert!(!b.try_add(OpType::FullExit));
        assert_eq!(b.used(), before);
    }

    #[test]
    fn the_committed_fixture_is_fresh() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../contracts/test/fixtures/l1_gas_model.json"
        );
        let on_disk: serde_json::Value = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        assert_eq!(
            on_disk,
            model_json(),
            "{path} is stale: run `cargo run -p quire-l1 --example l1_gas_model > {path}`"
        );
    }
}
