//! A segment node: two proofs of the same child (a segment, or a node of the level below)
//! joined into one with the same [`SegmentIo`] layout, so nodes stack.
//!
//! The left child must end where the right one starts: every chained `_out` of the left is
//! connected to the right's `_in`, and both must use the same γ and stream length. Shares
//! (`rhs`, `lhs`, `len`, `pubdata`) add up; the record digests combine as the chunk
//! aggregation tree combines them.

use std::time::Instant;

use anyhow::Result;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::{ProofWithPublicInputs, ProofWithPublicInputsTarget};

use super::io::SegmentIo;
use crate::gadgets::{D, F};
use crate::C;

/// One level of the segment tree.
pub struct SegmentNode {
    /// The node circuit.
    pub data: CircuitData<F, C, D>,
    left: ProofWithPublicInputsTarget<D>,
    right: ProofWithPublicInputsTarget<D>,
    /// Rows before `build`.
    pub rows: usize,
}

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

impl SegmentNode {
    /// A node over two proofs of `child`; its verifier data is a constant of the circuit.
    pub fn build(child: &CircuitData<F, C, D>) -> Self {
        let mut b = CircuitBuilder::<F, D>::new(crate::config::circuit_config());
        let vd = b.constant_verifier_data::<C>(&child.verifier_only);
        let left = b.add_virtual_proof_with_pis(&child.common);
        let right = b.add_virtual_proof_with_pis(&child.common);
        b.verify_proof::<C>(&left, &vd, &child.common);
        b.verify_proof::<C>(&right, &vd, &child.common);
        let l = SegmentIo::from_slice(&left.public_inputs);
        let r = SegmentIo::from_slice(&right.public_inputs);
        connect_all(&mut b, &l.gamma, &r.gamma);
        b.connect(l.total_len, r.total_len);
        b.connect(l.pos[1], r.pos[0]);
        connect_all(&mut b, &l.shift_out, &r.shift_in);
        connect_all(&mut b, &l.pow_out, &r.pow_in);
        connect_all(&mut b, &l.state_out, &r.state_in);
        b.connect(l.hits_out, r.hits_in);
        connect_all(&mut b, &l.prio_out, &r.prio_in);
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
            rhs: add_all(&mut b, &l.rhs, &r.rhs),
            pow_in: l.pow_in,
            pow_out: r.pow_out,
            lhs: add_all(&mut b, &l.lhs, &r.lhs),
            len: b.add(l.len, r.len),
            state_in: l.state_in,
            state_out: r.state_out,
            hits_in: l.hits_in,
            hits_out: r.hits_out,
            pubdata: add_all(&mut b, &l.pubdata, &r.pubdata),
            prio_in: l.prio_in,
            prio_out: r.prio_out,
        };
        b.register_public_inputs(&io.to_vec());
        let rows = b.num_gates();
        Self {
            data: b.build::<C>(),
            left,
            right,
            rows,
        }
    }

    /// Proves the node over two child proofs.
    pub fn prove(
        &self,
        left: &ProofWithPublicInputs<F, C, D>,
        right: &ProofWithPublicInputs<F, C, D>,
    ) -> Result<ProofWithPublicInputs<F, C, D>> {
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.left, left)?;
        pw.set_proof_with_pis_target(&self.right, right)?;
        let start = Instant::now();
        let p = self.data.prove(pw)?;
        log::info!("commitment segment node proven in {:?}", start.elapsed());
        Ok(p)
    }
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
        digest: quire_core::hash::hash_elements(&input).elements(),
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
