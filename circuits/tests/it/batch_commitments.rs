//! D9's keccak commitments in-circuit: the commitment circuit against the native
//! `pubdata_commitment` / `priority_commitment` on a batch with deposits (one into an
//! existing account), a full exit, a transfer, liquidity, a swap and padding; tampered
//! witnesses (a pubdata byte, a reordering, a wrong length, a priority operation past the
//! shape's priority slots, a wrong deposit key, bytes past the stream in a later window)
//! fail to prove, in one segment and in four chained ones (whose segment and node proofs
//! match their native twins); the whole stack (chunks, aggregation, commitment, batch node,
//! wrapper) exposes exactly `Rollup.batchPublicInputs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::fixtures::*;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use plonky2::field::types::{Field, PrimeField64};
use quire_circuits::commitment::native::segment_witnesses;
use quire_circuits::commitment::node::combine;
use quire_circuits::commitment::{native_public_inputs, CommitmentCircuit, CommitmentWitness};
use quire_circuits::gadgets::F;
use quire_circuits::step::{StepParams, MAX_PUBDATA};
use quire_circuits::witness::{self, BatchWitness};
use quire_circuits::BatchCircuits;
use quire_circuits::{batch_public_inputs, BatchShape};
use quire_core::token::TokenId;
use quire_core::tx::{
    priority_commitment, AddLiquidity, FullExit, L2Tx, Operation, PriorityOp, Swap, Transfer,
};

/// Two chunks of four, four priority slots (as the devnet's priority limit).
const SHAPE: BatchShape = BatchShape {
    chunk_steps: 4,
    levels: 1,
    max_priority: 4,
    segment_levels: 0,
};

/// The same eight steps as four chunks of two, committed in four segments of two steps
/// (two priority slots each, one keccak block per window): the stream crosses windows.
const SEGMENTED: BatchShape = BatchShape {
    chunk_steps: 2,
    levels: 2,
    max_priority: 4,
    segment_levels: 2,
};

/// Deposits (opening K0 and K1, then into K0 again), a full exit, a transfer, a first
/// liquidity, a swap; padded with one padding step.
fn ops() -> Vec<Operation> {
    vec![
        deposit(0, 0, TokenId::ETH, 1_000_000),
        deposit(1, 1, TokenId::ETH, 500_000),
        deposit(2, 0, USDC, 2_000_000),
        Operation::Priority(PriorityOp::FullExit(FullExit {
            priority_id: 3,
            account: id(K1),
            owner: owner(1),
            token: USDC,
        })),
        signed(
            0,
            L2Tx::Transfer(Transfer {
                from: id(K0),
                to: id(K1),
                token: TokenId::ETH,
                amount: 1000,
                fee: 20_000,
                nonce: 0,
            }),
        ),
        signed(
            0,
            L2Tx::AddLiquidity(AddLiquidity {
                account: id(K0),
                pool: id(POOL),
                max_amount_a: 100_000,
                max_amount_b: 400_000,
                min_shares: 1,
                fee: 10,
                nonce: 1,
            }),
        ),
        signed(
            1,
            L2Tx::Swap(Swap {
                account: id(K1),
                pool: id(POOL),
                token_in: TokenId::ETH,
                amount_in: 10_000,
                min_amount_out: 1,
                fee: 5,
                nonce: 0,
            }),
        ),
    ]
}

fn params() -> StepParams {
    let (state, _) = witness::genesis(&genesis()).unwrap();
    StepParams::from_state(&state)
}

fn replay(ops: &[Operation]) -> BatchWitness {
    let (mut state, mut shadow) = witness::genesis(&genesis()).unwrap();
    let mut w = witness::replay_batch(&mut state, &mut shadow, ops, None).unwrap();
    w.pad_to_multiple(SHAPE.capacity(), &mut shadow).unwrap();
    w
}

fn batch() -> &'static BatchWitness {
    static W: OnceLock<BatchWitness> = OnceLock::new();
    W.get_or_init(|| replay(&ops()))
}

fn build(shape: BatchShape) -> CommitmentCircuit {
    let c = CommitmentCircuit::build(&shape);
    eprintln!(
        "commitment circuits ({shape:?}): segment {} rows (degree {}), {} node levels, root {} rows",
        c.segment.rows,
        c.segment.data.common.degree(),
        c.nodes.len(),
        c.root.rows,
    );
    c
}

fn circuit() -> &'static CommitmentCircuit {
    static C: OnceLock<CommitmentCircuit> = OnceLock::new();
    C.get_or_init(|| build(SHAPE))
}

