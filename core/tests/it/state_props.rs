//! Properties of the reference state transition over random operation sequences: value
//! conservation per token, rejected operations change nothing, AMM invariants hold, and the
//! root only depends on the records.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeMap;

use crate::common::{op_choice, World};
use proptest::prelude::*;
use quire_core::account::{AccountId, BRIDGE_ACCOUNT};
use quire_core::state::{Outcome, State};
use quire_core::token::TokenId;
use quire_core::tx::{L2Tx, Operation, PriorityOp};

/// Sum of each token over all accounts, and over user accounts (all but the bridge reserve).
fn totals(state: &State) -> (BTreeMap<TokenId, u128>, BTreeMap<TokenId, u128>) {
    let mut all = BTreeMap::new();
    let mut users = BTreeMap::new();
    for id in 0..state.num_accounts() {
        let id = AccountId::new(id).unwrap();
        for (&t, &b) in &state.account(id).unwrap().balances {
            *all.entry(t).or_insert(0u128) += b as u128;
            if id != BRIDGE_ACCOUNT {
                *users.entry(t).or_insert(0u128) += b as u128;
            }
        }
    }
    (all, users)
}

fn pool_state(state: &State, pool: AccountId) -> (u128, u128, u128) {
    let p = &state.pools()[&pool];
    (
        state.balance(pool, p.token_a) as u128,
        state.balance(pool, p.token_b) as u128,
        state.pool_supply(p) as u128,
    )
}

fn funded_world() -> World {
    let mut w = World::new(8);
    for who in 0..8 {
        for token in [TokenId::ETH, common::USDC, common::DAI] {
            let op = w.deposit(who, token, 1_000_000_000_000);
            w.state.apply(&op).unwrap();
        }
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_sequences_conserve_value_and_keep_amm_invariants(
        choices in prop::collection::vec(op_choice(), 1..60)
    ) {
        let mut w = funded_world();
        let (all0, _) = totals(&w.state);
        for c in &choices {
            let op = w.build(c);
            let (_, users_before) = totals(&w.state);
            let pools_before: Vec<_> = w.pools.iter().map(|&p| pool_state(&w.state, p)).collect();
            let root_before = w.state.clone().root();
            let diff_before = w.state.pending_diff();
            match w.state.apply(&op) {
                Err(_) => {
                    // A rejected operation changes nothing.
                    prop_assert_eq!(w.state.pending_diff(), diff_before);
                    prop_assert_eq!(w.state.clone().root(), root_before);
                }
                Ok(receipt) => {
                    let (all, users) = totals(&w.state);
                    // Every token's total over all accounts (bridge reserve included) is
                    // constant: nothing is created or destroyed.
                    prop_assert_eq!(&all, &all0);
                    // Over user accounts: deposits add, withdrawals remove, all else conserves.
                    let (tok, delta): (Option<TokenId>, i128) = match (&op, &receipt.outcome) {
                        (Operation::Priority(PriorityOp::Deposit(d)), Outcome::Deposit { credited: true, .. }) => (Some(d.token), d.amount as i128),
                        (Operation::Priority(PriorityOp::FullExit(e)), Outcome::FullExit { amount }) => (Some(e.token), -(*amount as i128)),
                        (Operation::L2(s), _) => match &s.tx {
                            L2Tx::Withdraw(t) => (Some(t.token), -(t.amount as i128)),
                            _ => (None, 0),
                        },
                        _ => (None, 0),
                    };
                    // Liquidity locked by a pool's first deposit moves to the bridge reserve.
                    let mut locked: BTreeMap<TokenId, i128> = BTreeMap::new();
                    for (i, &p) in w.pools.iter().enumerate() {
                        if pools_before[i].2 == 0 && pool_state(&w.state, p).2 > 0 {
                            let share = w.state.pools()[&p].share_token;
                            locked.insert(share, quire_core::amm::MINIMUM_LIQUIDITY as i128);
                        }
                    }
                    for t in all.keys() {
                        let before = *users_before.get(t).unwrap_or(&0) as i128;
                        let after = *users.get(t).unwrap_or(&0) as i128;
                        let expected = if Some(*t) == tok { delta } else { 0 } - locked.get(t).unwrap_or(&0);
                        prop_assert_eq!(after - before, expected, "token {}", t);
                    }
                    // AMM: swaps never decrease k; liquidity operations never decrease the
                    // reserves per share.
                    for (i, &p) in w.pools.iter().enumerate() {
                        let (a0, b0, s0) = pools_before[i];
                        let (a1, b1, s1) = pool_state(&w.state, p);
                        if s1 == s0 {
                            prop_assert!(a1 * b1 >= a0 * b0, "k decreased in pool {}", p);
                        } else if s0 > 0 {
                            prop_assert!(a1 * s0 >= a0 * s1 && b1 * s0 >= b0 * s1,
                                "value per share decreased in pool {}", p);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn root_depends_only_on_records(choices in prop::collection::vec(op_choice(), 1..30)) {
        // Committing after every operation or once at the end gives the same root.
        let mut w = funded_world();
        let mut each = w.state.clone();
        for c in &choices {
            let op = w.build(c);
            let a = w.state.apply(&op);
            let b = each.apply(&op);
            prop_assert_eq!(a, b);
            each.root();
        }
        prop_assert_eq!(w.state.root(), each.root());
    }
}
