//! Transactions: the signed L2 kinds and the L1 priority operations.
//!
//! Every kind has three encodings, each tested for round trips:
//! - JSON (serde) for the HTTP API: amounts as decimal strings, since JSON numbers lose
//!   precision above 2^53 in most clients;
//! - the canonical binary encoding ([`codec`]) for storage and the binary API;
//! - pubdata ([`pubdata`]), the fixed-size bytes per executed operation posted to L1.
//!
//! An L2 transaction is authorized by a Schnorr signature over its signing hash
//! ([`L2Tx::signing_hash`]): Poseidon over a domain tag, the chain id, the kind and every
//! field, one field element each. The signing hash is also the transaction's id.

pub mod codec;
pub mod packing;
pub mod pubdata;

use serde::{Deserialize, Serialize};

use crate::account::{AccountId, Address};
use crate::field::F;
use crate::hash::{hash_elements, Digest};
use crate::schnorr::{PublicKey, Signature};
use crate::token::TokenId;

/// Domain tag of L2 signing hashes: "quire/tx" read as a big-endian u64, reduced into the
/// field. Keeps Quire signatures from ever verifying as some other protocol's message.
pub const TX_DOMAIN_TAG: u64 = u64::from_be_bytes(*b"quire/tx") % crate::field::GOLDILOCKS_ORDER;
/// Domain tag of priority-operation ids ("quire/l1").
pub const PRIORITY_DOMAIN_TAG: u64 =
    u64::from_be_bytes(*b"quire/l1") % crate::field::GOLDILOCKS_ORDER;

/// Serde for `u64` amounts as decimal strings (numbers are accepted on input too).
pub mod amount_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as a decimal string.
    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Accepts a decimal string or a JSON integer.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Str(String),
            Num(u64),
        }
        match Repr::deserialize(d)? {
            Repr::Num(n) => Ok(n),
            Repr::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().map_err(serde::de::Error::custom)
            }
            Repr::Str(_) => Err(serde::de::Error::custom("amount must be a decimal integer")),
        }
    }
}

/// Moves `amount` of `token` from `from` to `to`, paying `fee` in the same token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Sender (signer).
    pub from: AccountId,
    /// Receiver.
    pub to: AccountId,
    /// Token moved.
    pub token: TokenId,
    /// Amount moved, in L2 units.
    #[serde(with = "amount_serde")]
    pub amount: u64,
    /// Fee to the operator, in `token`.
    #[serde(with = "amount_serde")]
    pub fee: u64,
    /// The sender's current nonce.
    pub nonce: u32,
}

/// Moves `amount` of an L1 asset out of L2 to `to` on L1, paying `fee` in the same token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdraw {
    /// The account withdrawing (signer).
    pub from: AccountId,
    /// The L1 recipient.
    pub to: Address,
    /// Token withdrawn (an L1 asset).
    pub token: TokenId,
    /// Amount, in L2 units.
    #[serde(with = "amount_serde")]
    pub amount: u64,
    /// Fee to the operator, in `token`.
    #[serde(with = "amount_serde")]
    pub fee: u64,
    /// The signer's current nonce.
    pub nonce: u32,
}

/// Sells `amount_in` of `token_in` to `pool` for at least `min_amount_out` of the pool's
/// other token; the fee is paid in `token_in`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swap {
    /// The trader (signer).
    pub account: AccountId,
    /// The pool's account id.
    pub pool: AccountId,
    /// Token sold.
    pub token_in: TokenId,
    /// Amount sold.
    #[serde(with = "amount_serde")]
    pub amount_in: u64,
    /// Least acceptable output (slippage bound).
    #[serde(with = "amount_serde")]
    pub min_amount_out: u64,
    /// Fee to the operator, in `token_in`.
    #[serde(with = "amount_serde")]
    pub fee: u64,
    /// The signer's current nonce.
    pub nonce: u32,
}

/// Adds at most `max_amount_a`/`max_amount_b` to `pool` for at least `min_shares`; the fee
/// is paid in the pool's token A.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddLiquidity {
    /// The provider (signer).
    pub account: AccountId,
    /// The pool's account id.
    pub pool: AccountId,
    /// Most of token A to deposit.
    #[serde(with = "amount_serde")]
    pub max_amount_a: u64,
    /// Most of token B to deposit.
    #[serde(with = "amount_serde")]
    pub max_amount_b: u64,
    /// Fewest shares acceptable.
    #[serde(with = "amount_serde")]
    pub min_shares: u64,
    /// Fee to the operator, in token A.
    #[serde(with = "amount_serde")]
    pub fee: u64,
    /// The signer's current nonce.
    pub nonce: u32,
}

/// Burns `shares` of `pool` for at least `min_amount_a`/`min_amount_b`; the fee is paid in
/// the pool's token A from the balance held before the burn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveLiquidity {
    /// The provider (signer).
    pub account: AccountId,
    /// The pool's account id.
    pub pool: AccountId,
    /// Shares burned.
    #[serde(with = "amount_serde")]
    pub shares: u64,
    /// Least acceptable amount of token A.
    #[serde(with = "amount_serde")]
    pub min_amount_a: u64,
    /// Least acceptable amount of token B.
    #[serde(with = "amount_serde")]
    pub min_amount_b: u64,
    /// Fee to the operator, in token A.
    #[serde(with = "amount_serde")]
    pub fee: u64,
    /// The signer's current nonce.
    pub nonce: u32,
}

