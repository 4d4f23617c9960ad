//! Pubdata: the bytes of each executed operation that go to L1 as calldata.
//!
//! Each operation type has a fixed size, starting with its [`OpType`] byte; integers are
//! big-endian (what Solidity reads cheapest), account ids take 3 bytes (the tree has 2^24
//! leaves), amounts 8 bytes, fees 2 bytes packed ([`super::packing`]). A batch's pubdata is
//! the concatenation in batch order; its commitment is keccak-256 of those bytes
//! ([`crate::hash::keccak256`]), computed by the contract from calldata and by the circuit.
//!
//! | op | bytes | layout |
//! |---|---|---|
//! | Deposit | 14 | `01 account:3 token:1 amount:8 credited:1` |
//! | Transfer | 18 | `02 from:3 to:3 token:1 amount:8 fee:2` |
//! | Withdraw | 35 | `03 from:3 token:1 amount:8 fee:2 to:20` |
//! | Swap | 26 | `04 account:3 pool:3 token_in:1 amount_in:8 amount_out:8 fee:2` |
//! | AddLiquidity | 33 | `05 account:3 pool:3 amount_a:8 amount_b:8 shares:8 fee:2` |
//! | RemoveLiquidity | 33 | `06 account:3 pool:3 shares:8 amount_a:8 amount_b:8 fee:2` |
//! | FullExit | 33 | `07 account:3 token:1 amount:8 owner:20` |
//!
//! A deposit that could not be credited (see [`crate::state::Outcome::Deposit`]) has
//! `credited = 0` and account 0, and L1 refunds it; a full exit that did not apply has
//! amount 0. The L1 contract pays withdrawals and full exits from these bytes alone.

use super::packing::pack_fee;
use super::*;
use crate::state::Outcome;

/// The pubdata size of an operation type, in bytes.
pub const fn size(op: OpType) -> usize {
    match op {
        OpType::Deposit => 14,
        OpType::Transfer => 18,
        OpType::Withdraw => 35,
        OpType::Swap => 26,
        OpType::AddLiquidity | OpType::RemoveLiquidity | OpType::FullExit => 33,
    }
}

/// The largest pubdata of any operation type (a withdrawal's).
pub const MAX_SIZE: usize = size(OpType::Withdraw);

/// Why pubdata could not be produced: the operation and its outcome do not belong together
/// or a fee is not packable. The state transition never produces either.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PubdataError {
    /// Outcome of a different operation kind.
    #[error("outcome does not match the operation kind")]
    OutcomeMismatch,
    /// Fee without an exact 16-bit packing.
    #[error("fee {0} is not packable")]
    FeeNotPackable(u64),
}

struct Out(Vec<u8>);

impl Out {
    fn account(&mut self, a: AccountId) -> &mut Self {
        self.0.extend_from_slice(&a.get().to_be_bytes()[1..]);
        self
    }
    fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn fee(&mut self, fee: u64) -> Result<&mut Self, PubdataError> {
        let p = pack_fee(fee).ok_or(PubdataError::FeeNotPackable(fee))?;
        self.0.extend_from_slice(&p.to_be_bytes());
        Ok(self)
    }
    fn address(&mut self, a: &Address) -> &mut Self {
        self.0.extend_from_slice(&a.0);
        self
    }
}

/// The pubdata of an executed operation, given its outcome.
pub fn encode(op: &Operation, outcome: &Outcome) -> Result<Vec<u8>, PubdataError> {
    let mut o = Out(Vec::with_capacity(35));
    match (op, outcome) {
        (
            Operation::Priority(PriorityOp::Deposit(d)),
            Outcome::Deposit {
                account, credited, ..
            },
        ) => {
            let acc = if *credited {
                *account
            } else {
                crate::account::BRIDGE_ACCOUNT
            };
            o.u8(OpType::Deposit as u8)
                .account(acc)
                .u8(d.token.0)
                .u64(d.amount);
            o.u8(u8::from(*credited));
        }
        (Operation::Priority(PriorityOp::FullExit(e)), Outcome::FullExit { amount }) => {
            o.u8(OpType::FullExit as u8)
                .account(e.account)
                .u8(e.token.0)
                .u64(*amount);
            o.address(&e.owner);
        }
        (Operation::L2(s), outcome) => match (&s.tx, outcome) {
            (L2Tx::Transfer(t), Outcome::Transfer) => {
                o.u8(OpType::Transfer as u8)
                    .account(t.from)
                    .account(t.to)
                    .u8(t.token.0);
                o.u64(t.amount).fee(t.fee)?;
            }
            (L2Tx::Withdraw(t), Outcome::Withdraw) => {
                o.u8(OpType::Withdraw as u8)
                    .account(t.from)
                    .u8(t.token.0)
                    .u64(t.amount);
                o.fee(t.fee)?.address(&t.to);
            }
            (L2Tx::Swap(t), Outcome::Swap { amount_out }) => {
                o.u8(OpType::Swap as u8)
                    .account(t.account)
                    .account(t.pool)
                    .u8(t.token_in.0);
                o.u64(t.amount_in).u64(*amount_out).fee(t.fee)?;
            }
            (
                L2Tx::AddLiquidity(t),
                Outcome::AddLiquidity {
                    amount_a,
                    amount_b,
                    shares,
                },
            ) => {
                o.u8(OpType::AddLiquidity as u8)
                    .account(t.account)
                    .account(t.pool);
                o.u64(*amount_a).u64(*amount_b).u64(*shares).fee(t.fee)?;
            }
            (L2Tx::RemoveLiquidity(t), Outcome::RemoveLiquidity { amount_a, amount_b }) => {
                o.u8(OpType::RemoveLiquidity as u8)
                    .account(t.account)
                    .account(t.pool);
                o.u64(t.shares).u64(*amount_a).u64(*amount_b).fee(t.fee)?;
            }
            _ => return Err(PubdataError::OutcomeMismatch),
        },
        _ => return Err(PubdataError::OutcomeMismatch),
    }
    Ok(o.0)
}
