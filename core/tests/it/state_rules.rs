//! One test per rule of the reference state transition, each naming the typed error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use crate::common::{World, CHAIN_ID, USDC};
use quire_core::account::{AccountId, Address, BRIDGE_ACCOUNT, FEE_ACCOUNT, MAX_AMOUNT};
use quire_core::amm::{AmmError, MINIMUM_LIQUIDITY};
use quire_core::state::{pool_settlement_tokens, AccountProof, Outcome, RefundReason, TxError};
use quire_core::token::TokenId;
use quire_core::tx::{
    AddLiquidity, FullExit, L2Tx, Operation, PriorityOp, RemoveLiquidity, Swap, Transfer, Withdraw,
};

const ETH: TokenId = TokenId::ETH;

fn world() -> World {
    let mut w = World::new(3);
    for who in 0..2 {
        for t in [ETH, USDC] {
            let op = w.deposit(who, t, 1_000_000_000);
            w.state.apply(&op).unwrap();
        }
    }
    w
}

fn transfer(w: &World, amount: u64, fee: u64, nonce: u32) -> L2Tx {
    L2Tx::Transfer(Transfer {
        from: w.id(0),
        to: w.id(1),
        token: ETH,
        amount,
        fee,
        nonce,
    })
}

/// Applies and checks that a rejection leaves the root and records untouched.
fn reject(w: &mut World, op: Operation) -> TxError {
    let root = w.state.root();
    let diff = w.state.pending_diff();
    let err = w.state.apply(&op).expect_err("must be rejected");
    assert_eq!(w.state.pending_diff(), diff);
    assert_eq!(w.state.root(), root);
    err
}

#[test]
fn deposits_open_accounts_in_order_and_credit_existing_ones() {
    let mut w = World::new(2);
    let first = w.state.num_accounts();
    let op = w.deposit(0, ETH, 500);
    let r = w.state.apply(&op).unwrap();
    let id = w.id(0);
    assert_eq!(id.get(), first);
    assert_eq!(
        r.outcome,
        Outcome::Deposit {
            account: id,
            created: true,
            credited: true,
            refund: None
        }
    );
    assert_eq!(w.state.account(id).unwrap().l1_owner, Address([1; 20]));
    let op = w.deposit(0, ETH, 700);
    let r = w.state.apply(&op).unwrap();
    assert_eq!(
        r.outcome,
        Outcome::Deposit {
            account: id,
            created: false,
            credited: true,
            refund: None
        }
    );
    assert_eq!(w.state.balance(id, ETH), 1200);
    assert_eq!(w.state.balance(BRIDGE_ACCOUNT, ETH), MAX_AMOUNT - 1200);
}

#[test]
fn bad_deposits_are_refunded_not_rejected() {
    let mut w = World::new(2);
    for (token, amount, reason) in [
        (TokenId(200), 5, RefundReason::UnknownToken),
        (ETH, 0, RefundReason::AmountOutOfRange),
        (ETH, MAX_AMOUNT + 1, RefundReason::AmountOutOfRange),
    ] {
        let op = w.deposit(0, token, amount);
        let before = w.state.next_priority_id();
        let r = w.state.apply(&op).unwrap();
        assert_eq!(
            r.outcome,
            Outcome::Deposit {
                account: BRIDGE_ACCOUNT,
                created: false,
                credited: false,
                refund: Some(reason)
            }
        );
        assert_eq!(w.state.next_priority_id(), before + 1);
        assert_eq!(r.pubdata[13], 0, "credited flag is clear");
    }
    assert_eq!(
        w.state
            .account_id(&w.keys[0].public_key(), &common::owner(0)),
        None,
        "no account opened"
    );
    // The supply cap: MAX_AMOUNT in total, then refunds.
    let op = w.deposit(0, ETH, MAX_AMOUNT);
    assert!(matches!(
        w.state.apply(&op).unwrap().outcome,
        Outcome::Deposit { credited: true, .. }
    ));
    let op = w.deposit(1, ETH, 1);
    let r = w.state.apply(&op).unwrap();
    assert_eq!(
        r.outcome,
        Outcome::Deposit {
            account: BRIDGE_ACCOUNT,
            created: false,
            credited: false,
            refund: Some(RefundReason::SupplyCapReached)
        }
    );
}