/// The unsigned body of an L2 transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum L2Tx {
    /// See [`Transfer`].
    Transfer(Transfer),
    /// See [`Withdraw`].
    Withdraw(Withdraw),
    /// See [`Swap`].
    Swap(Swap),
    /// See [`AddLiquidity`].
    AddLiquidity(AddLiquidity),
    /// See [`RemoveLiquidity`].
    RemoveLiquidity(RemoveLiquidity),
}

/// Operation type codes, shared by the binary codec, the signing hash and pubdata.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum OpType {
    /// L1 deposit.
    Deposit = 1,
    /// L2 transfer.
    Transfer = 2,
    /// L2 withdrawal.
    Withdraw = 3,
    /// AMM swap.
    Swap = 4,
    /// AMM liquidity deposit.
    AddLiquidity = 5,
    /// AMM liquidity withdrawal.
    RemoveLiquidity = 6,
    /// L1-forced exit of a whole balance.
    FullExit = 7,
}

impl OpType {
    /// Decodes a type byte.
    pub fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            1 => Self::Deposit,
            2 => Self::Transfer,
            3 => Self::Withdraw,
            4 => Self::Swap,
            5 => Self::AddLiquidity,
            6 => Self::RemoveLiquidity,
            7 => Self::FullExit,
            _ => return None,
        })
    }
}

fn fe(v: u64) -> F {
    // Every value hashed here is below p: u32 ids and nonces, u8 tokens, u64 amounts are
    // range-checked < 2^63 by the state transition, and larger u64s reduce mod p.
    F::from_noncanonical_u64(v)
}

impl L2Tx {
    /// The signer's account.
    pub fn signer(&self) -> AccountId {
        match self {
            L2Tx::Transfer(t) => t.from,
            L2Tx::Withdraw(t) => t.from,
            L2Tx::Swap(t) => t.account,
            L2Tx::AddLiquidity(t) => t.account,
            L2Tx::RemoveLiquidity(t) => t.account,
        }
    }

    /// The nonce the signer must have.
    pub fn nonce(&self) -> u32 {
        match self {
            L2Tx::Transfer(t) => t.nonce,
            L2Tx::Withdraw(t) => t.nonce,
            L2Tx::Swap(t) => t.nonce,
            L2Tx::AddLiquidity(t) => t.nonce,
            L2Tx::RemoveLiquidity(t) => t.nonce,
        }
    }

    /// The fee offered to the operator.
    pub fn fee(&self) -> u64 {
        match self {
            L2Tx::Transfer(t) => t.fee,
            L2Tx::Withdraw(t) => t.fee,
            L2Tx::Swap(t) => t.fee,
            L2Tx::AddLiquidity(t) => t.fee,
            L2Tx::RemoveLiquidity(t) => t.fee,
        }
    }

    /// The operation type.
    pub fn op_type(&self) -> OpType {
        match self {
            L2Tx::Transfer(_) => OpType::Transfer,
            L2Tx::Withdraw(_) => OpType::Withdraw,
            L2Tx::Swap(_) => OpType::Swap,
            L2Tx::AddLiquidity(_) => OpType::AddLiquidity,
            L2Tx::RemoveLiquidity(_) => OpType::RemoveLiquidity,
        }
    }

    /// The field elements of the signing hash, after the domain tag and chain id.
    fn signing_elements(&self) -> Vec<F> {
        let mut v = vec![fe(self.op_type() as u64)];
        match self {
            L2Tx::Transfer(t) => v.extend([
                fe(t.from.get() as u64),
                fe(t.to.get() as u64),
                fe(t.token.0 as u64),
                fe(t.amount),
                fe(t.fee),
                fe(t.nonce as u64),
            ]),
            L2Tx::Withdraw(t) => {
                v.extend([fe(t.from.get() as u64)]);
                v.extend(t.to.elements());
                v.extend([
                    fe(t.token.0 as u64),
                    fe(t.amount),
                    fe(t.fee),
                    fe(t.nonce as u64),
                ]);
            }
            L2Tx::Swap(t) => v.extend([
                fe(t.account.get() as u64),
                fe(t.pool.get() as u64),
                fe(t.token_in.0 as u64),
                fe(t.amount_in),
                fe(t.min_amount_out),
                fe(t.fee),
                fe(t.nonce as u64),
            ]),
            L2Tx::AddLiquidity(t) => v.extend([
                fe(t.account.get() as u64),
                fe(t.pool.get() as u64),
                fe(t.max_amount_a),
                fe(t.max_amount_b),
                fe(t.min_shares),
                fe(t.fee),
                fe(t.nonce as u64),
            ]),
            L2Tx::RemoveLiquidity(t) => v.extend([
                fe(t.account.get() as u64),
                fe(t.pool.get() as u64),
                fe(t.shares),
                fe(t.min_amount_a),
                fe(t.min_amount_b),
                fe(t.fee),
                fe(t.nonce as u64),
            ]),
        }
        v
    }