fn segmented() -> &'static CommitmentCircuit {
    static C: OnceLock<CommitmentCircuit> = OnceLock::new();
    C.get_or_init(|| build(SEGMENTED))
}

fn proves_with(c: &CommitmentCircuit, w: &CommitmentWitness) -> bool {
    match catch_unwind(AssertUnwindSafe(|| c.prove_witness(w))) {
        Ok(Ok(p)) => c.data().verify(p).is_ok(),
        _ => false,
    }
}

fn proves(w: &CommitmentWitness) -> bool {
    proves_with(circuit(), w)
}

fn honest() -> CommitmentWitness {
    CommitmentWitness::from_steps(&SHAPE, &batch().steps).unwrap()
}

fn honest_segmented() -> CommitmentWitness {
    CommitmentWitness::from_steps(&SEGMENTED, &batch().steps).unwrap()
}

fn pubdata(w: &BatchWitness) -> Vec<u8> {
    w.steps.iter().flat_map(|s| s.pubdata().to_vec()).collect()
}

fn priority_ops() -> Vec<PriorityOp> {
    ops()
        .into_iter()
        .filter_map(|o| match o {
            Operation::Priority(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn words(d: &[u8; 32]) -> Vec<u64> {
    d.chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as u64)
        .collect()
}

fn to_u64(xs: &[F]) -> Vec<u64> {
    xs.iter().map(|x| x.to_canonical_u64()).collect()
}

/// The commitment root's outputs equal the native commitments (and the native twin of
/// the whole public-input vector); for four segments see
/// segments_and_nodes_match_their_native_twins.
#[test]
fn commitments_match_native() {
    let w = batch();
    assert!(w.steps.last().unwrap().op.is_none(), "the batch is padded");
    let c = circuit();
    let p = c.prove(&w.steps).unwrap();
    let pis = to_u64(&p.public_inputs);
    assert_eq!(pis, to_u64(&native_public_inputs(&SHAPE, &w.steps)));
    assert_eq!(
        pis[4..12],
        words(&quire_core::hash::keccak256(&pubdata(w)))[..]
    );
    assert_eq!(
        pis[12..20],
        words(&priority_commitment(&priority_ops()))[..]
    );
    assert_ne!(pis[12..20], [0u64; 8][..]);
    c.data().verify(p).unwrap();
}

/// Each segment proof exposes its native twin's public inputs, and so does each node
/// (the twin of a node combines its children's); the stream really crosses windows, and
/// the priority fold really continues from one segment into the next; the root exposes
/// the native commitments. (This is also the honest control of segmented_tampering_fails:
/// the same witnesses and circuits that `prove_witness` uses.)
#[test]
fn segments_and_nodes_match_their_native_twins() {
    let c = segmented();
    let cw = honest_segmented();
    let window = quire_circuits::commitment::SegmentShape::of(&SEGMENTED).window_bytes();
    assert!(
        cw.len > window,
        "{} bytes fit one window of {window}",
        cw.len
    );
    let segs = segment_witnesses(&SEGMENTED, &cw).unwrap();
    assert_eq!(segs.len(), 4);
    assert_ne!(segs[1].io.prio_in, segs[1].io.prio_out, "segment 1 folds");
    assert_ne!(segs[1].io.prio_in, [F::ZERO; 8], "from segment 0's fold");
    let mut level: Vec<_> = segs
        .iter()
        .map(|s| {
            let p = c.segment.prove(s).unwrap();
            assert_eq!(to_u64(&p.public_inputs), to_u64(&s.io.to_vec()));
            (p, s.io.clone())
        })
        .collect();
    for node in &c.nodes {
        level = level
            .chunks(2)
            .map(|pair| {
                let (l, r) = (&pair[0], &pair[1]);
                let p = node.prove(&l.0, &r.0).unwrap();
                let twin = combine(&l.1, &r.1);
                assert_eq!(to_u64(&p.public_inputs), to_u64(&twin.to_vec()));
                (p, twin)
            })
            .collect();
    }
    let root = c.root.prove(&level[0].0).unwrap();
    assert_eq!(
        to_u64(&root.public_inputs),
        to_u64(&native_public_inputs(&SEGMENTED, &batch().steps))
    );
    c.data().verify(root).unwrap();
}

/// Tampering across segments: a byte in the second window, a nonzero byte past the stream
/// in the last window, two swapped records in different segments.
#[test]
fn segmented_tampering_fails() {
    let c = segmented();
    let window = quire_circuits::commitment::SegmentShape::of(&SEGMENTED).window_bytes();
    let mut w = honest_segmented();
    w.stream[window + 1] ^= 1;
    assert!(!proves_with(c, &w), "a byte in window 1");
    let mut w = honest_segmented();
    let last = w.stream.len() - 1;
    w.stream[last] = 1;
    assert!(!proves_with(c, &w), "a byte past the stream");
    // (T ± 1 goes through the same root check as in one segment: see
    // stream_differing_from_the_records_fails.)
    // The transfer (segment 2) and the full exit (segment 1) swapped in the stream.
    let steps = &batch().steps;
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.swap(3, 4);
    let mut w = honest_segmented();
    let mut s: Vec<u8> = order
        .iter()
        .flat_map(|&i| steps[i].pubdata().to_vec())
        .collect();
    s.resize(w.stream.len(), 0);
    assert_ne!(s, w.stream);
    w.stream = s;
    assert!(!proves_with(c, &w), "records swapped across segments");
}

#[test]
fn stream_differing_from_the_records_fails() {
    // One byte.
    let mut w = honest();
    w.stream[20] ^= 1;
    assert!(!proves(&w));
    // Two records swapped (the transfer before the last deposit), same bytes and length.
    let steps = &batch().steps;
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.swap(2, 4);
    let mut w = honest();
    let mut s: Vec<u8> = order
        .iter()
        .flat_map(|&i| steps[i].pubdata().to_vec())
        .collect();
    s.resize(w.stream.len(), 0);
    assert_ne!(s, w.stream);
    w.stream = s;
    assert!(!proves(&w));
    // A wrong length: one byte short, one byte long (a zero byte appended).
    for delta in [-1i64, 1] {
        let mut w = honest();
        w.len = (w.len as i64 + delta) as usize;
        assert!(!proves(&w), "len {delta:+}");
    }
    // Control: the honest witness proves through the same path.
    assert!(proves(&honest()));
}

#[test]
fn priority_operation_past_the_priority_slots_fails() {
    // A fifth deposit, at position 7 (the shape has four priority slots).
    let mut o = ops();
    o.push(deposit(4, 1, TokenId::ETH, 7));
    let w = replay(&o);
    let cw = CommitmentWitness::from_steps(&SHAPE, &w.steps).unwrap();
    assert!(!proves(&cw));
}

/// The whole stack on the batch: its 24 public inputs are `Rollup.batchPublicInputs` of
/// the stored batch; a commitment proof over a record with a wrong deposit key (or a
/// wrong priority id) does not pass the batch node.
#[test]
fn wrapper_exposes_rollup_public_inputs() {
    let w = batch();
    let circuits = BatchCircuits::build(&params(), SHAPE);
    eprintln!(
        "chunk {} rows, node {} rows, commitment segment {} rows, batch node {} rows, wrapper {} rows",
        circuits.chunk.rows,
        circuits.nodes[0].rows,
        circuits.commitment.segment.rows,
        circuits.batch.rows,
        circuits.wrapper.rows
    );
    // The pipeline in its two halves, so that the aggregation's top proof serves the
    // tampering case below too (prove_steps is exactly these two calls).
    let top = circuits
        .prove_aggregation(&w.steps, &quire_circuits::NoHooks)
        .unwrap();
    let wp = circuits
        .prove_from_top(&top, &w.steps, &quire_circuits::NoHooks)
        .unwrap();
    let expected = batch_public_inputs(
        &w.old_root,
        &w.steps.last().unwrap().root_after,
        &quire_core::hash::keccak256(&pubdata(w)),
        &priority_commitment(&priority_ops()),
    );
    let pis: Vec<u64> = wp
        .public_inputs
        .iter()
        .map(|x| x.to_canonical_u64())
        .collect();
    assert_eq!(pis, expected);
    let bytes = circuits.encode(&wp).unwrap();
    circuits.verify(&bytes, &pis).unwrap();
    let mut other = pis.clone();
    other[10] ^= 1;
    assert!(circuits.verify(&bytes, &other).is_err());

    // A wrong key in the first deposit's record: the commitment proof exists, the batch
    // node rejects it (its digest is not the chunks').
    let mut cw = CommitmentWitness::from_steps(&SHAPE, &w.steps).unwrap();
    cw.records[0][MAX_PUBDATA + 1] += F::ONE;
    let bad = circuits.commitment.prove_witness(&cw).unwrap();
    let res = catch_unwind(AssertUnwindSafe(|| circuits.batch.prove(&top, &bad)));
    assert!(!matches!(res, Ok(Ok(_))));
}
