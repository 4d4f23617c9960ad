//! Why a transaction is rejected.

use crate::account::AccountId;
use crate::amm::AmmError;
use crate::token::TokenId;

/// A rejected operation. The state is unchanged whenever one is returned.
///
/// Rules are checked in a fixed order, so every implementation (the parallel executor, the
/// API's pre-checks) reports the same cause for the same input:
/// 1. static checks: amount and fee ranges, fee packing, token and pool registry;
/// 2. the signer exists and has a key;
/// 3. the signature;
/// 4. the nonce;
/// 5. the other accounts involved;
/// 6. the AMM computation and slippage bounds;
/// 7. balances, debits before credits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// An amount is zero where it must be positive, or not below 2^63.
    #[error("{field} = {value} is out of range")]
    AmountOutOfRange {
        /// The field's name.
        field: &'static str,
        /// Its value.
        value: u64,
    },
    /// The fee has no exact 16-bit packing (round it up with `round_fee_up`).
    #[error("fee {fee} is not packable; use a nearby value such as {suggestion:?}")]
    FeeNotPackable {
        /// The fee offered.
        fee: u64,
        /// The next packable fee.
        suggestion: Option<u64>,
    },
    /// The id is a share-token id no genesis pool issues.
    #[error("unknown token {0}")]
    UnknownToken(TokenId),
    /// Only L1 assets can leave L2.
    #[error("token {0} is not an L1 asset and cannot be withdrawn")]
    NotAnL1Asset(TokenId),
    /// A withdrawal to the zero address, whose payout nobody could ever claim on L1.
    #[error("a withdrawal cannot go to the zero address")]
    ZeroRecipient,
    /// No pool at that account id.
    #[error("account {0} is not a pool")]
    UnknownPool(AccountId),
    /// The token is not one of the pool's reserves.
    #[error("token {token} is not traded by pool {pool}")]
    TokenNotInPool {
        /// The pool.
        pool: AccountId,
        /// The token.
        token: TokenId,
    },
    /// No account with that id.
    #[error("unknown account {0}")]
    UnknownAccount(AccountId),
    /// Keyless accounts (bridge reserve, pools) cannot sign or receive transfers.
    #[error("account {0} is keyless: it cannot sign or receive transfers")]
    KeylessAccount(AccountId),
    /// The signature does not verify.
    #[error("bad signature")]
    BadSignature,
    /// The nonce is not the account's current nonce.
    #[error("bad nonce: expected {expected}, got {got}")]
    BadNonce {
        /// The account's nonce.
        expected: u32,
        /// The transaction's nonce.
        got: u32,
    },
    /// The account's nonce is exhausted.
    #[error("nonce overflow")]
    NonceOverflow,
    /// The AMM refuses the trade.
    #[error("amm: {0}")]
    Amm(#[from] AmmError),
    /// A debit exceeds the balance.
    #[error("insufficient balance of token {token} in account {account}: need {needed}, have {available}")]
    InsufficientBalance {
        /// The account debited.
        account: AccountId,
        /// The token.
        token: TokenId,
        /// Amount needed (may exceed u64 when amount + fee does).
        needed: u128,
        /// Balance held.
        available: u64,
    },
    /// A credit would take a balance to 2^63 or more. Unreachable while the bridge reserve
    /// bounds every token's supply; kept as a typed error rather than a panic.
    #[error("balance of token {token} in account {account} would overflow")]
    BalanceOverflow {
        /// The account credited.
        account: AccountId,
        /// The token.
        token: TokenId,
    },
    /// A priority operation out of L1 queue order (a sequencer bug, never a user's).
    #[error("priority operation {got} out of order: expected {expected}")]
    PriorityOutOfOrder {
        /// The next id in the queue.
        expected: u64,
        /// The id given.
        got: u64,
    },
}