    /// The message signed by the account key: Poseidon over
    /// `[TX_DOMAIN_TAG, chain_id, op_type, fields…]`. Also the transaction's id.
    pub fn signing_hash(&self, chain_id: u32) -> Digest {
        let mut input = vec![
            F::from_canonical_u64(TX_DOMAIN_TAG),
            F::from_canonical_u32(chain_id),
        ];
        input.extend(self.signing_elements());
        hash_elements(&input)
    }

    /// Signs this transaction for `chain_id`.
    pub fn sign(self, key: &crate::schnorr::SecretKey, chain_id: u32) -> SignedTx {
        let msg = self.signing_hash(chain_id);
        let signature = crate::schnorr::sign(key, &msg);
        SignedTx {
            tx: self,
            signature,
        }
    }
}

/// An L2 transaction with its signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTx {
    /// The transaction body.
    pub tx: L2Tx,
    /// Schnorr signature over `tx.signing_hash(chain_id)`.
    pub signature: Signature,
}

/// An L1 deposit into the L2 account of the pair (`to`, `from`): the account with key `to`
/// whose L1 owner is the sender, opened if there is none (decision D10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    /// Position in the L1 priority queue.
    pub priority_id: u64,
    /// The L1 sender: the owner of the account credited (and the refund's recipient).
    pub from: Address,
    /// The L2 key credited.
    pub to: PublicKey,
    /// The token (an L1 asset).
    pub token: TokenId,
    /// Amount, in L2 units.
    #[serde(with = "amount_serde")]
    pub amount: u64,
}

/// A full exit forced from L1: the whole balance of `token` leaves `account`, if `owner` is
/// the account's L1 owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullExit {
    /// Position in the L1 priority queue.
    pub priority_id: u64,
    /// The account to exit.
    pub account: AccountId,
    /// The L1 address that requested it (must be the account's owner to take effect).
    pub owner: Address,
    /// The token to exit.
    pub token: TokenId,
}

/// An operation from the L1 priority queue. It is never rejected: it is processed in queue
/// order, and its receipt says what it did (a deposit may be refunded, an exit may move 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PriorityOp {
    /// See [`Deposit`].
    Deposit(Deposit),
    /// See [`FullExit`].
    FullExit(FullExit),
}

impl PriorityOp {
    /// Position in the L1 priority queue.
    pub fn priority_id(&self) -> u64 {
        match self {
            PriorityOp::Deposit(d) => d.priority_id,
            PriorityOp::FullExit(e) => e.priority_id,
        }
    }

    /// The operation's id: Poseidon over `[PRIORITY_DOMAIN_TAG, op_type, fields…]`.
    pub fn hash(&self) -> Digest {
        let mut input = vec![F::from_canonical_u64(PRIORITY_DOMAIN_TAG)];
        match self {
            PriorityOp::Deposit(d) => {
                input.extend([fe(OpType::Deposit as u64), fe(d.priority_id)]);
                input.extend(d.from.elements());
                input.extend(d.to.elements());
                input.extend([fe(d.token.0 as u64), fe(d.amount)]);
            }
            PriorityOp::FullExit(e) => {
                input.extend([fe(OpType::FullExit as u64), fe(e.priority_id)]);
                input.push(fe(e.account.get() as u64));
                input.extend(e.owner.elements());
                input.push(fe(e.token.0 as u64));
            }
        }
        hash_elements(&input)
    }
}

/// The commitment to the priority operations a batch consumes, as L1 computes it:
/// `c₀ = 0³², cₖ₊₁ = keccak256(cₖ ‖ keccak256(encode(opₖ)))` over the operations in queue
/// order, where `encode` is the canonical binary encoding ([`PriorityOp::encode`]). The
/// contract stores `keccak256(encode(op))` when an operation is queued, so committing a batch
/// needs one storage read and one hash per consumed operation; the circuit folds the same
/// way. An empty batch commits to zero.
pub fn priority_commitment<'a>(ops: impl IntoIterator<Item = &'a PriorityOp>) -> [u8; 32] {
    let mut c = [0u8; 32];
    for op in ops {
        let h = crate::hash::keccak256(&op.encode());
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(&c);
        buf[32..].copy_from_slice(&h);
        c = crate::hash::keccak256(&buf);
    }
    c
}

/// Anything a batch can contain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "op", rename_all = "snake_case")]
pub enum Operation {
    /// A signed L2 transaction.
    L2(SignedTx),
    /// An L1 priority operation.
    Priority(PriorityOp),
}

impl Operation {
    /// The operation's id: the signing hash for L2 transactions.
    pub fn hash(&self, chain_id: u32) -> Digest {
        match self {
            Operation::L2(s) => s.tx.signing_hash(chain_id),
            Operation::Priority(p) => p.hash(),
        }
    }
}

impl From<SignedTx> for Operation {
    fn from(t: SignedTx) -> Self {
        Operation::L2(t)
    }
}

impl From<PriorityOp> for Operation {
    fn from(p: PriorityOp) -> Self {
        Operation::Priority(p)
    }
}
