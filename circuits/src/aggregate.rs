//! Binary recursion over chunk proofs, and the EVM wrapper proof.
//!
//! An aggregation node verifies two proofs of the same child circuit (a chunk, or a node of
//! the level below), asserts that the left proof's new root is the right proof's old root,
//! and exposes (left old root, right new root, Poseidon(left digest ‖ right digest)): the
//! same 12 public inputs as a chunk, so levels stack. The child's verifier data is a
//! constant of the node circuit, so only proofs of that exact child circuit are accepted.
//!
//! The [`BatchNode`] verifies the top node's proof (or the one chunk's) and the batch's
//! commitment proof ([`crate::commitment`]), connects their record digests, and exposes
//! D9's 24 public inputs in `Rollup.batchPublicInputs`'s order: old root limbs (4), new
//! root limbs (4), the pubdata commitment's eight big-endian u32 words, the priority
//! commitment's. A root limb `i` is `Digest` element `i`, the `i`-th big-endian u64 of
//! `Digest::to_l1_bytes32`, which is how the contract splits the `bytes32`.
//!
//! The wrapper verifies the batch node's proof in a circuit built for
//! `KeccakGoldilocksConfig` with high-rate FRI ([`wrapper_config`]), which makes a proof
//! that an EVM verifier checks cheaply (keccak Merkle paths, few queries), and re-exposes
//! its 24 public inputs. Its verifier data depends on the whole stack: chain id and pool
//! table (the steps), and the [`crate::BatchShape`].

use std::time::Instant;

use anyhow::Result;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::{ProofWithPublicInputs, ProofWithPublicInputsTarget};

use crate::config::{circuit_config, wrapper_config, WrapperConfig, C};
use crate::gadgets::{D, F};
use crate::recursion::BinaryNode;

/// One aggregation level: a [`BinaryNode`] whose two children's roots chain.
pub type AggregationNode = BinaryNode;

/// A node over two proofs of `child` (a chunk, or a node of the level below): the left
/// proof's new root must be the right proof's old root; it exposes (left old root, right
/// new root, Poseidon(left digest ‖ right digest)), the 12 public inputs of a chunk.
pub fn aggregation_node(child: &CircuitData<F, C, D>) -> AggregationNode {
    BinaryNode::build(child, "aggregation node", |b, l, r| {
        for i in 0..4 {
            b.connect(l[4 + i], r[i]);
        }
        let digest = b.hash_n_to_hash_no_pad::<PoseidonHash>(
            l[8..12].iter().chain(&r[8..12]).copied().collect(),
        );
        let mut out = l[0..4].to_vec();
        out.extend(&r[4..8]);
        out.extend(digest.elements);
        out
    })
}

/// Number of public inputs of a batch node (and of the wrapper): D9's 24.
pub const BATCH_PUBLIC_INPUTS: usize = 24;

/// The batch node: the top aggregation proof and the commitment proof of one batch.
pub struct BatchNode {
    /// The node circuit.
    pub data: CircuitData<F, C, D>,
    top: ProofWithPublicInputsTarget<D>,
    commitment: ProofWithPublicInputsTarget<D>,
    /// Rows before `build`.
    pub rows: usize,
}

impl BatchNode {
    /// A node over a proof of `top` (the top aggregation node, or the chunk) and one of
    /// `commitment`; both verifier datas are constants of the circuit.
    pub fn build(top: &CircuitData<F, C, D>, commitment: &CircuitData<F, C, D>) -> Self {
        let mut b = CircuitBuilder::<F, D>::new(circuit_config());
        let vd_top = b.constant_verifier_data::<C>(&top.verifier_only);
        let vd_com = b.constant_verifier_data::<C>(&commitment.verifier_only);
        let t = b.add_virtual_proof_with_pis(&top.common);
        let c = b.add_virtual_proof_with_pis(&commitment.common);
        b.verify_proof::<C>(&t, &vd_top, &top.common);
        b.verify_proof::<C>(&c, &vd_com, &commitment.common);
        for i in 0..4 {
            b.connect(t.public_inputs[8 + i], c.public_inputs[i]);
        }
        b.register_public_inputs(&t.public_inputs[0..8]);
        b.register_public_inputs(&c.public_inputs[4..20]);
        let rows = b.num_gates();
        Self {
            data: b.build::<C>(),
            top: t,
            commitment: c,
            rows,
        }
    }

    /// Proves the node over the batch's top proof and its commitment proof.
    pub fn prove(
        &self,
        top: &ProofWithPublicInputs<F, C, D>,
        commitment: &ProofWithPublicInputs<F, C, D>,
    ) -> Result<ProofWithPublicInputs<F, C, D>> {
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.top, top)?;
        pw.set_proof_with_pis_target(&self.commitment, commitment)?;
        let start = Instant::now();
        let p = self.data.prove(pw)?;
        log::info!("batch node proven in {:?}", start.elapsed());
        Ok(p)
    }
}

/// The EVM wrapper circuit.
pub struct Wrapper {
    /// The wrapper circuit (keccak config).
    pub data: CircuitData<F, WrapperConfig, D>,
    inner: ProofWithPublicInputsTarget<D>,
    /// Rows before `build`.
    pub rows: usize,
}

impl Wrapper {
    /// A wrapper around proofs of `inner` (the batch node; a chunk in
    /// [`wrapper_for_tests`]), re-exposing its public inputs.
    pub fn build(inner: &CircuitData<F, C, D>) -> Self {
        let mut b = CircuitBuilder::<F, D>::new(wrapper_config());
        let vd = b.constant_verifier_data::<C>(&inner.verifier_only);
        let proof = b.add_virtual_proof_with_pis(&inner.common);
        b.verify_proof::<C>(&proof, &vd, &inner.common);
        b.register_public_inputs(&proof.public_inputs);
        let rows = b.num_gates();
        Self {
            data: b.build::<WrapperConfig>(),
            inner: proof,
            rows,
        }
    }

    /// Wraps one proof.
    pub fn prove(
        &self,
        inner: &ProofWithPublicInputs<F, C, D>,
    ) -> Result<ProofWithPublicInputs<F, WrapperConfig, D>> {
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.inner, inner)?;
        let start = Instant::now();
        let p = self.data.prove(pw)?;
        log::info!("wrapper proven in {:?}", start.elapsed());
        Ok(p)
    }
}

/// For the on-chain verifier generator (issue #7) and its tests: a wrapper circuit over a
/// one-step chunk of chain 7 and a proof of it (a padding step at the genesis root of a
/// small genesis). Takes a few seconds in release, longer in the dev profile.
pub fn wrapper_for_tests() -> Result<(
    CircuitData<F, WrapperConfig, D>,
    ProofWithPublicInputs<F, WrapperConfig, D>,
)> {
    use quire_core::account::Address;
    use quire_core::schnorr::SecretKey;
    use quire_core::state::Genesis;

    let g = Genesis {
        chain_id: 7,
        operator: SecretKey::from_seed(b"operator").public_key(),
        operator_l1: Address([0xee; 20]),
        tokens: vec![],
        pools: vec![],
    };
    let (mut state, mut shadow) = crate::witness::genesis(&g)?;
    let mut w = crate::witness::replay_batch(&mut state, &mut shadow, &[], None)?;
    w.pad_to_multiple(1, &mut shadow)?;
    let chunk = super::chunk::ChunkCircuit::build(g.chain_id, 1);
    let inner = chunk.prove(&w.steps)?;
    let wrapper = Wrapper::build(&chunk.data);
    let proof = wrapper.prove(&inner)?;
    wrapper.data.verify(proof.clone())?;
    Ok((wrapper.data, proof))
}
