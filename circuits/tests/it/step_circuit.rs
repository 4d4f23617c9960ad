//! The transaction-step circuit against quire-core's reference transition: a batch mixing
//! every operation type (deposits opening and existing accounts, refunded deposits,
//! transfers, a withdrawal, a swap, first and later liquidity, a removal, full exits that
//! move the balance, move nothing, or target an absent id) proves in chunks, and tampered
//! witnesses (signature, nonce, overdraft, Merkle path, amount ≥ 2^63, pubdata, roots, swap
//! output above the curve, shares above the bound, a censored full exit, an account opened
//! away from the next free id, a deposit credited to an account another L1 address owns, a
//! withdrawal to address zero) fail to prove.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::fixtures::*;
use quire_core::test_utils::{self, full_exit};

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use plonky2::field::types::Field;
use quire_circuits::chunk::{pubdata_digest, ChunkCircuit};
use quire_circuits::gadgets::F;
use quire_circuits::step::{StepKind, StepParams};
use quire_circuits::witness::{self, BatchWitness, ForgedSlot, Shadow, StepWitness};
use quire_core::account::{AccountId, Address, FEE_ACCOUNT};
use quire_core::hash::Digest;
use quire_core::schnorr::SecretKey;
use quire_core::state::{Outcome, Receipt, State};
use quire_core::token::TokenId;
use quire_core::tx::{
    AddLiquidity, Deposit, L2Tx, OpType, Operation, PriorityOp, RemoveLiquidity, Swap, Transfer,
    Withdraw,
};

fn transfer(k: usize, from: u32, to: u32, amount: u64, fee: u64, nonce: u32) -> Operation {
    signed(k, test_utils::eth_transfer(from, to, amount, fee, nonce))
}

fn swap(account: u32, amount_in: u64, min_out: u64, nonce: u32) -> L2Tx {
    L2Tx::Swap(Swap {
        account: id(account),
        pool: id(POOL),
        token_in: TokenId::ETH,
        amount_in,
        min_amount_out: min_out,
        fee: 5,
        nonce,
    })
}

fn add_liquidity(account: u32, max_a: u64, max_b: u64, nonce: u32) -> L2Tx {
    L2Tx::AddLiquidity(AddLiquidity {
        account: id(account),
        pool: id(POOL),
        max_amount_a: max_a,
        max_amount_b: max_b,
        min_shares: 1,
        fee: 10,
        nonce,
    })
}

/// Every operation type, in an order the reference accepts.
fn mixed_ops() -> Vec<Operation> {
    vec![
        deposit(0, 0, TokenId::ETH, 1_000_000),
        deposit(1, 1, TokenId::ETH, 500_000),
        deposit(2, 0, USDC, 2_000_000), // existing account
        deposit(3, 1, TokenId(200), 5), // share-token id: refunded
        transfer(0, K0, K1, 1000, 20_000, 0),
        signed(0, add_liquidity(K0, 100_000, 400_000, 1)), // first: locks 1000 shares
        signed(1, swap(K1, 10_000, 1, 0)),
        signed(1, add_liquidity(K1, 5_000, 30_000, 1)), // later: min of two bounds
        signed(
            0,
            L2Tx::RemoveLiquidity(RemoveLiquidity {
                account: id(K0),
                pool: id(POOL),
                shares: 50_000,
                min_amount_a: 1,
                min_amount_b: 1,
                fee: 1,
                nonce: 2,
            }),
        ),
        signed(
            0,
            L2Tx::Withdraw(Withdraw {
                from: id(K0),
                to: Address([0x77; 20]),
                token: TokenId::ETH,
                amount: 1000,
                fee: 1,
                nonce: 3,
            }),
        ),
        full_exit(4, K1, 1, USDC),         // the owner: the whole balance
        full_exit(5, K0, 1, TokenId::ETH), // not the owner: nothing
        full_exit(6, 99, 0, TokenId::ETH), // never opened: nothing
        deposit(7, 0, TokenId::ETH, (1 << 63) + 5), // ≥ 2^63: refunded
    ]
}

fn params() -> StepParams {
    let (state, _) = witness::genesis(&genesis()).unwrap();
    StepParams::from_state(&state)
}