#[test]
fn priority_operations_must_come_in_queue_order() {
    let mut w = World::new(1);
    let mut op = w.deposit(0, ETH, 5);
    if let Operation::Priority(PriorityOp::Deposit(d)) = &mut op {
        d.priority_id += 1;
    }
    assert_eq!(
        reject(&mut w, op),
        TxError::PriorityOutOfOrder {
            expected: 0,
            got: 1
        }
    );
}

#[test]
fn transfer_moves_value_and_pays_the_fee() {
    let mut w = world();
    let (a, b) = (w.id(0), w.id(1));
    let fee_before = w.state.balance(FEE_ACCOUNT, ETH);
    let r = w
        .state
        .apply(&transfer(&w, 100, 7, 0).sign(&w.keys[0], CHAIN_ID).into())
        .unwrap();
    assert_eq!(r.outcome, Outcome::Transfer);
    assert_eq!(w.state.balance(a, ETH), 1_000_000_000 - 107);
    assert_eq!(w.state.balance(b, ETH), 1_000_000_100);
    assert_eq!(w.state.balance(FEE_ACCOUNT, ETH), fee_before + 7);
    assert_eq!(w.state.account(a).unwrap().nonce, 1);
}

#[test]
fn signature_nonce_and_balance_rules() {
    let mut w = world();
    // Signed by the wrong key.
    let op = transfer(&w, 1, 0, 0).sign(&w.keys[1], CHAIN_ID).into();
    assert_eq!(reject(&mut w, op), TxError::BadSignature);
    // Signed for another chain.
    let op = transfer(&w, 1, 0, 0).sign(&w.keys[0], CHAIN_ID + 1).into();
    assert_eq!(reject(&mut w, op), TxError::BadSignature);
    // Replay and future nonce.
    let op = transfer(&w, 1, 0, 0).sign(&w.keys[0], CHAIN_ID).into();
    w.state.apply(&op).unwrap();
    assert_eq!(
        reject(&mut w, op),
        TxError::BadNonce {
            expected: 1,
            got: 0
        }
    );
    let op = transfer(&w, 1, 0, 5).sign(&w.keys[0], CHAIN_ID).into();
    assert_eq!(
        reject(&mut w, op),
        TxError::BadNonce {
            expected: 1,
            got: 5
        }
    );
    // Overdraft, including amount + fee beyond u64.
    let op = transfer(&w, 1_000_000_000, 0, 1)
        .sign(&w.keys[0], CHAIN_ID)
        .into();
    assert!(matches!(
        reject(&mut w, op),
        TxError::InsufficientBalance {
            needed: 1_000_000_000,
            available: 999_999_999,
            ..
        }
    ));
    // Amount range.
    let op = transfer(&w, 0, 0, 1).sign(&w.keys[0], CHAIN_ID).into();
    assert_eq!(
        reject(&mut w, op),
        TxError::AmountOutOfRange {
            field: "amount",
            value: 0
        }
    );
    let op = transfer(&w, MAX_AMOUNT + 1, 0, 1)
        .sign(&w.keys[0], CHAIN_ID)
        .into();
    assert_eq!(
        reject(&mut w, op),
        TxError::AmountOutOfRange {
            field: "amount",
            value: MAX_AMOUNT + 1
        }
    );
    // Fee packing.
    let op = transfer(&w, 1, 2049, 1).sign(&w.keys[0], CHAIN_ID).into();
    assert_eq!(
        reject(&mut w, op),
        TxError::FeeNotPackable {
            fee: 2049,
            suggestion: Some(2050)
        }
    );
}

