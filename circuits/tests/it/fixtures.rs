//! The chain both circuit test modules prove on, and their shared helpers, over
//! `quire_core::test_utils`: USDC (scale 10^12) and one ETH/USDC pool; deposits open
//! accounts [`K0`] (key 0) and [`K1`] (key 1) after the bridge (0), the operator (1) and
//! the pool ([`POOL`]).

use quire_core::account::{AccountId, Address};
use quire_core::schnorr::SecretKey;
use quire_core::state::Genesis;
use quire_core::test_utils;
use quire_core::token::TokenId;
use quire_core::tx::{L2Tx, Operation};

pub const CHAIN_ID: u32 = test_utils::TEST_CHAIN_ID;
pub const USDC: TokenId = test_utils::USDC;
pub const POOL: u32 = 2;
pub const K0: u32 = 3;
pub const K1: u32 = 4;

pub fn key(i: usize) -> SecretKey {
    test_utils::key("prover test key", i)
}

pub fn owner(i: usize) -> Address {
    test_utils::owner(i)
}

pub fn id(v: u32) -> AccountId {
    test_utils::account(v)
}

pub fn genesis() -> Genesis {
    test_utils::usdc_pool_genesis(1_000_000_000_000)
}

pub fn deposit(pid: u64, to: usize, token: TokenId, amount: u64) -> Operation {
    test_utils::deposit(pid, to, &key(to), token, amount)
}

pub fn signed(k: usize, tx: L2Tx) -> Operation {
    test_utils::signed(&key(k), tx, CHAIN_ID)
}
