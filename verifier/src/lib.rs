//! # quire-verifier
//!
//! Checks a Quire chain from L1 data alone, trusting neither the operator nor the verifier
//! contract L1 was given: every committed batch's pubdata (from `quire_chain`'s mirror) is
//! replayed from the genesis file, its root held equal to L1's, and every proven batch's
//! proof (from the `proveBatch` / `commitAndProveBatch` calldata) is verified natively
//! with plonky2 against public inputs recomputed from the rebuilt data — the roots, the
//! keccak pubdata commitment and the priority commitment of the operations L1 queued —
//! with the wrapper circuit built here for the chain's genesis and batch shape.
//!
//! Committed batches that are not proven yet are replayed on a copy of the state: the
//! operator may still revert them. Proven batches move the verifier's own state forward.

use quire_chain::{ChainView, L1Stage, Rebuilt};
use quire_circuits::step::StepParams;
use quire_circuits::{batch_public_inputs, BatchCircuits};
use quire_core::chain::BatchShape;
use quire_core::hash::Digest;
use quire_core::state::{Genesis, State};

pub use quire_chain::ChainError;

/// Why the chain does not verify.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The data does not check out (named batch or file), or could not be read.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// L1 accepted a proof that does not verify for the rebuilt batch.
    #[error(
        "batch {batch}: the proof L1 accepted does not verify for the rebuilt batch: {reason}"
    )]
    InvalidProof {
        /// The batch.
        batch: u64,
        /// plonky2's reason.
        reason: String,
    },
    /// The priority commitment L1 stored is not the one of the operations it queued.
    #[error("batch {batch}: L1's priority commitment is not the fold of the queued operations it consumed")]
    PriorityCommitment {
        /// The batch.
        batch: u64,
    },
}

/// The wrapper circuit of one chain and shape, for native proof checks.
pub struct ProofChecker {
    circuits: BatchCircuits,
}

impl ProofChecker {
    /// Builds the circuits for `genesis`'s chain (chain id, pool table) and `shape`
    /// (seconds to minutes).
    pub fn build(genesis: &Genesis, shape: BatchShape) -> Result<Self, ChainError> {
        let state = State::genesis(genesis).map_err(|e| ChainError::Genesis(e.to_string()))?;
        Ok(ProofChecker {
            circuits: BatchCircuits::build(&StepParams::from_state(&state), shape),
        })
    }

    /// A checker over circuits already built (they must be the chain's).
    pub fn from_circuits(circuits: BatchCircuits) -> Self {
        ProofChecker { circuits }
    }

    /// The circuits proofs are checked with.
    pub fn circuits(&self) -> &BatchCircuits {
        &self.circuits
    }

    /// Verifies `proof` (EVM calldata encoding) for D9's public inputs.
    pub fn check(
        &self,
        proof: &[u8],
        prev_root: &Digest,
        root: &Digest,
        pubdata_commitment: &[u8; 32],
        priority_commitment: &[u8; 32],
    ) -> anyhow::Result<()> {
        let inputs = batch_public_inputs(prev_root, root, pubdata_commitment, priority_commitment);
        self.circuits.verify(proof, &inputs)
    }
}

/// What was checked of a proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofVerdict {
    /// Verified natively.
    Valid,
    /// Not proven on L1 yet.
    Pending,
    /// Proven on L1, not checked here (`--no-proofs`).
    NotChecked,
}

/// One batch's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchVerdict {
    /// The batch.
    pub batch: u64,
    /// Its stage on L1.
    pub stage: L1Stage,
    /// Operations in it.
    pub operations: usize,
    /// The proof.
    pub proof: ProofVerdict,
}

impl std::fmt::Display for BatchVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stage = match self.stage {
            L1Stage::Committed => "committed",
            L1Stage::Proven => "proven",
            L1Stage::Executed => "executed",
        };
        let proof = match self.proof {
            ProofVerdict::Valid => "proof valid",
            ProofVerdict::Pending => "proof pending",
            ProofVerdict::NotChecked => "proof not checked",
        };
        write!(
            f,
            "batch {}: {stage}, {} operations, root matches, {proof}",
            self.batch, self.operations
        )
    }
}

/// Follows a chain: its state at the last proven batch checked so far.
pub struct ChainVerifier {
    proven: Rebuilt,
    checker: Option<ProofChecker>,
}

impl ChainVerifier {
    /// Starts at genesis (refused unless the genesis file's root is the rollup's).
    /// Without a checker, proofs are not checked (roots and data still are).
    pub fn new(
        view: &ChainView,
        genesis: &Genesis,
        checker: Option<ProofChecker>,
    ) -> Result<Self, VerifyError> {
        Ok(ChainVerifier {
            proven: Rebuilt::genesis(view, genesis)?,
            checker,
        })
    }

    /// The last proven batch verified.
    pub fn proven(&self) -> u64 {
        self.proven.batch
    }

    /// Operations replayed into the proven state.
    pub fn operations(&self) -> u64 {
        self.proven.operations
    }

    /// Verifies every batch of `view` after the last proven one checked: proven batches
    /// move the state forward (proof checked), committed ones are replayed on a copy.
    /// Stops at the first mismatch, naming the batch.
    pub fn advance(&mut self, view: &ChainView) -> Result<Vec<BatchVerdict>, VerifyError> {
        let mut verdicts = Vec::new();
        while self.proven.batch < view.proven {
            let n = self.proven.batch + 1;
            let prev = self.proven.state.root();
            let ops_before = self.proven.operations;
            self.proven.replay_next(view)?;
            let root = self.proven.state.root();
            let proof = self.check_proof(view, n, &prev, &root)?;
            verdicts.push(BatchVerdict {
                batch: n,
                stage: view.stage(n).unwrap_or(L1Stage::Proven),
                operations: (self.proven.operations - ops_before) as usize,
                proof,
            });
        }
        if view.committed() > self.proven.batch {
            let mut pending = Rebuilt {
                state: self.proven.state.clone(),
                batch: self.proven.batch,
                operations: 0,
            };
            while pending.batch < view.committed() {
                let before = pending.operations;
                pending.replay_next(view)?;
                verdicts.push(BatchVerdict {
                    batch: pending.batch,
                    stage: L1Stage::Committed,
                    operations: (pending.operations - before) as usize,
                    proof: ProofVerdict::Pending,
                });
            }
        }
        Ok(verdicts)
    }

    fn check_proof(
        &self,
        view: &ChainView,
        n: u64,
        prev: &Digest,
        root: &Digest,
    ) -> Result<ProofVerdict, VerifyError> {
        let record = view.batch(n)?;
        let consumed = view.consumed_by(n)?;
        let qc = quire_core::tx::priority_commitment(&consumed);
        if qc != record.info.priority_commitment.0 {
            return Err(VerifyError::PriorityCommitment { batch: n });
        }
        let dc = quire_core::hash::keccak256(&record.pubdata);
        let Some(checker) = &self.checker else {
            return Ok(ProofVerdict::NotChecked);
        };
        let Some((proof, _)) = &record.proof else {
            return Err(VerifyError::InvalidProof {
                batch: n,
                reason: "proven on L1 but no proof was read from its calldata".into(),
            });
        };
        checker
            .check(proof, prev, root, &dc, &qc)
            .map_err(|e| VerifyError::InvalidProof {
                batch: n,
                reason: format!("{e:#}"),
            })?;
        Ok(ProofVerdict::Valid)
    }
}
