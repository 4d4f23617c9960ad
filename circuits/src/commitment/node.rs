//! A segment node: two proofs of the same child (a segment, or a node of the level below)
//! joined into one with the same [`SegmentIo`] layout, so nodes stack.
//!
//! The left child must end where the right one starts: every chained `_out` of the left is
//! connected to the right's `_in`, and both must use the same γ and stream length. Shares
//! (`rhs`, `lhs`, `len`, `pubdata`) add up; the record digests combine as the chunk
//! aggregation tree combines them.

use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::Target;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;

use super::io::SegmentIo;
use crate::gadgets::{D, F};
use crate::recursion::BinaryNode;
use crate::C;

/// One level of the segment tree: a [`BinaryNode`] whose children chain.
pub type SegmentNode = BinaryNode;

fn connect_all(b: &mut CircuitBuilder<F, D>, xs: &[Target], ys: &[Target]) {
    for (&x, &y) in xs.iter().zip(ys) {
        b.connect(x, y);
    }
}

fn add_all<const N: usize>(
    b: &mut CircuitBuilder<F, D>,
    x: &[Target; N],
    y: &[Target; N],
) -> [Target; N] {
    core::array::from_fn(|i| b.add(x[i], y[i]))
}

/// A node over two proofs of `child` (a segment, or a node of the level below); its
/// verifier data is a constant of the circuit.
pub fn segment_node(child: &CircuitData<F, C, D>) -> SegmentNode {
    BinaryNode::build(child, "commitment segment node", |b, l, r| {
        let l = SegmentIo::from_slice(l);
        let r = SegmentIo::from_slice(r);
        connect_all(b, &l.gamma, &r.gamma);
        b.connect(l.total_len, r.total_len);
        b.connect(l.pos[1], r.pos[0]);
        connect_all(b, &l.shift_out, &r.shift_in);
        connect_all(b, &l.pow_out, &r.pow_in);
        connect_all(b, &l.state_out, &r.state_in);
        b.connect(l.hits_out, r.hits_in);
        connect_all(b, &l.prio_out, &r.prio_in);
        let digest = b.hash_n_to_hash_no_pad::<PoseidonHash>(
            l.digest.iter().chain(&r.digest).copied().collect(),
        );
        let io = SegmentIo {
            digest: digest.elements,
            gamma: l.gamma,
            total_len: l.total_len,
            pos: [l.pos[0], r.pos[1]],
            shift_in: l.shift_in,
            shift_out: r.shift_out,
            rhs: add_all(b, &l.rhs, &r.rhs),
            pow_in: l.pow_in,
            pow_out: r.pow_out,
            lhs: add_all(b, &l.lhs, &r.lhs),
            len: b.add(l.len, r.len),
            state_in: l.state_in,
            state_out: r.state_out,
            hits_in: l.hits_in,
            hits_out: r.hits_out,
            pubdata: add_all(b, &l.pubdata, &r.pubdata),
            prio_in: l.prio_in,
            prio_out: r.prio_out,
        };
        io.to_vec()
    })
}

/// The native twin of [`SegmentNode`]'s public inputs (the chained values are taken from
/// the left child's inputs and the right child's outputs; the node circuit checks they
/// meet).
pub fn combine(l: &SegmentIo<F>, r: &SegmentIo<F>) -> SegmentIo<F> {
    let add = |x: &[F], y: &[F]| -> Vec<F> { x.iter().zip(y).map(|(a, b)| *a + *b).collect() };
    let arr2 = |v: Vec<F>| -> [F; 2] { [v[0], v[1]] };
    let arr8 = |v: Vec<F>| -> [F; 8] { core::array::from_fn(|i| v[i]) };
    let input: Vec<F> = l.digest.iter().chain(&r.digest).copied().collect();
    SegmentIo {
        digest: quire_core::plonky2_interop::hash_plonky2(&input),
        gamma: l.gamma,
        total_len: l.total_len,
        pos: [l.pos[0], r.pos[1]],
        shift_in: l.shift_in,
        shift_out: r.shift_out,
        rhs: arr2(add(&l.rhs, &r.rhs)),
        pow_in: l.pow_in,
        pow_out: r.pow_out,
        lhs: arr2(add(&l.lhs, &r.lhs)),
        len: l.len + r.len,
        state_in: l.state_in,
        state_out: r.state_out,
        hits_in: l.hits_in,
        hits_out: r.hits_out,
        pubdata: arr8(add(&l.pubdata, &r.pubdata)),
        prio_in: l.prio_in,
        prio_out: r.prio_out,
    }
}