#[test]
fn accounts_and_tokens_must_exist_and_keyless_accounts_cannot_take_part() {
    let mut w = world();
    let pool = w.pools[0];
    let mut t = Transfer {
        from: w.id(0),
        to: AccountId::new(999).unwrap(),
        token: ETH,
        amount: 1,
        fee: 0,
        nonce: 0,
    };
    let op = L2Tx::Transfer(t.clone()).sign(&w.keys[0], CHAIN_ID).into();
    assert_eq!(
        reject(&mut w, op),
        TxError::UnknownAccount(AccountId::new(999).unwrap())
    );
    t.to = pool;
    let op = L2Tx::Transfer(t.clone()).sign(&w.keys[0], CHAIN_ID).into();
    assert_eq!(reject(&mut w, op), TxError::KeylessAccount(pool));
    t.to = w.id(1);
    t.token = TokenId(250); // a share-token id no pool issues
    let op = L2Tx::Transfer(t.clone()).sign(&w.keys[0], CHAIN_ID).into();
    assert_eq!(reject(&mut w, op), TxError::UnknownToken(TokenId(250)));
    t.token = TokenId(99); // an L1 asset id: usable, but nobody holds any
    let op = L2Tx::Transfer(t.clone()).sign(&w.keys[0], CHAIN_ID).into();
    assert!(matches!(
        reject(&mut w, op),
        TxError::InsufficientBalance { .. }
    ));
    t.from = w.id(2); // key 2 never deposited
    t.token = ETH;
    let op = L2Tx::Transfer(t).sign(&w.keys[2], CHAIN_ID).into();
    assert_eq!(reject(&mut w, op), TxError::UnknownAccount(w.id(2)));
}

#[test]
fn withdrawals_return_value_to_the_bridge_and_shares_cannot_leave() {
    let mut w = world();
    let a = w.id(0);
    let bridge = w.state.balance(BRIDGE_ACCOUNT, ETH);
    let op = L2Tx::Withdraw(Withdraw {
        from: a,
        to: Address([3; 20]),
        token: ETH,
        amount: 400,
        fee: 10,
        nonce: 0,
    });
    w.state
        .apply(&op.sign(&w.keys[0], CHAIN_ID).into())
        .unwrap();
    assert_eq!(w.state.balance(BRIDGE_ACCOUNT, ETH), bridge + 400);
    assert_eq!(w.state.balance(a, ETH), 1_000_000_000 - 410);
    let share = w.state.pools()[&w.pools[0]].share_token;
    let op = L2Tx::Withdraw(Withdraw {
        from: a,
        to: Address([3; 20]),
        token: share,
        amount: 1,
        fee: 0,
        nonce: 1,
    });
    let op = op.sign(&w.keys[0], CHAIN_ID).into();
    assert_eq!(reject(&mut w, op), TxError::NotAnL1Asset(share));
    // Address zero would burn the funds: debited here, claimable by nobody on L1.
    let op = L2Tx::Withdraw(Withdraw {
        from: a,
        to: Address::ZERO,
        token: ETH,
        amount: 1,
        fee: 0,
        nonce: 1,
    });
    let op = op.sign(&w.keys[0], CHAIN_ID).into();
    assert_eq!(reject(&mut w, op), TxError::ZeroRecipient);
}

#[test]
fn full_exit_takes_effect_only_for_the_owner() {
    let mut w = world();
    let a = w.id(0);
    let exit = |w: &World, owner| {
        Operation::Priority(PriorityOp::FullExit(FullExit {
            priority_id: w.state.next_priority_id(),
            account: a,
            owner,
            token: ETH,
        }))
    };
    let op = exit(&w, Address([42; 20]));
    assert_eq!(
        w.state.apply(&op).unwrap().outcome,
        Outcome::FullExit { amount: 0 }
    );
    assert_eq!(w.state.balance(a, ETH), 1_000_000_000);
    let op = exit(&w, Address([1; 20]));
    assert_eq!(
        w.state.apply(&op).unwrap().outcome,
        Outcome::FullExit {
            amount: 1_000_000_000
        }
    );
    assert_eq!(w.state.balance(a, ETH), 0);
}