/// Replays `ops` from genesis; returns the witness, and the state and shadow after.
fn replay(ops: &[Operation]) -> (BatchWitness, State, Shadow) {
    let (mut state, mut shadow) = witness::genesis(&genesis()).unwrap();
    let w = witness::replay_batch(&mut state, &mut shadow, ops, None).unwrap();
    (w, state, shadow)
}

fn mixed_batch() -> &'static BatchWitness {
    static W: OnceLock<BatchWitness> = OnceLock::new();
    W.get_or_init(|| {
        let (mut w, _, mut shadow) = replay(&mixed_ops());
        w.pad_to_multiple(2, &mut shadow).unwrap();
        w
    })
}

fn circuit() -> &'static ChunkCircuit {
    static C: OnceLock<ChunkCircuit> = OnceLock::new();
    C.get_or_init(|| ChunkCircuit::build_with(&params(), 2))
}

fn proves(steps: &[StepWitness]) -> bool {
    let c = circuit();
    let res = catch_unwind(AssertUnwindSafe(|| c.prove(steps)));
    match res {
        Ok(Ok(p)) => c.data.verify(p).is_ok(),
        _ => false,
    }
}

#[test]
fn batch_mixing_every_operation_type_proves() {
    let w = mixed_batch();
    let kinds: Vec<StepKind> = w.steps.iter().map(StepKind::kind).collect();
    for k in [
        StepKind::Deposit,
        StepKind::Transfer,
        StepKind::Withdraw,
        StepKind::Swap,
        StepKind::AddLiquidity,
        StepKind::RemoveLiquidity,
        StepKind::FullExit,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing");
    }
    // The full exits: one moves a balance, two move nothing (one of them absent).
    assert!(matches!(
        w.steps[10].receipt.as_ref().unwrap().outcome,
        Outcome::FullExit { amount } if amount > 0
    ));
    assert!(w.steps[12].slots[0].absent);
    let c = circuit();
    eprintln!(
        "chunk(2) rows: {}, degree {}",
        c.rows,
        c.data.common.degree()
    );
    for (i, pair) in w.steps.chunks(2).enumerate() {
        let p = c.prove(pair).unwrap_or_else(|e| {
            panic!(
                "chunk {i} ({:?}) does not prove: {e}",
                pair.iter().map(StepKind::kind).collect::<Vec<_>>()
            )
        });
        assert_eq!(
            &p.public_inputs[0..4],
            &pair[0].root_before.plonky2_elements()
        );
        assert_eq!(
            &p.public_inputs[4..8],
            &pair[1].root_after.plonky2_elements()
        );
        assert_eq!(&p.public_inputs[8..12], &pubdata_digest(pair));
        c.data.verify(p).expect("verifies");
    }
}

/// The transfer (step 4) and the first liquidity (step 5).
fn transfer_pair() -> Vec<StepWitness> {
    mixed_batch().steps[4..6].to_vec()
}

#[test]
fn wrong_signature_fails() {
    let mut s = transfer_pair();
    let mut sig = s[0].signature.unwrap();
    sig.e[0] += quire_core::field::F::ONE;
    s[0].signature = Some(sig);
    assert!(!proves(&s));
}

/// The shadow after the four deposits (account 3: key 0 with 1_000_000 ETH and 2_000_000
/// USDC, account 4: key 1 with 500_000 ETH).
fn after_deposits() -> Shadow {
    replay(&mixed_ops()[..4]).2
}

fn slot(account: u32, token: TokenId, delta: F, bump: bool) -> ForgedSlot {
    ForgedSlot {
        account: id(account),
        token,
        delta: delta.into(),
        bump_nonce: bump,
    }
}

/// A transfer step from account 3 (key 0) to 4 forged past the reference transition:
/// `amount` is what the slots move, `signed` the transfer the signature covers (signed by
/// `signer`). Followed by a padding step.
fn forged_transfer(amount: u64, fee: u64, signed: (u64, u32), signer: usize) -> Vec<StepWitness> {
    let mut shadow = after_deposits();
    let f = F::from_noncanonical_u64;
    let tx = |amount: u64, nonce: u32| {
        L2Tx::Transfer(Transfer {
            from: id(K0),
            to: id(K1),
            token: TokenId::ETH,
            amount,
            fee,
            nonce,
        })
    };
    let sig = tx(signed.0, signed.1)
        .sign(&key(signer), CHAIN_ID)
        .signature;
    let op = Operation::L2(quire_core::tx::SignedTx {
        tx: tx(amount, signed.1),
        signature: sig,
    });
    let slots = [
        slot(K0, TokenId::ETH, -(f(amount) + f(fee)), true),
        slot(K1, TokenId::ETH, f(amount), false),
        slot(FEE_ACCOUNT.get(), TokenId::ETH, f(fee), false),
    ];
    let step = shadow
        .forge_step(op, key(0).public_key(), Some(sig), &slots)
        .unwrap();
    vec![step, shadow.padding_step().unwrap()]
}

