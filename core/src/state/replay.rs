//! Replaying operations as their pubdata states them: the state from L1 data alone.
//!
//! Pubdata carries every effect of an operation but not its signature, its slippage bounds
//! or the key a deposit opens an account with (that comes from the L1 queue). Replay turns
//! each stated operation back into an operation the reference transition accepts — the
//! signer's current nonce, the stated outcome as its own bound (a swap's `amount_out` as its
//! `min_amount_out`, liquidity amounts as their maxima and minima) — and applies it with
//! every rule of [`State::apply`] except the signature check. Then it holds the pubdata the
//! rules produce equal to the stated pubdata. So a replayed batch changes the state exactly
//! as the operator's execution did, and an operator's pubdata that breaks any rule is
//! refused here, naming the operation.
//!
//! Why the stated outcome may serve as the bound: the outcome is a function of the state and
//! the operation's amounts alone (`amm::swap_output`, `amm::add_liquidity` with the amounts
//! actually taken as maxima gives the same shares — see `add_liquidity_with_taken_amounts`
//! in the tests — and `amm::remove_liquidity`); a bound only accepts or refuses it.

use super::*;
use crate::ecgfp5::Scalar;
use crate::field::F;
use crate::tx::pubdata::{self, StatedOp};
use crate::tx::{
    AddLiquidity, L2Tx, Operation, PriorityOp, RemoveLiquidity, SignedTx, Swap, Transfer, Withdraw,
};

/// Why a stated operation does not replay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// A deposit or full exit in the pubdata with no queued priority operation left for it.
    #[error("the pubdata consumes priority operation {0}, which L1 never queued")]
    MissingPriorityOp(u64),
    /// The queued priority operation is not the one the pubdata states.
    #[error("priority operation {0} in the pubdata differs from the one queued on L1")]
    PriorityMismatch(u64),
    /// The operation as stated breaks a rule of the state transition.
    #[error("rejected by the state transition: {0}")]
    Rejected(#[from] TxError),
    /// The rules give a different outcome than the pubdata states.
    #[error("the pubdata states {stated:?} but the rules give {replayed:?}")]
    Differs {
        /// What the pubdata says.
        stated: Box<StatedOp>,
        /// What applying it gives.
        replayed: Box<StatedOp>,
    },
}

/// A replay failure in a batch, located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchReplayError {
    /// The bytes do not decode.
    #[error("malformed pubdata: {0}")]
    Malformed(#[from] pubdata::DecodeError),
    /// One operation does not replay.
    #[error("operation {index} ({op_type:?}): {error}")]
    Op {
        /// Its position in the batch.
        index: usize,
        /// Its kind.
        op_type: crate::tx::OpType,
        /// Why.
        error: ReplayError,
    },
}

/// The signature replay puts on L2 operations: never checked (see the module notes).
fn unchecked_signature() -> crate::schnorr::Signature {
    crate::schnorr::Signature {
        s: Scalar::ZERO,
        e: [F::ZERO; 4],
    }
}

impl State {
    /// Applies `op` as its pubdata states it. A deposit or full exit takes `priority`, the
    /// next operation of the L1 queue (`None` when the queue is exhausted).
    ///
    /// L2 operations that fail change nothing. A priority operation is applied before its
    /// outcome is compared (its rules cannot refuse it), so after a [`ReplayError::Differs`]
    /// on one the state is no longer the chain's: a caller must stop there.
    pub fn replay_stated(
        &mut self,
        op: &StatedOp,
        priority: Option<&PriorityOp>,
    ) -> Result<Receipt, ReplayError> {
        let receipt = if op.is_priority() {
            let id = self.next_priority_id;
            let queued = priority.ok_or(ReplayError::MissingPriorityOp(id))?;
            let same_kind = matches!(
                (op, queued),
                (StatedOp::Deposit { .. }, PriorityOp::Deposit(_))
                    | (StatedOp::FullExit { .. }, PriorityOp::FullExit(_))
            );
            if !same_kind {
                return Err(ReplayError::PriorityMismatch(id));
            }
            self.apply_preverified(&Operation::Priority(queued.clone()), true)?
        } else {
            let signed = SignedTx {
                tx: self.as_l2_tx(op),
                signature: unchecked_signature(),
            };
            let hash = signed.tx.signing_hash(self.chain_id);
            let planned = self.plan_l2(&signed, hash, |_| true)?;
            check_same(op, &planned.receipt)?;
            self.commit_effects(&planned.effects)?;
            return Ok(planned.receipt);
        };
        check_same(op, &receipt)?;
        Ok(receipt)
    }