#[test]
fn amm_liquidity_and_swaps() {
    let mut w = world();
    let (a, b) = (w.id(0), w.id(1));
    let pool = w.pools[0];
    let p = w.state.pools()[&pool].clone();
    // Swapping against an empty pool fails.
    let swap = |w: &World, who: usize, amount_in, min_out, nonce| {
        L2Tx::Swap(Swap {
            account: w.id(who),
            pool,
            token_in: ETH,
            amount_in,
            min_amount_out: min_out,
            fee: 0,
            nonce,
        })
        .sign(&w.keys[who], CHAIN_ID)
        .into()
    };
    let op = swap(&w, 1, 1000, 0, 0);
    assert_eq!(reject(&mut w, op), TxError::Amm(AmmError::NoLiquidity));
    // First liquidity: sqrt(4e8 · 1e8) = 2e8 shares, 1000 locked with the bridge.
    let add = L2Tx::AddLiquidity(AddLiquidity {
        account: a,
        pool,
        max_amount_a: 400_000_000,
        max_amount_b: 100_000_000,
        min_shares: 0,
        fee: 0,
        nonce: 0,
    });
    let r = w
        .state
        .apply(&add.sign(&w.keys[0], CHAIN_ID).into())
        .unwrap();
    assert_eq!(
        r.outcome,
        Outcome::AddLiquidity {
            amount_a: 400_000_000,
            amount_b: 100_000_000,
            shares: 200_000_000 - MINIMUM_LIQUIDITY
        }
    );
    assert_eq!(
        w.state.balance(BRIDGE_ACCOUNT, p.share_token),
        MINIMUM_LIQUIDITY
    );
    assert_eq!(w.state.pool_supply(&p), 200_000_000);
    // A swap with a too-high minimum is rejected; a fair one pays the curve's output.
    let op = swap(&w, 1, 1_000_000, 1_000_000, 0);
    assert!(matches!(
        reject(&mut w, op),
        TxError::Amm(AmmError::Slippage { .. })
    ));
    let op = swap(&w, 1, 1_000_000, 0, 0);
    let expected =
        quire_core::amm::swap_output(400_000_000, 100_000_000, 1_000_000, p.fee_bps).unwrap();
    assert_eq!(
        w.state.apply(&op).unwrap().outcome,
        Outcome::Swap {
            amount_out: expected
        }
    );
    assert_eq!(w.state.balance(b, USDC), 1_000_000_000 + expected);
    // Removing all shares returns at most what the pool holds per share.
    let shares = w.state.balance(a, p.share_token);
    let rm = L2Tx::RemoveLiquidity(RemoveLiquidity {
        account: a,
        pool,
        shares,
        min_amount_a: 0,
        min_amount_b: 0,
        fee: 0,
        nonce: 1,
    });
    let r = w
        .state
        .apply(&rm.sign(&w.keys[0], CHAIN_ID).into())
        .unwrap();
    let Outcome::RemoveLiquidity { amount_a, amount_b } = r.outcome else {
        panic!("wrong outcome")
    };
    assert!(amount_a <= 401_000_000 && amount_b < 100_000_000);
    assert_eq!(w.state.pool_supply(&p), MINIMUM_LIQUIDITY);
    assert!(
        w.state.balance(pool, ETH) > 0 && w.state.balance(pool, USDC) > 0,
        "locked liquidity keeps reserves"
    );
}

#[test]
fn balance_proofs_verify_against_the_root() {
    let mut w = world();
    let a = w.id(0);
    let proof = w.state.balance_proof(a, ETH).unwrap();
    let root = w.state.root();
    assert_eq!(proof.balance, 1_000_000_000);
    assert!(proof.verify(&root));
    let mut forged = proof.clone();
    forged.balance += 1;
    assert!(!forged.verify(&root));
    let mut other = proof;
    other.token = USDC;
    assert!(!other.verify(&root));
}