#[test]
fn control_forged_but_valid_transfer_proves() {
    // The forging helper itself: a valid transfer built through it proves.
    assert!(proves(&forged_transfer(999, 10, (999, 0), 0)));
}

#[test]
fn signature_over_other_amount_fails() {
    assert!(!proves(&forged_transfer(999, 10, (1000, 0), 0)));
}

#[test]
fn wrong_signer_fails() {
    assert!(!proves(&forged_transfer(999, 10, (999, 0), 1)));
}

#[test]
fn wrong_nonce_fails() {
    // Signed with nonce 5; the account's nonce is 0.
    assert!(!proves(&forged_transfer(999, 10, (999, 5), 0)));
}

#[test]
fn overdraft_fails() {
    // Account 3 holds 1_000_000 ETH; sending 2_000_000 leaves p − 1_000_000 (a "negative"
    // balance) that the no-wrap subtraction rejects.
    assert!(!proves(&forged_transfer(2_000_000, 0, (2_000_000, 0), 0)));
    assert!(!proves(&forged_transfer(999_999, 2, (999_999, 0), 0)));
    assert!(proves(&forged_transfer(999_999, 1, (999_999, 0), 0)));
}

#[test]
fn wrong_merkle_path_fails() {
    let mut s = transfer_pair();
    s[0].slots[1].account_siblings[3] = Digest([1, 2, 3, 4]);
    assert!(!proves(&s));
}

#[test]
fn amount_at_least_2_pow_63_fails() {
    // 2^63 + 10, correctly signed: the amount's 63-bit range check rejects it.
    let amount = (1u64 << 63) + 10;
    assert!(!proves(&forged_transfer(amount, 0, (amount, 0), 0)));
}

#[test]
fn discontinuous_roots_fail() {
    let w = mixed_batch();
    // Step 4 followed by step 6 (skipping 5): roots do not chain.
    let s = vec![w.steps[4].clone(), w.steps[6].clone()];
    assert!(!proves(&s));
}

#[test]
fn different_pubdata_changes_the_digest() {
    // Pubdata is computed by the circuit from the constrained fields: a proof's digest is
    // that of the real pubdata, never of other bytes.
    let s = transfer_pair();
    let p = circuit().prove(&s).unwrap();
    let mut other = s.clone();
    let mut r = other[0].receipt.clone().unwrap();
    r.pubdata[5] ^= 1;
    other[0].receipt = Some(r);
    assert_ne!(&p.public_inputs[8..12], &pubdata_digest(&other));
}

/// The swap of the mixed batch (step 6) forged with output `out` (and its slots moving
/// `out`), from the state before it, followed by a padding step.
fn forged_swap(out_delta: i64) -> Vec<StepWitness> {
    let ops = mixed_ops();
    let honest = &mixed_batch().steps[6];
    let Some(Outcome::Swap { amount_out }) = honest.receipt.as_ref().map(|r| r.outcome.clone())
    else {
        panic!("step 6 is the swap")
    };
    let out = (amount_out as i64 + out_delta) as u64;
    let mut shadow = replay(&ops[..6]).2;
    let f = F::from_noncanonical_u64;
    let Operation::L2(st) = &ops[6] else {
        panic!("swap")
    };
    let slots = [
        slot(K1, TokenId::ETH, -(f(10_000) + f(5)), true),
        slot(POOL, TokenId::ETH, f(10_000), false),
        slot(POOL, USDC, -f(out), false),
        slot(K1, USDC, f(out), false),
        slot(FEE_ACCOUNT.get(), TokenId::ETH, f(5), false),
    ];
    let mut step = shadow
        .forge_step(
            ops[6].clone(),
            key(1).public_key(),
            Some(st.signature),
            &slots,
        )
        .unwrap();
    step.receipt = Some(Receipt {
        hash: Digest::ZERO,
        op_type: OpType::Swap,
        outcome: Outcome::Swap { amount_out: out },
        pubdata: Vec::new(),
    });
    vec![step, shadow.padding_step().unwrap()]
}