    /// Replays a batch's pubdata, taking deposits and full exits from `queue` in order.
    /// Returns the receipts; the caller compares [`State::root`] with the committed root.
    pub fn replay_batch(
        &mut self,
        pubdata: &[u8],
        queue: &mut dyn Iterator<Item = PriorityOp>,
    ) -> Result<Vec<Receipt>, BatchReplayError> {
        let ops = pubdata::decode_batch(pubdata)?;
        let mut receipts = Vec::with_capacity(ops.len());
        for (index, op) in ops.iter().enumerate() {
            let next = if op.is_priority() { queue.next() } else { None };
            let receipt =
                self.replay_stated(op, next.as_ref())
                    .map_err(|error| BatchReplayError::Op {
                        index,
                        op_type: op.op_type(),
                        error,
                    })?;
            receipts.push(receipt);
        }
        Ok(receipts)
    }

    /// The L2 transaction a stated L2 operation stands for, at its signer's current nonce.
    fn as_l2_tx(&self, op: &StatedOp) -> L2Tx {
        let nonce = |id: AccountId| self.account(id).map_or(0, |a| a.nonce);
        match *op {
            StatedOp::Transfer {
                from,
                to,
                token,
                amount,
                fee,
            } => L2Tx::Transfer(Transfer {
                from,
                to,
                token,
                amount,
                fee,
                nonce: nonce(from),
            }),
            StatedOp::Withdraw {
                from,
                token,
                amount,
                fee,
                to,
            } => L2Tx::Withdraw(Withdraw {
                from,
                to,
                token,
                amount,
                fee,
                nonce: nonce(from),
            }),
            StatedOp::Swap {
                account,
                pool,
                token_in,
                amount_in,
                amount_out,
                fee,
            } => L2Tx::Swap(Swap {
                account,
                pool,
                token_in,
                amount_in,
                min_amount_out: amount_out,
                fee,
                nonce: nonce(account),
            }),
            StatedOp::AddLiquidity {
                account,
                pool,
                amount_a,
                amount_b,
                shares,
                fee,
            } => L2Tx::AddLiquidity(AddLiquidity {
                account,
                pool,
                max_amount_a: amount_a,
                max_amount_b: amount_b,
                min_shares: shares,
                fee,
                nonce: nonce(account),
            }),
            StatedOp::RemoveLiquidity {
                account,
                pool,
                shares,
                amount_a,
                amount_b,
                fee,
            } => L2Tx::RemoveLiquidity(RemoveLiquidity {
                account,
                pool,
                shares,
                min_amount_a: amount_a,
                min_amount_b: amount_b,
                fee,
                nonce: nonce(account),
            }),
            StatedOp::Deposit { .. } | StatedOp::FullExit { .. } => {
                unreachable!("priority operations are replayed from the L1 queue")
            }
        }
    }
}

/// The receipt's pubdata must state exactly `op`.
fn check_same(op: &StatedOp, receipt: &Receipt) -> Result<(), ReplayError> {
    // The transition's own pubdata always decodes to one operation (the codec tests).
    let replayed = pubdata::decode_batch(&receipt.pubdata)
        .ok()
        .and_then(|mut ops| ops.pop())
        .unwrap_or_else(|| unreachable!("pubdata of an applied operation decodes"));
    if replayed != *op {
        return Err(ReplayError::Differs {
            stated: Box::new(op.clone()),
            replayed: Box::new(replayed),
        });
    }
    Ok(())
}