/// A world where user 0 also holds liquidity shares of pool 0 (and the bridge the locked
/// ones), with its root committed.
fn world_with_shares() -> World {
    let mut w = world();
    let add = L2Tx::AddLiquidity(AddLiquidity {
        account: w.id(0),
        pool: w.pools[0],
        max_amount_a: 400_000_000,
        max_amount_b: 100_000_000,
        min_shares: 0,
        fee: 0,
        nonce: 0,
    })
    .sign(&w.keys[0], CHAIN_ID)
    .into();
    w.state.apply(&add).unwrap();
    w.state.root();
    w
}

/// Whether every claim `p` makes is true of `state`: the record's fields and each opened
/// balance (the paths aside).
fn claims_hold(state: &quire_core::state::State, p: &AccountProof) -> bool {
    let Some(rec) = state.account(p.account) else {
        return false;
    };
    rec.pubkey_hash == p.pubkey_hash
        && rec.l1_owner == p.l1_owner
        && rec.nonce == p.nonce
        && p.openings
            .iter()
            .all(|o| state.balance(p.account, o.token) == o.balance)
}

#[test]
fn account_proofs_open_several_balances_and_verify_like_the_contract() {
    let mut w = world_with_shares();
    let a = w.id(0);
    let pool = w.pools[0];
    let share = w.state.pools()[&pool].share_token;
    let root = w.state.root();
    let p = w.state.account_proof(a, &[share, USDC, ETH, USDC]).unwrap();
    assert_eq!(
        p.openings.iter().map(|o| o.token).collect::<Vec<_>>(),
        vec![ETH, USDC, share],
        "sorted, each once"
    );
    assert!(p.verify(&root));
    assert!(p.balance(share).unwrap() > 0);
    assert!(w.state.account_proof(a, &[]).is_none());
    let many: Vec<TokenId> = (0..=AccountProof::MAX_OPENINGS as u8)
        .map(TokenId)
        .collect();
    assert!(w.state.account_proof(a, &many).is_none());
    assert!(w.state.account_proof(a, &many[1..]).unwrap().verify(&root));
    // The pool's settlement proof: reserves by id, then its own shares.
    let settle = w.state.pool_settlement_proof(pool).unwrap();
    let spec = w.state.pools()[&pool].clone();
    assert_eq!(
        settle.openings.iter().map(|o| o.token).collect::<Vec<_>>(),
        pool_settlement_tokens(&spec).to_vec()
    );
    assert!(settle.verify(&root));
    assert_eq!(
        MAX_AMOUNT - settle.balance(share).unwrap(),
        w.state.pool_supply(&spec)
    );
    assert!(w.state.pool_settlement_proof(a).is_none());
    // A one-balance proof (the API's) is the one-opening account proof.
    let bp = w.state.balance_proof(a, share).unwrap();
    assert!(bp.verify(&root));
    let one = AccountProof::from(bp.clone());
    assert!(one.verify(&root));
    assert_eq!(one.openings.len(), 1);
    let mut wrong_root = bp;
    wrong_root.balance_root = root;
    assert!(!wrong_root.verify(&root));
    // Pending changes: the committed variant refuses, the other commits first.
    let op = w.deposit(1, ETH, 5);
    w.state.apply(&op).unwrap();
    assert!(w.state.committed_account_proof(a, &[ETH]).is_none());
    let fresh = w.state.account_proof(w.id(1), &[ETH]).unwrap();
    assert!(fresh.verify(&w.state.committed_root()));
}

