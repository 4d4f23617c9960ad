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

/// One operation as its pubdata states it: what an observer of L1 alone knows of it.
///
/// The decoding is the exact inverse of [`encode`] on its range (a test holds it so); it is
/// how state is rebuilt from L1 data (`State::replay_stated`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatedOp {
    /// `01 account:3 token:1 amount:8 credited:1`.
    Deposit {
        /// The credited account (the bridge account when refunded).
        account: AccountId,
        /// The token.
        token: TokenId,
        /// The amount queued on L1.
        amount: u64,
        /// False when refunded on L1.
        credited: bool,
    },
    /// `02 from:3 to:3 token:1 amount:8 fee:2`.
    Transfer {
        /// Sender.
        from: AccountId,
        /// Receiver.
        to: AccountId,
        /// Token.
        token: TokenId,
        /// Amount.
        amount: u64,
        /// Fee (unpacked).
        fee: u64,
    },
    /// `03 from:3 token:1 amount:8 fee:2 to:20`.
    Withdraw {
        /// Sender.
        from: AccountId,
        /// Token.
        token: TokenId,
        /// Amount.
        amount: u64,
        /// Fee (unpacked).
        fee: u64,
        /// L1 recipient.
        to: Address,
    },
    /// `04 account:3 pool:3 token_in:1 amount_in:8 amount_out:8 fee:2`.
    Swap {
        /// Trader.
        account: AccountId,
        /// Pool account.
        pool: AccountId,
        /// Token sold.
        token_in: TokenId,
        /// Amount sold.
        amount_in: u64,
        /// Amount received.
        amount_out: u64,
        /// Fee (unpacked).
        fee: u64,
    },
    /// `05 account:3 pool:3 amount_a:8 amount_b:8 shares:8 fee:2`.
    AddLiquidity {
        /// Provider.
        account: AccountId,
        /// Pool account.
        pool: AccountId,
        /// Token A taken.
        amount_a: u64,
        /// Token B taken.
        amount_b: u64,
        /// Shares received.
        shares: u64,
        /// Fee (unpacked).
        fee: u64,
    },
    /// `06 account:3 pool:3 shares:8 amount_a:8 amount_b:8 fee:2`.
    RemoveLiquidity {
        /// Provider.
        account: AccountId,
        /// Pool account.
        pool: AccountId,
        /// Shares burned.
        shares: u64,
        /// Token A received.
        amount_a: u64,
        /// Token B received.
        amount_b: u64,
        /// Fee (unpacked).
        fee: u64,
    },
    /// `07 account:3 token:1 amount:8 owner:20`.
    FullExit {
        /// Account exited.
        account: AccountId,
        /// Token.
        token: TokenId,
        /// Amount exited (0 when the request did not apply).
        amount: u64,
        /// L1 owner that requested it.
        owner: Address,
    },
}

impl StatedOp {
    /// The operation's type.
    pub fn op_type(&self) -> OpType {
        match self {
            StatedOp::Deposit { .. } => OpType::Deposit,
            StatedOp::Transfer { .. } => OpType::Transfer,
            StatedOp::Withdraw { .. } => OpType::Withdraw,
            StatedOp::Swap { .. } => OpType::Swap,
            StatedOp::AddLiquidity { .. } => OpType::AddLiquidity,
            StatedOp::RemoveLiquidity { .. } => OpType::RemoveLiquidity,
            StatedOp::FullExit { .. } => OpType::FullExit,
        }
    }

    /// True for the kinds that consume the next L1 priority operation.
    pub fn is_priority(&self) -> bool {
        matches!(self, StatedOp::Deposit { .. } | StatedOp::FullExit { .. })
    }
}

/// Why pubdata bytes do not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// An unknown operation type byte.
    #[error("unknown operation type {byte:#04x} at byte {offset}")]
    UnknownOpType {
        /// The byte.
        byte: u8,
        /// Its offset in the batch's pubdata.
        offset: usize,
    },
    /// The last operation is cut short.
    #[error("operation at byte {offset} is truncated")]
    Truncated {
        /// Where it starts.
        offset: usize,
    },
    /// A deposit's credited flag is neither 0 nor 1.
    #[error("deposit at byte {offset} has credited flag {flag}")]
    CreditedFlag {
        /// Where the deposit starts.
        offset: usize,
        /// The flag byte.
        flag: u8,
    },
    /// A packed fee overflows u64, or is not the canonical packing of its value.
    #[error("operation at byte {offset} has a fee packing {packed:#06x} that is not canonical")]
    Fee {
        /// Where the operation starts.
        offset: usize,
        /// The packed fee.
        packed: u16,
    },
}