#[test]
fn swap_output_above_the_curve_fails() {
    // Control: the honest output, through the same forging path, proves.
    assert!(proves(&forged_swap(0)));
    // One unit more than ⌊r_out·a'/(r_in·10⁴ + a')⌋ breaks k (or the rounding).
    assert!(!proves(&forged_swap(1)));
    // One unit less is not the native rounding either.
    assert!(!proves(&forged_swap(-1)));
}

#[test]
fn censored_full_exit_fails() {
    // The owner's full exit (step 10) claimed as moving nothing: the circuit computes the
    // amount from the leaf it reads.
    let ops = mixed_ops();
    let mut shadow = replay(&ops[..10]).2;
    let op = ops[10].clone();
    let mut step = shadow
        .forge_step(
            op,
            SecretKey::from_seed(b"operator").public_key(),
            None,
            &[
                slot(K1, USDC, F::ZERO, false),
                slot(0, USDC, F::ZERO, false),
            ],
        )
        .unwrap();
    step.receipt = Some(Receipt {
        hash: Digest::ZERO,
        op_type: OpType::FullExit,
        outcome: Outcome::FullExit { amount: 0 },
        pubdata: Vec::new(),
    });
    let pad = shadow.padding_step().unwrap();
    assert!(!proves(&[step, pad]));
}

/// Two levels of aggregation over four 2-step chunks chain the roots, and out of order they
/// do not. (The wrapper over an aggregation is proven and checked by the whole-stack test,
/// `batch_commitments::wrapper_exposes_rollup_public_inputs`.)
#[test]
fn chunks_aggregate_over_two_levels() {
    let w = mixed_batch();
    let c = circuit();
    // Four chunks (8 steps) are enough to exercise two aggregation levels.
    let proofs: Vec<_> = w.steps[..8]
        .chunks(2)
        .map(|p| c.prove(p).unwrap())
        .collect();
    let node1 = quire_circuits::aggregate::aggregation_node(&c.data);
    let l1: Vec<_> = proofs
        .chunks(2)
        .map(|p| node1.prove(&p[0], &p[1]).unwrap())
        .collect();
    // Out of order: roots do not chain.
    let swapped = catch_unwind(AssertUnwindSafe(|| node1.prove(&proofs[1], &proofs[0])));
    assert!(!matches!(swapped, Ok(Ok(_))));
    let node2 = quire_circuits::aggregate::aggregation_node(&node1.data);
    let top = node2.prove(&l1[0], &l1[1]).unwrap();
    eprintln!("node rows {} / {}", node1.rows, node2.rows);
    assert_eq!(&top.public_inputs[0..4], &w.old_root.plonky2_elements());
    assert_eq!(
        &top.public_inputs[4..8],
        &w.steps[7].root_after.plonky2_elements()
    );
    node2.data.verify(top).unwrap();
}

/// A deposit of `amount` of `token` by key 0 at genesis, forged as refunded (no-op slots,
/// the second reading the bridge's balance of the token), followed by a padding step.
fn forged_refund(token: TokenId, amount: u64) -> Vec<StepWitness> {
    let mut shadow = replay(&[]).2;
    let mut step = shadow
        .forge_step(
            deposit(0, 0, token, amount),
            key(0).public_key(),
            None,
            &[
                slot(0, TokenId::ETH, F::ZERO, false),
                slot(0, token, F::ZERO, false),
            ],
        )
        .unwrap();
    step.receipt = Some(Receipt {
        hash: Digest::ZERO,
        op_type: OpType::Deposit,
        outcome: Outcome::Deposit {
            account: AccountId::new(0).unwrap(),
            created: false,
            credited: false,
            refund: None,
        },
        pubdata: Vec::new(),
    });
    vec![step, shadow.padding_step().unwrap()]
}