/// The shape rules L1's `StateProof.root` enforces, each on a proof whose paths are
/// genuine: a balance opened twice, unsorted openings, none or too many, a balance above
/// `MAX_AMOUNT`, paths of the wrong depth or index.
#[test]
fn account_proofs_break_no_shape_rule() {
    let mut w = world_with_shares();
    let a = w.id(0);
    let root = w.state.root();
    let p = w.state.account_proof(a, &[ETH, USDC]).unwrap();
    assert!(p.verify(&root));
    let mut twice = p.clone();
    twice.openings[1] = twice.openings[0].clone();
    assert!(!twice.verify(&root), "a balance opened twice");
    let mut unsorted = p.clone();
    unsorted.openings.swap(0, 1);
    assert!(!unsorted.verify(&root));
    let mut none = p.clone();
    none.openings.clear();
    assert!(!none.verify(&root));
    let zero = w.state.account_proof(a, &[TokenId(9)]).unwrap();
    assert!(zero.verify(&root), "a zero balance is provable");
    let mut too_many = w.state.account_proof(a, &[ETH]).unwrap();
    for t in 1..=AccountProof::MAX_OPENINGS as u8 {
        let o = w.state.account_proof(a, &[TokenId(t)]).unwrap().openings[0].clone();
        too_many.openings.push(o);
    }
    assert_eq!(too_many.openings.len(), AccountProof::MAX_OPENINGS + 1);
    assert!(!too_many.verify(&root));
    too_many.openings.pop();
    assert!(too_many.verify(&root));
    // balance + p hashes like balance: the range check refuses it (as L1's does).
    let mut wrapped = zero.clone();
    wrapped.openings[0].balance = quire_core::field::GOLDILOCKS_ORDER;
    assert_eq!(
        wrapped.openings[0]
            .path
            .compute_root(&quire_core::account::balance_leaf(
                quire_core::field::GOLDILOCKS_ORDER
            )),
        zero.openings[0]
            .path
            .compute_root(&quire_core::account::balance_leaf(0)),
        "the Merkle path alone would accept it"
    );
    assert!(!wrapped.verify(&root));
    let mut short = p.clone();
    short.openings[0].path.siblings.pop();
    assert!(!short.verify(&root));
    let mut index = p.clone();
    index.openings[0].path.index = 1;
    assert!(!index.verify(&root));
    let mut account_index = p;
    account_index.account_path.index += 1 << 24;
    assert!(!account_index.verify(&root));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Soundness of `AccountProof::verify` (the contract's rule): a genuine proof of any
    /// account and balances verifies; after any single tampering (a record field, an
    /// opening's token, balance or sibling, an account sibling, the account, a fabricated
    /// opening added next to genuine ones) it verifies only if every claim it makes is
    /// still true of the state, and a changed sibling never verifies.
    #[test]
    fn account_proofs_accept_genuine_and_reject_tampered(
        who in 0u32..6,
        picks in proptest::collection::btree_set(0u8..=255, 1..6),
        field in 0u8..10,
        pick in 0usize..16,
        delta in 1u64..1_000_000,
        bit in 0u32..64,
    ) {
        let mut w = world_with_shares();
        let root = w.state.root();
        let account = AccountId::new(who).unwrap();
        let tokens: Vec<TokenId> = picks.into_iter().map(TokenId).collect();
        let genuine = w.state.account_proof(account, &tokens).unwrap();
        proptest::prop_assert!(genuine.verify(&root));
        proptest::prop_assert!(claims_hold(&w.state, &genuine));
        let mut t = genuine.clone();
        let i = pick % t.openings.len();
        let flip = |d: &mut quire_core::hash::Digest| d.0[bit as usize % 4] ^= 1 << (bit % 32);
        let mut sibling_changed = false;
        match field {
            0 => flip(&mut t.pubkey_hash),
            1 => t.l1_owner.0[bit as usize % 20] ^= 1,
            2 => t.nonce = t.nonce.wrapping_add(delta as u32),
            3 => t.openings[i].balance = t.openings[i].balance.wrapping_add(delta),
            4 => {
                let token = TokenId(t.openings[i].token.0 ^ (1 << (bit % 8)));
                t.openings[i].token = token;
                t.openings[i].path.index = u64::from(token.0);
                t.openings.sort_by_key(|o| o.token);
            }
            5 => {
                flip(&mut t.openings[i].path.siblings[bit as usize % 8]);
                sibling_changed = true;
            }
            6 => {
                flip(&mut t.account_path.siblings[bit as usize % 24]);
                sibling_changed = true;
            }
            7 => {
                let other = AccountId::new((who + 1 + delta as u32 % 5) % 6).unwrap();
                t.account = other;
                t.account_path.index = u64::from(other.get());
            }
            _ => {
                // A fabricated opening: a token not opened yet, a balance it does not hold,
                // and a path of another genuine opening.
                let token = (0..=255u8).map(TokenId).find(|x| t.balance(*x).is_none()).unwrap();
                let mut fake = t.openings[i].clone();
                fake.token = token;
                fake.path.index = u64::from(token.0);
                fake.balance = w.state.balance(account, token).wrapping_add(delta);
                t.openings.push(fake);
                t.openings.sort_by_key(|o| o.token);
            }
        }
        if t.verify(&root) {
            proptest::prop_assert!(!sibling_changed, "a changed sibling verified");
            proptest::prop_assert!(claims_hold(&w.state, &t), "a false claim verified: {:?}", field);
        }
        if !claims_hold(&w.state, &t) {
            proptest::prop_assert!(!t.verify(&root));
        }
    }
}

#[test]
fn a_snapshot_of_the_records_rebuilds_the_same_state() {
    let mut w = world();
    let op = transfer(&w, 100, 7, 0).sign(&w.keys[0], CHAIN_ID).into();
    w.state.apply(&op).unwrap();
    let root = w.state.root();
    let records: Vec<_> = (0..w.state.num_accounts())
        .map(|i| w.state.account(AccountId::new(i).unwrap()).unwrap().clone())
        .collect();
    let mut rebuilt = quire_core::state::State::from_snapshot(
        &common::genesis(),
        records.clone(),
        w.state.next_priority_id(),
    )
    .unwrap();
    assert_eq!(rebuilt.root(), root);
    assert_eq!(
        rebuilt.account_id(&w.keys[1].public_key(), &common::owner(1)),
        Some(w.id(1))
    );
    // A tampered record gives another root; a snapshot missing genesis accounts is refused.
    let mut tampered = records.clone();
    tampered[w.id(0).index()].nonce += 1;
    let mut other =
        quire_core::state::State::from_snapshot(&common::genesis(), tampered, 0).unwrap();
    assert_ne!(other.root(), root);
    assert!(
        quire_core::state::State::from_snapshot(&common::genesis(), records[..1].to_vec(), 0)
            .is_err()
    );
}

#[test]
fn a_diff_round_trips_through_json() {
    let mut w = world();
    let op = transfer(&w, 100, 7, 0).sign(&w.keys[0], CHAIN_ID).into();
    w.state.apply(&op).unwrap();
    let diff = w.state.pending_diff();
    assert!(!diff.balances.is_empty());
    let json = serde_json::to_string(&diff).unwrap();
    assert_eq!(
        serde_json::from_str::<quire_core::state::StateDiff>(&json).unwrap(),
        diff
    );
}

/// The first-deposit front-run (issue 14, part 1): an attacker who sees a new user's first
/// deposit to key `K` pending deposits 1 unit to `K` from its own address ahead of it, then
/// asks for a full exit of the account that deposit opened. Accounts are identified by the
/// pair (key, L1 owner): the victim's deposit opens an account of its own, so the attacker's
/// exit takes back only the attacker's unit and the victim's deposit stays the victim's.
#[test]
fn front_run_first_deposit_cannot_steal_the_victims_funds() {
    let mut w = World::new(1);
    let key = w.keys[0].public_key();
    let attacker = Address([0xa7; 20]);
    let victim = Address([0x71; 20]);
    let deposit = |w: &World, from: Address, amount: u64| {
        Operation::Priority(PriorityOp::Deposit(quire_core::tx::Deposit {
            priority_id: w.state.next_priority_id(),
            from,
            to: key,
            token: ETH,
            amount,
        }))
    };
    let opened = |r: &quire_core::state::Receipt| match r.outcome {
        Outcome::Deposit {
            account,
            credited: true,
            ..
        } => account,
        ref other => panic!("deposit not credited: {other:?}"),
    };
    let op = deposit(&w, attacker, 1);
    let attackers = opened(&w.state.apply(&op).unwrap());
    let op = deposit(&w, victim, 10_000_000_000);
    let victims = opened(&w.state.apply(&op).unwrap());
    assert_ne!(
        attackers, victims,
        "the victim's deposit opened its own account"
    );
    let op = Operation::Priority(PriorityOp::FullExit(FullExit {
        priority_id: w.state.next_priority_id(),
        account: attackers,
        owner: attacker,
        token: ETH,
    }));
    assert_eq!(
        w.state.apply(&op).unwrap().outcome,
        Outcome::FullExit { amount: 1 },
        "the attacker's exit takes back its own unit only"
    );
    assert_eq!(w.state.balance(victims, ETH), 10_000_000_000);
    assert_eq!(w.state.account(victims).unwrap().l1_owner, victim);
    assert_eq!(w.state.account_id(&key, &victim), Some(victims));
    assert_eq!(w.state.account_id(&key, &attacker), Some(attackers));
    // The attacker's exit of the victim's account moves nothing.
    let op = Operation::Priority(PriorityOp::FullExit(FullExit {
        priority_id: w.state.next_priority_id(),
        account: victims,
        owner: attacker,
        token: ETH,
    }));
    assert_eq!(
        w.state.apply(&op).unwrap().outcome,
        Outcome::FullExit { amount: 0 }
    );
    assert_eq!(w.state.balance(victims, ETH), 10_000_000_000);
}

/// Issue 14, part 3: governance registers a token on L1 after genesis. The L2 credits its
/// deposits, moves and pays it out like any genesis token, without waiting for the sequencer
/// to learn of the registration: the old rule refunded the deposit (`UnknownToken`), a
/// refund the circuit cannot prove, and so halted proving at the first such deposit.
#[test]
fn a_token_registered_after_genesis_is_deposited_transferred_withdrawn_and_exited() {
    let mut w = world();
    let late = TokenId(5);
    assert!(!w.state.tokens().contains(late), "not in the genesis");
    let (a, b) = (w.id(0), w.id(1));
    let op = w.deposit(0, late, 9_000);
    let r = w.state.apply(&op).unwrap();
    assert_eq!(
        r.outcome,
        Outcome::Deposit {
            account: a,
            created: false,
            credited: true,
            refund: None
        }
    );
    assert_eq!(w.state.balance(a, late), 9_000);
    assert_eq!(w.state.balance(BRIDGE_ACCOUNT, late), MAX_AMOUNT - 9_000);
    let transfer = L2Tx::Transfer(Transfer {
        from: a,
        to: b,
        token: late,
        amount: 4_000,
        fee: 0,
        nonce: 0,
    });
    w.state
        .apply(&transfer.sign(&w.keys[0], CHAIN_ID).into())
        .unwrap();
    let withdraw = L2Tx::Withdraw(Withdraw {
        from: b,
        to: common::owner(1),
        token: late,
        amount: 1_000,
        fee: 0,
        nonce: 0,
    });
    w.state
        .apply(&withdraw.sign(&w.keys[1], CHAIN_ID).into())
        .unwrap();
    assert_eq!(w.state.balance(b, late), 3_000);
    let exit = Operation::Priority(PriorityOp::FullExit(FullExit {
        priority_id: w.state.next_priority_id(),
        account: a,
        owner: common::owner(0),
        token: late,
    }));
    assert_eq!(
        w.state.apply(&exit).unwrap().outcome,
        Outcome::FullExit { amount: 5_000 }
    );
    assert_eq!(w.state.balance(BRIDGE_ACCOUNT, late), MAX_AMOUNT - 3_000);
}