/// Reads big-endian fields off one operation's bytes.
struct In<'a> {
    bytes: &'a [u8],
    at: usize,
    offset: usize,
}

impl In<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes[self.at..self.at + N]);
        self.at += N;
        out
    }
    fn account(&mut self) -> AccountId {
        let [a, b, c] = self.take::<3>();
        AccountId::new(u32::from_be_bytes([0, a, b, c])).expect("24 bits fit the account tree")
    }
    fn token(&mut self) -> TokenId {
        TokenId(self.take::<1>()[0])
    }
    fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.take::<8>())
    }
    fn fee(&mut self) -> Result<u64, DecodeError> {
        let packed = u16::from_be_bytes(self.take::<2>());
        let err = DecodeError::Fee {
            packed,
            offset: self.offset,
        };
        // Several packings can spell one fee (mantissa 10 × 10^0 = 1 × 10^1); only the
        // one `pack_fee` writes is valid, so one fee has one pubdata (what the proof binds).
        let fee = super::packing::unpack_fee(packed).ok_or(err.clone())?;
        if pack_fee(fee) != Some(packed) {
            return Err(err);
        }
        Ok(fee)
    }
    fn address(&mut self) -> Address {
        Address(self.take::<20>())
    }
}

/// Splits a batch's pubdata into its operations.
pub fn decode_batch(bytes: &[u8]) -> Result<Vec<StatedOp>, DecodeError> {
    let mut ops = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let byte = bytes[offset];
        let op_type = OpType::from_u8(byte).ok_or(DecodeError::UnknownOpType { byte, offset })?;
        let len = size(op_type);
        let op_bytes = bytes
            .get(offset..offset + len)
            .ok_or(DecodeError::Truncated { offset })?;
        ops.push(decode_op(op_type, op_bytes, offset)?);
        offset += len;
    }
    Ok(ops)
}

fn decode_op(op_type: OpType, bytes: &[u8], offset: usize) -> Result<StatedOp, DecodeError> {
    let mut i = In {
        bytes,
        at: 1,
        offset,
    };
    Ok(match op_type {
        OpType::Deposit => {
            let (account, token, amount) = (i.account(), i.token(), i.u64());
            let flag = i.take::<1>()[0];
            if flag > 1 {
                return Err(DecodeError::CreditedFlag { offset, flag });
            }
            StatedOp::Deposit {
                account,
                token,
                amount,
                credited: flag == 1,
            }
        }
        OpType::Transfer => StatedOp::Transfer {
            from: i.account(),
            to: i.account(),
            token: i.token(),
            amount: i.u64(),
            fee: i.fee()?,
        },
        OpType::Withdraw => StatedOp::Withdraw {
            from: i.account(),
            token: i.token(),
            amount: i.u64(),
            fee: i.fee()?,
            to: i.address(),
        },
        OpType::Swap => StatedOp::Swap {
            account: i.account(),
            pool: i.account(),
            token_in: i.token(),
            amount_in: i.u64(),
            amount_out: i.u64(),
            fee: i.fee()?,
        },
        OpType::AddLiquidity => StatedOp::AddLiquidity {
            account: i.account(),
            pool: i.account(),
            amount_a: i.u64(),
            amount_b: i.u64(),
            shares: i.u64(),
            fee: i.fee()?,
        },
        OpType::RemoveLiquidity => StatedOp::RemoveLiquidity {
            account: i.account(),
            pool: i.account(),
            shares: i.u64(),
            amount_a: i.u64(),
            amount_b: i.u64(),
            fee: i.fee()?,
        },
        OpType::FullExit => StatedOp::FullExit {
            account: i.account(),
            token: i.token(),
            amount: i.u64(),
            owner: i.address(),
        },
    })
}
