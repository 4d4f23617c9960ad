//! A small world for state tests: a genesis with ETH, one ERC-20 and two pools, a set of
//! keys, and a generator of operations (valid and invalid) from random choices.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use quire_core::account::{AccountId, Address, MAX_AMOUNT};
use quire_core::schnorr::SecretKey;
use quire_core::state::{Genesis, PoolSpec, State};
use quire_core::token::{TokenId, TokenInfo};
use quire_core::tx::{
    AddLiquidity, Deposit, FullExit, L2Tx, Operation, PriorityOp, RemoveLiquidity, SignedTx, Swap,
    Transfer, Withdraw,
};

pub const CHAIN_ID: u32 = 7;
pub const USDC: TokenId = TokenId(1);
pub const DAI: TokenId = TokenId(2);

pub fn keys(n: usize) -> Vec<SecretKey> {
    (0..n)
        .map(|i| SecretKey::from_seed(format!("test key {i}").as_bytes()))
        .collect()
}

pub fn genesis() -> Genesis {
    let token = |id: TokenId, sym: &str| TokenInfo {
        id,
        symbol: sym.into(),
        l1_address: Address([id.0; 20]),
        scale: 1_000_000_000_000,
    };
    Genesis {
        chain_id: CHAIN_ID,
        operator: SecretKey::from_seed(b"operator").public_key(),
        operator_l1: Address([0xee; 20]),
        tokens: vec![token(USDC, "USDC"), token(DAI, "DAI")],
        pools: vec![
            PoolSpec {
                token_a: TokenId::ETH,
                token_b: USDC,
                fee_bps: 30,
            },
            PoolSpec {
                token_a: USDC,
                token_b: DAI,
                fee_bps: 5,
            },
        ],
    }
}

/// The L1 address that key `who` deposits from (its accounts' owner).
pub fn owner(who: usize) -> Address {
    Address([who as u8 + 1; 20])
}

/// One random choice of operation; materialized against the current state by [`build`].
#[derive(Clone, Debug)]
pub struct OpChoice {
    pub kind: u8,
    pub who: usize,
    pub other: usize,
    pub token: u8,
    pub amount: u64,
    pub fee: u64,
    /// 0: valid nonce and signature; 1: wrong nonce; 2: bad signature; 3: signed by another key.
    pub corruption: u8,
}

pub fn op_choice() -> impl proptest::strategy::Strategy<Value = OpChoice> {
    use proptest::prelude::*;
    (
        0u8..9,
        0usize..8,
        0usize..8,
        0u8..4,
        prop_oneof![
            1u64..1_000,
            1u64..1_000_000_000,
            Just(0u64),
            Just(MAX_AMOUNT),
            Just(MAX_AMOUNT + 1)
        ],
        prop_oneof![Just(0u64), 1u64..100, Just(2049u64)],
        prop_oneof![8 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8)],
    )
        .prop_map(
            |(kind, who, other, token, amount, fee, corruption)| OpChoice {
                kind,
                who,
                other,
                token,
                amount,
                fee,
                corruption,
            },
        )
}

pub struct World {
    pub state: State,
    pub keys: Vec<SecretKey>,
    pub pools: Vec<AccountId>,
}

impl World {
    pub fn new(n_keys: usize) -> Self {
        let state = State::genesis(&genesis()).expect("valid genesis");
        let pools = state.pools().keys().copied().collect();
        World {
            state,
            keys: keys(n_keys),
            pools,
        }
    }

    pub fn id(&self, who: usize) -> AccountId {
        self.state
            .account_id(&self.keys[who].public_key(), &owner(who))
            // Unknown keys map to an id that is not open yet.
            .unwrap_or_else(|| AccountId::new(1000 + who as u32).unwrap())
    }

    pub fn deposit(&self, who: usize, token: TokenId, amount: u64) -> Operation {
        Operation::Priority(PriorityOp::Deposit(Deposit {
            priority_id: self.state.next_priority_id(),
            from: owner(who),
            to: self.keys[who].public_key(),
            token,
            amount,
        }))
    }

    fn sign(&self, tx: L2Tx, c: &OpChoice) -> Operation {
        let signer = match c.corruption {
            3 => &self.keys[(c.who + 1) % self.keys.len()],
            _ => &self.keys[c.who],
        };
        let mut signed: SignedTx = tx.sign(signer, CHAIN_ID);
        if c.corruption == 2 {
            let mut bytes = signed.signature.to_bytes();
            bytes[0] ^= 1;
            if let Ok(s) = quire_core::schnorr::Signature::from_bytes(&bytes) {
                signed.signature = s;
            }
        }
        Operation::L2(signed)
    }

    /// Materializes a choice into an operation against the current state.
    pub fn build(&self, c: &OpChoice) -> Operation {
        let token = TokenId(c.token % 3);
        let from = self.id(c.who);
        let to = self.id(c.other);
        let nonce = self.state.account(from).map_or(0, |a| a.nonce) + u32::from(c.corruption == 1);
        let pool = self.pools[c.other % self.pools.len()];
        match c.kind {
            0 => self.deposit(c.who, token, c.amount),
            1 => Operation::Priority(PriorityOp::FullExit(FullExit {
                priority_id: self.state.next_priority_id(),
                account: from,
                owner: Address([c.who as u8 + 1 + u8::from(c.corruption == 3); 20]),
                token,
            })),
            2 | 3 => self.sign(
                L2Tx::Transfer(Transfer {
                    from,
                    to,
                    token,
                    amount: c.amount,
                    fee: c.fee,
                    nonce,
                }),
                c,
            ),
            4 => self.sign(
                L2Tx::Withdraw(Withdraw {
                    from,
                    to: Address([9; 20]),
                    token,
                    amount: c.amount,
                    fee: c.fee,
                    nonce,
                }),
                c,
            ),
            5 | 6 => {
                let p = &self.state.pools()[&pool];
                let token_in = if c.token % 2 == 0 {
                    p.token_a
                } else {
                    p.token_b
                };
                self.sign(
                    L2Tx::Swap(Swap {
                        account: from,
                        pool,
                        token_in,
                        amount_in: c.amount,
                        min_amount_out: c.fee,
                        fee: c.fee,
                        nonce,
                    }),
                    c,
                )
            }
            7 => self.sign(
                L2Tx::AddLiquidity(AddLiquidity {
                    account: from,
                    pool,
                    max_amount_a: c.amount,
                    max_amount_b: c.amount / 2 + 1,
                    min_shares: 0,
                    fee: c.fee,
                    nonce,
                }),
                c,
            ),
            _ => {
                let share = self.state.pools()[&pool].share_token;
                let held = self.state.balance(from, share);
                self.sign(
                    L2Tx::RemoveLiquidity(RemoveLiquidity {
                        account: from,
                        pool,
                        shares: if c.token == 0 { c.amount } else { held / 2 + 1 },
                        min_amount_a: 0,
                        min_amount_b: 0,
                        fee: c.fee,
                        nonce,
                    }),
                    c,
                )
            }
        }
    }
}