#[test]
fn refund_without_a_reason_fails() {
    // Controls through the same forging path: a share-token id, and an amount ≥ 2^63.
    assert!(proves(&forged_refund(TokenId(200), 5)));
    assert!(proves(&forged_refund(TokenId::ETH, 1 << 63)));
    // ETH, 1_000_000, the bridge full: no refund reason holds, the circuit insists on
    // crediting it.
    assert!(!proves(&forged_refund(TokenId::ETH, 1_000_000)));
}

/// The later liquidity deposit of the mixed batch (step 7) forged to mint `delta` more
/// shares than the native `min(⌊max_a·S/ra⌋, ⌊max_b·S/rb⌋)`, followed by a padding step.
fn forged_add(delta: u64) -> Vec<StepWitness> {
    let ops = mixed_ops();
    let honest = &mixed_batch().steps[7];
    let Some(Outcome::AddLiquidity {
        amount_a,
        amount_b,
        shares,
    }) = honest.receipt.as_ref().map(|r| r.outcome.clone())
    else {
        panic!("step 7 is the later liquidity deposit")
    };
    let shares = shares + delta;
    let mut shadow = replay(&ops[..7]).2;
    let f = F::from_noncanonical_u64;
    let Operation::L2(st) = &ops[7] else {
        panic!("add liquidity")
    };
    let share_token = TokenId(128);
    let slots = [
        slot(K1, TokenId::ETH, -(f(amount_a) + f(10)), true),
        slot(K1, USDC, -f(amount_b), false),
        slot(POOL, TokenId::ETH, f(amount_a), false),
        slot(POOL, USDC, f(amount_b), false),
        slot(POOL, share_token, -f(shares), false),
        slot(K1, share_token, f(shares), false),
        slot(0, share_token, F::ZERO, false),
        slot(FEE_ACCOUNT.get(), TokenId::ETH, f(10), false),
    ];
    let mut step = shadow
        .forge_step(
            ops[7].clone(),
            key(1).public_key(),
            Some(st.signature),
            &slots,
        )
        .unwrap();
    step.receipt = Some(Receipt {
        hash: Digest::ZERO,
        op_type: OpType::AddLiquidity,
        outcome: Outcome::AddLiquidity {
            amount_a,
            amount_b,
            shares,
        },
        pubdata: Vec::new(),
    });
    vec![step, shadow.padding_step().unwrap()]
}

#[test]
fn liquidity_shares_above_the_bound_fail() {
    // Control: the native shares, through the same forging path, prove.
    assert!(proves(&forged_add(0)));
    assert!(!proves(&forged_add(1)));
}

/// A deposit of key 2's (new to the state after the four deposits, where 5 is the next
/// free id) forged to open its account at `at`, then a padding step.
fn opening_at(at: u32) -> Vec<StepWitness> {
    let mut shadow = after_deposits();
    let d = Deposit {
        priority_id: 4,
        from: owner(2),
        to: key(2).public_key(),
        token: TokenId::ETH,
        amount: 1_000,
    };
    let step = shadow.forge_opening(&d, id(at)).unwrap();
    let pad = shadow.padding_step().unwrap();
    vec![step, pad]
}

#[test]
fn opening_an_account_anywhere_but_the_next_free_id_fails() {
    // Control: the same forging at the next free id proves.
    assert!(proves(&opening_at(5)));
    // Skipping id 5, or opening far up the tree (the leaf below is empty).
    assert!(!proves(&opening_at(6)));
    assert!(!proves(&opening_at(1 << 20)));
    // Claiming an occupied predecessor with a leaf that is not in the root.
    let mut s = opening_at(6);
    let p = s[0].slots[0].predecessor.as_mut().unwrap();
    p.leaf = mixed_batch().steps[0].slots[0].root_after;
    assert!(!proves(&s));
}

