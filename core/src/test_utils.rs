//! Fixtures shared by the tests and benches of every crate (feature `test-utils`): one
//! genesis builder, deterministic keys and owners, and short constructors of operations.
//!
//! Each crate's tests used to write its own `Genesis` literal and its own `key`, `owner`
//! and `deposit` helpers, fifteen times over; a change to `Genesis` then meant fifteen
//! edits. The values here are the ones those copies used (chain id 7, operator seeded with
//! `"operator"`, operator L1 address `0xee…`), so moving a test onto them changes no
//! behaviour.

use crate::account::{AccountId, Address};
use crate::schnorr::SecretKey;
use crate::state::{Genesis, PoolSpec};
use crate::token::{TokenId, TokenInfo};
use crate::tx::{Deposit, FullExit, L2Tx, Operation, PriorityOp, Transfer};

/// The chain id of test geneses.
pub const TEST_CHAIN_ID: u32 = 7;

/// The first ERC-20 of test geneses.
pub const USDC: TokenId = TokenId(1);

/// A genesis being put together: chain id [`TEST_CHAIN_ID`], no tokens, no pools.
#[derive(Clone, Debug)]
pub struct GenesisBuilder {
    genesis: Genesis,
}

impl Default for GenesisBuilder {
    fn default() -> Self {
        Self {
            genesis: Genesis {
                chain_id: TEST_CHAIN_ID,
                operator: SecretKey::from_seed(b"operator").public_key(),
                operator_l1: Address([0xee; 20]),
                tokens: Vec::new(),
                pools: Vec::new(),
            },
        }
    }
}

impl GenesisBuilder {
    /// Registers token `id` at `l1_address` with `scale` (L1 amount = L2 amount × scale).
    pub fn token(mut self, id: TokenId, symbol: &str, l1_address: Address, scale: u128) -> Self {
        self.genesis.tokens.push(TokenInfo {
            id,
            symbol: symbol.into(),
            l1_address,
            scale,
        });
        self
    }

    /// USDC as token 1 at `0x0101…` with `scale`.
    pub fn usdc(self, scale: u128) -> Self {
        self.token(USDC, "USDC", Address([1; 20]), scale)
    }

    /// A pool of `a` and `b` charging `fee_bps`.
    pub fn pool(mut self, a: TokenId, b: TokenId, fee_bps: u16) -> Self {
        self.genesis.pools.push(PoolSpec {
            token_a: a,
            token_b: b,
            fee_bps,
        });
        self
    }

    /// The genesis.
    pub fn build(self) -> Genesis {
        self.genesis
    }
}

/// The genesis most circuit and prover tests use: USDC with `scale` and one ETH/USDC pool
/// (account 2, 30 bps) after the bridge (0) and the operator (1).
pub fn usdc_pool_genesis(scale: u128) -> Genesis {
    GenesisBuilder::default()
        .usdc(scale)
        .pool(TokenId::ETH, USDC, 30)
        .build()
}

/// Deterministic key `i` of a family named by `seed` (e.g. `"prover test key"`).
pub fn key(seed: &str, i: usize) -> SecretKey {
    SecretKey::from_seed(format!("{seed} {i}").as_bytes())
}

/// The L1 address user `i` deposits from: `0x10 + i` repeated.
pub fn owner(i: usize) -> Address {
    Address([0x10 + i as u8; 20])
}

/// Account id `v`.
///
/// # Panics
/// If `v` is past the account tree (a test bug).
pub fn account(v: u32) -> AccountId {
    AccountId::new(v).unwrap_or_else(|| panic!("account id {v} out of range"))
}

/// A deposit of `amount` of `token` from [`owner`]`(i)` to `to`.
pub fn deposit(
    priority_id: u64,
    i: usize,
    to: &SecretKey,
    token: TokenId,
    amount: u64,
) -> Operation {
    Operation::Priority(PriorityOp::Deposit(Deposit {
        priority_id,
        from: owner(i),
        to: to.public_key(),
        token,
        amount,
    }))
}

/// A full exit of `token` from `account`, requested by [`owner`]`(by)`.
pub fn full_exit(priority_id: u64, account_id: u32, by: usize, token: TokenId) -> Operation {
    Operation::Priority(PriorityOp::FullExit(FullExit {
        priority_id,
        account: account(account_id),
        owner: owner(by),
        token,
    }))
}

/// `tx` signed by `key` for `chain_id`.
pub fn signed(key: &SecretKey, tx: L2Tx, chain_id: u32) -> Operation {
    Operation::L2(tx.sign(key, chain_id))
}

/// An ETH transfer, unsigned.
pub fn eth_transfer(from: u32, to: u32, amount: u64, fee: u64, nonce: u32) -> L2Tx {
    L2Tx::Transfer(Transfer {
        from: account(from),
        to: account(to),
        token: TokenId::ETH,
        amount,
        fee,
        nonce,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_is_the_literal_the_tests_used() {
        let g = usdc_pool_genesis(1);
        assert_eq!(g.chain_id, TEST_CHAIN_ID);
        assert_eq!(g.tokens.len(), 1);
        assert_eq!(g.tokens[0].l1_address, Address([1; 20]));
        assert_eq!(g.pools.len(), 1);
        assert!(crate::state::State::genesis(&g).is_ok());
    }
}
