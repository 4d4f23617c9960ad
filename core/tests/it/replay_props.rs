//! Replay from pubdata: a state rebuilt from what L1 sees (each batch's pubdata and the
//! priority queue) equals the state the operator executed, and pubdata that states anything
//! else is refused or leads to another root.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use quire_core::state::{BatchReplayError, ReplayError, State};
use quire_core::tx::pubdata::{decode_batch, DecodeError, StatedOp};
use quire_core::tx::{Operation, PriorityOp};

use crate::common::{self, op_choice, OpChoice, World};

/// Executes the choices the usual way; returns the executed state, the batch's pubdata and
/// the priority operations it consumed (what L1 knows).
fn execute(choices: &[OpChoice]) -> (State, Vec<u8>, Vec<PriorityOp>) {
    let mut w = World::new(8);
    let mut pubdata = Vec::new();
    let mut queue = Vec::new();
    let mut run = |w: &mut World, op: Operation| {
        if let Ok(receipt) = w.state.apply(&op) {
            pubdata.extend_from_slice(&receipt.pubdata);
            if let Operation::Priority(p) = op {
                queue.push(p);
            }
        }
    };
    for who in 0..8 {
        for token in [quire_core::token::TokenId::ETH, common::USDC, common::DAI] {
            let op = w.deposit(who, token, 1_000_000_000_000);
            run(&mut w, op);
        }
    }
    for c in choices {
        let op = w.build(c);
        run(&mut w, op);
    }
    (w.state, pubdata, queue)
}

fn replay(pubdata: &[u8], queue: &[PriorityOp]) -> Result<State, BatchReplayError> {
    let mut state = State::genesis(&common::genesis()).unwrap();
    state.replay_batch(pubdata, &mut queue.iter().cloned())?;
    Ok(state)
}

/// Byte offsets of a withdrawal's L1 recipient: not part of the L2 state (L1 pays it from
/// the pubdata, whose keccak commitment the proof binds), so flipping one changes no root.
fn l1_recipient_bytes(pubdata: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    for op in decode_batch(pubdata).unwrap() {
        let len = quire_core::tx::pubdata::size(op.op_type());
        if let StatedOp::Withdraw { .. } = op {
            out.extend(at + 15..at + 35);
        }
        if let StatedOp::FullExit { .. } = op {
            out.extend(at + 13..at + 33);
        }
        at += len;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn replay_rebuilds_the_executed_state(choices in prop::collection::vec(op_choice(), 1..60)) {
        let (mut executed, pubdata, queue) = execute(&choices);
        let mut rebuilt = replay(&pubdata, &queue).unwrap();
        prop_assert_eq!(rebuilt.root(), executed.root());
        prop_assert_eq!(rebuilt.num_accounts(), executed.num_accounts());
        prop_assert_eq!(rebuilt.next_priority_id(), executed.next_priority_id());
    }

    #[test]
    fn tampered_pubdata_is_refused_or_changes_the_root(
        choices in prop::collection::vec(op_choice(), 1..40),
        at in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let (mut executed, mut pubdata, queue) = execute(&choices);
        let i = at.index(pubdata.len());
        prop_assume!(!l1_recipient_bytes(&pubdata).contains(&i));
        pubdata[i] ^= 1 << bit;
        if let Ok(mut rebuilt) = replay(&pubdata, &queue) {
            prop_assert_ne!(rebuilt.root(), executed.root());
        }
    }
}

#[test]
fn a_deposit_without_a_queued_priority_operation_is_refused() {
    let (_, pubdata, queue) = execute(&[]);
    let err = replay(&pubdata, &queue[..queue.len() - 1]).unwrap_err();
    assert!(
        matches!(
            err,
            BatchReplayError::Op {
                error: ReplayError::MissingPriorityOp(23),
                index: 23,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn an_unknown_op_type_is_malformed() {
    let (_, mut pubdata, queue) = execute(&[]);
    pubdata.push(0x42);
    let err = replay(&pubdata, &queue).unwrap_err();
    assert_eq!(
        err,
        BatchReplayError::Malformed(DecodeError::UnknownOpType {
            byte: 0x42,
            offset: 24 * 14
        })
    );
}

#[test]
fn every_operation_kind_replays() {
    let c = |kind, who, other, token, amount| OpChoice {
        kind,
        who,
        other,
        token,
        amount,
        fee: 0,
        corruption: 0,
    };
    let choices = [
        c(7, 0, 0, 0, 1_000_000), // first liquidity, locks MINIMUM_LIQUIDITY
        c(7, 1, 0, 0, 333_333),   // a second, off ratio: taken amounts < maxima
        c(5, 2, 0, 0, 10_000),    // swap token A in
        c(6, 3, 0, 1, 7_777),     // swap token B in
        c(8, 1, 0, 1, 0),         // remove half of the shares held
        c(2, 4, 5, 1, 12_345),    // transfer
        c(4, 5, 0, 2, 999),       // withdraw
        c(1, 4, 0, 1, 0),         // full exit
    ];
    let (mut executed, pubdata, queue) = execute(&choices);
    let kinds: std::collections::BTreeSet<u8> = decode_batch(&pubdata)
        .unwrap()
        .iter()
        .map(|op| op.op_type() as u8)
        .collect();
    assert_eq!(kinds, (1..=7).collect(), "every kind executed");
    let mut rebuilt = replay(&pubdata, &queue).unwrap();
    assert_eq!(rebuilt.root(), executed.root());
}

#[test]
fn a_fee_spelled_another_way_is_malformed() {
    // A transfer with fee 10, packed canonically, then as mantissa 1 × 10^1.
    let choices = [OpChoice {
        kind: 2,
        who: 0,
        other: 1,
        token: 0,
        amount: 5,
        fee: 10,
        corruption: 0,
    }];
    let (_, mut pubdata, queue) = execute(&choices);
    assert!(replay(&pubdata, &queue).is_ok());
    let fee_at = pubdata.len() - 2;
    let canonical = u16::from_be_bytes([pubdata[fee_at], pubdata[fee_at + 1]]);
    assert_eq!(quire_core::tx::packing::unpack_fee(canonical), Some(10));
    let other: u16 = (1 << 5) | 1;
    assert_eq!(quire_core::tx::packing::unpack_fee(other), Some(10));
    pubdata[fee_at..].copy_from_slice(&other.to_be_bytes());
    let err = replay(&pubdata, &queue).unwrap_err();
    assert!(
        matches!(err, BatchReplayError::Malformed(DecodeError::Fee { .. })),
        "{err:?}"
    );
}