/// Issue 14's first-deposit front-run, in the circuit: account 3 (key 0) was opened by a
/// deposit from `owner(0)`, the attacker's address in this story. A deposit of 10^9 ETH to
/// key 0 from `from`, forged as credited to account 3 (as core did before accounts became
/// (key, L1 owner) pairs), then a padding step.
fn deposit_credited_to_account_3(from: Address) -> Vec<StepWitness> {
    let mut shadow = after_deposits();
    let amount = 1_000_000_000;
    let f = F::from_noncanonical_u64;
    let op = Operation::Priority(PriorityOp::Deposit(Deposit {
        priority_id: 4,
        from,
        to: key(0).public_key(),
        token: TokenId::ETH,
        amount,
    }));
    let mut step = shadow
        .forge_step(
            op,
            key(0).public_key(),
            None,
            &[
                slot(K0, TokenId::ETH, f(amount), false),
                slot(0, TokenId::ETH, -f(amount), false),
            ],
        )
        .unwrap();
    step.receipt = Some(Receipt {
        hash: Digest::ZERO,
        op_type: OpType::Deposit,
        outcome: Outcome::Deposit {
            account: id(K0),
            created: false,
            credited: true,
            refund: None,
        },
        pubdata: Vec::new(),
    });
    vec![step, shadow.padding_step().unwrap()]
}

#[test]
fn front_run_victims_deposit_credited_to_the_attackers_account_fails() {
    // Control: the account's own owner depositing again, through the same forging path.
    assert!(proves(&deposit_credited_to_account_3(owner(0))));
    // The victim's deposit to the same key, credited to the account the attacker owns on L1
    // (whose full exit would then pay the victim's funds to the attacker).
    assert!(!proves(&deposit_credited_to_account_3(Address([0x71; 20]))));
}

/// A withdrawal of 1,000 ETH from account 3 (key 0) to `to`, forged past the reference
/// transition (which refuses address zero), then a padding step.
fn forged_withdrawal(to: Address) -> Vec<StepWitness> {
    let mut shadow = after_deposits();
    let f = F::from_noncanonical_u64;
    let op = signed(
        0,
        L2Tx::Withdraw(Withdraw {
            from: id(K0),
            to,
            token: TokenId::ETH,
            amount: 1_000,
            fee: 0,
            nonce: 0,
        }),
    );
    let Operation::L2(s) = &op else {
        unreachable!()
    };
    let sig = s.signature;
    let step = shadow
        .forge_step(
            op,
            key(0).public_key(),
            Some(sig),
            &[
                slot(K0, TokenId::ETH, -f(1_000), true),
                slot(0, TokenId::ETH, f(1_000), false),
                slot(FEE_ACCOUNT.get(), TokenId::ETH, F::ZERO, false),
            ],
        )
        .unwrap();
    vec![step, shadow.padding_step().unwrap()]
}

#[test]
fn withdrawal_to_address_zero_fails() {
    // Control: the same withdrawal to a real address proves.
    assert!(proves(&forged_withdrawal(Address([0x33; 20]))));
    assert!(!proves(&forged_withdrawal(Address::ZERO)));
}

/// Issue 14, part 3: a token governance registered on L1 after genesis (id 5, unknown to
/// the genesis the circuit is built from) is deposited, transferred, withdrawn and fully
/// exited, and every step proves. Core used to refund such a deposit (`UnknownToken`), a
/// refund the circuit has no reason for, so the first deposit of a new token halted proving.
#[test]
fn token_registered_after_genesis_deposit_transfer_withdraw_and_exit_prove() {
    let late = TokenId(5);
    let mut ops = mixed_ops()[..2].to_vec(); // opens accounts 3 and 4
    ops.extend([
        deposit(2, 0, late, 70_000),
        signed(
            0,
            L2Tx::Transfer(Transfer {
                from: id(K0),
                to: id(K1),
                token: late,
                amount: 30_000,
                fee: 0,
                nonce: 0,
            }),
        ),
        signed(
            1,
            L2Tx::Withdraw(Withdraw {
                from: id(K1),
                to: Address([0x55; 20]),
                token: late,
                amount: 10_000,
                fee: 0,
                nonce: 0,
            }),
        ),
        full_exit(3, K0, 0, late),
    ]);
    let (mut w, state, mut shadow) = replay(&ops);
    assert!(matches!(
        w.steps[2].receipt.as_ref().unwrap().outcome,
        Outcome::Deposit { credited: true, .. }
    ));
    assert!(matches!(
        w.steps[5].receipt.as_ref().unwrap().outcome,
        Outcome::FullExit { amount: 40_000 }
    ));
    assert_eq!(state.balance(id(K1), late), 20_000);
    w.pad_to_multiple(2, &mut shadow).unwrap();
    for (i, pair) in w.steps.chunks(2).enumerate() {
        assert!(proves(pair), "chunk {i} does not prove");
    }
}
