//! The per-batch commitment circuit: D9's keccak-256 pubdata and priority commitments,
//! computed from the same step records the chunks hash, so no chunk pays for a keccak.
//!
//! Witness: every step's record ([`RECORD_LEN`] elements, as in the chunk digest), the
//! compacted pubdata stream `S` (at most 35·N bytes) and its length `T`, and one 8-byte
//! priority id per priority slot. The circuit
//!
//! 1. recomputes the chunk digests and the aggregation tree's Poseidon combination exactly
//!    as [`super::chunk`] and [`super::aggregate`] do, and exposes the top digest; the batch
//!    node connects it to the top aggregation proof's, so the records are the proven steps';
//! 2. proves `S` is the concatenation of each record's first `len_i` bytes, `T = Σ len_i`,
//!    `S` zero past `T`, by one random evaluation in the quadratic extension:
//!    `Σ_j S_j·γ^j = Σ_i γ^{off_i}·Σ_t b_{i,t}·γ^t`, `off_{i+1} = off_i + len_i` (a step's
//!    bytes past its length are zero by construction). `γ` is Poseidon(`S` ‖ top digest),
//!    computed after everything it binds (the top digest binds every record); both sides
//!    are polynomials of degree < 35·N, so a false identity holds with probability
//!    ≤ 35·N / |F_{p²}|;
//! 3. computes keccak-256(`S[..T]`) (variable length, [`CircuitBuilderKeccak::keccak256_var`])
//!    and the priority fold `c₀ = 0`, `cᵢ = keccak256(cᵢ₋₁ ‖ opHashᵢ)` over the first
//!    `max_priority` steps: the op byte of the record selects the canonical encoding
//!    (`contracts/src/lib/PriorityOps.sol`) of a Deposit (78 bytes: op, id, sender, key,
//!    token, amount) or a FullExit (34 bytes: op, id, account, owner, token), one keccak
//!    block each; other steps leave `c` unchanged; steps past `max_priority` are asserted
//!    not to be priority kinds.
//!
//! Priority ids are free witness bytes: L1 compares the fold with its queue's own
//! operation hashes, so ids that hash to them are forced by collision resistance; the key
//! and sender of a deposit come from the step record (the key is what the deposit credits).
//!
//! Public inputs (20): top record digest (4), pubdata commitment as eight big-endian u32
//! words (8), priority commitment likewise (8).

use std::time::Instant;

use anyhow::{ensure, Result};
use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;
use quire_core::tx::{OpType, Operation, PriorityOp};

use super::chunk::step_record;
use super::keccak::CircuitBuilderKeccak;
use super::step::{CircuitBuilderU63, MAX_PUBDATA, RECORD_LEN};
use super::{BatchShape, C};
use crate::gadgets::{D, F};
use crate::witness::StepWitness;

/// Number of public inputs of a commitment proof.
pub const COMMITMENT_PUBLIC_INPUTS: usize = 20;

/// Byte offsets inside a record (the step's pubdata layout, `core/src/tx/pubdata.rs`).
mod at {
    /// Deposit / FullExit: account (3 bytes).
    pub const ACCOUNT: usize = 1;
    /// Deposit / FullExit: token.
    pub const TOKEN: usize = 4;
    /// Deposit: amount (8 bytes).
    pub const AMOUNT: usize = 5;
    /// FullExit: owner (20 bytes).
    pub const OWNER: usize = 13;
    /// Deposit key limbs (5), after the bytes and the length.
    pub const KEY: usize = super::MAX_PUBDATA + 1;
    /// Deposit sender limbs (5).
    pub const FROM: usize = KEY + 5;
}

/// Bytes of a Deposit's canonical encoding.
const DEPOSIT_BYTES: usize = 78;
/// Bytes of a FullExit's canonical encoding.
const FULL_EXIT_BYTES: usize = 34;

/// A built commitment circuit for one [`BatchShape`].
pub struct CommitmentCircuit {
    /// The circuit.
    pub data: CircuitData<F, C, D>,
    /// The shape it was built for.
    pub shape: BatchShape,
    records: Vec<Vec<Target>>,
    stream: Vec<Target>,
    len: Target,
    priority_ids: Vec<Vec<Target>>,
    /// Rows before `build`.
    pub rows: usize,
}

/// The witness of a commitment proof, natively: derived from the batch's steps by
/// [`CommitmentWitness::from_steps`]; public so soundness tests can tamper with it.
#[derive(Clone, Debug)]
pub struct CommitmentWitness {
    /// One record per step.
    pub records: Vec<Vec<F>>,
    /// The compacted pubdata stream, zero-padded to 35·N bytes.
    pub stream: Vec<u8>,
    /// Its length.
    pub len: usize,
    /// The priority id of each of the first `max_priority` steps (0 for other kinds).
    pub priority_ids: Vec<u64>,
}

impl CommitmentWitness {
    /// The honest witness of `steps` (exactly the shape's capacity, padded).
    pub fn from_steps(shape: &BatchShape, steps: &[StepWitness]) -> Result<Self> {
        ensure!(
            steps.len() == shape.capacity(),
            "commitment circuit needs {} steps, got {}",
            shape.capacity(),
            steps.len()
        );
        let mut stream = Vec::with_capacity(MAX_PUBDATA * steps.len());
        for s in steps {
            stream.extend_from_slice(s.pubdata());
        }
        let len = stream.len();
        stream.resize(MAX_PUBDATA * steps.len(), 0);
        let priority_ids = steps
            .iter()
            .take(shape.priority_slots())
            .map(|s| match &s.op {
                Some(Operation::Priority(p)) => p.priority_id(),
                _ => 0,
            })
            .collect();
        Ok(Self {
            records: steps.iter().map(step_record).collect(),
            stream,
            len,
            priority_ids,
        })
    }
}

/// `x` (a canonical field element) as 8 little-endian bytes: a 64-bit split plus the
/// canonicity check (high half all ones ⇒ low half zero), since a bare 64-bit split also
/// accepts `x + p` for `x < 2^32 − 1`.
fn bytes_le_canonical(b: &mut CircuitBuilder<F, D>, x: Target) -> Vec<Target> {
    let bits = b.split_le(x, 64);
    let lo = b.le_sum(bits[..32].iter());
    let hi = b.le_sum(bits[32..].iter());
    let max = b.constant(F::from_canonical_u64(u32::MAX as u64));
    let hi_max = b.is_equal(hi, max);
    let bad = b.mul(hi_max.target, lo);
    b.assert_zero(bad);
    bits.chunks(8).map(|byte| b.le_sum(byte.iter())).collect()
}

/// `Σ_t xs[t]·γ^t` (Horner).
fn eval_at(
    b: &mut CircuitBuilder<F, D>,
    xs: &[Target],
    gamma: ExtensionTarget<D>,
) -> ExtensionTarget<D> {
    let mut acc = b.zero_extension();
    for &x in xs.iter().rev() {
        let xe = b.convert_to_ext(x);
        acc = b.mul_add_extension(acc, gamma, xe);
    }
    acc
}

impl CommitmentCircuit {
    /// Builds the commitment circuit of `shape` (standard recursion config).
    pub fn build(shape: &BatchShape) -> Self {
        let n = shape.capacity();
        let mut b = CircuitBuilder::<F, D>::new(crate::stats::circuit_config());
        let records: Vec<Vec<Target>> = (0..n).map(|_| b.add_virtual_targets(RECORD_LEN)).collect();
        let stream = b.add_virtual_targets(MAX_PUBDATA * n);
        let len = b.add_virtual_target();
        let priority_ids: Vec<Vec<Target>> = (0..shape.priority_slots())
            .map(|_| b.add_virtual_targets(8))
            .collect();

        // 1. The digest tree, as chunks and aggregation nodes compute it.
        let mut level: Vec<HashOutTarget> = records
            .chunks(shape.chunk_steps)
            .map(|c| b.hash_n_to_hash_no_pad::<PoseidonHash>(c.concat()))
            .collect();
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|p| {
                    let input = p[0]
                        .elements
                        .iter()
                        .chain(&p[1].elements)
                        .copied()
                        .collect();
                    b.hash_n_to_hash_no_pad::<PoseidonHash>(input)
                })
                .collect();
        }
        let top = level[0];

        // 2. Compaction by random evaluation.
        let mut fs_input = stream.clone();
        fs_input.extend(top.elements);
        let h = b.hash_n_to_hash_no_pad::<PoseidonHash>(fs_input);
        let gamma = ExtensionTarget([h.elements[0], h.elements[1]]);
        let lhs = eval_at(&mut b, &stream, gamma);
        let mut pows = Vec::with_capacity(64);
        pows.push(b.one_extension());
        for i in 1..=MAX_PUBDATA {
            let p = b.mul_extension(pows[i - 1], gamma);
            pows.push(p);
        }
        let zero_ext = b.zero_extension();
        pows.resize(64, zero_ext);
        let mut rhs = b.zero_extension();
        let mut shift = b.one_extension();
        let mut total = b.zero();
        for r in &records {
            let ri = eval_at(&mut b, &r[..MAX_PUBDATA], gamma);
            rhs = b.mul_add_extension(shift, ri, rhs);
            // random_access bounds the index below 64 (len_i ≤ 35 by the step).
            let g_len = b.random_access_extension(r[MAX_PUBDATA], pows.clone());
            shift = b.mul_extension(shift, g_len);
            total = b.add(total, r[MAX_PUBDATA]);
        }
        b.connect_extension(lhs, rhs);
        b.connect(total, len);

        // 3. keccak-256 of the pubdata.
        let pubdata_digest = b.keccak256_var(&stream, len);
        let pubdata_words = b.digest_words_be(&pubdata_digest);

        // 4. The priority fold.
        let c_dep = b.constant(F::from_canonical_u64(OpType::Deposit as u64));
        let c_fe = b.constant(F::from_canonical_u64(OpType::FullExit as u64));
        let zero = b.zero();
        let mut c: [Target; 32] = [zero; 32];
        for (i, r) in records.iter().enumerate() {
            let is_dep = b.is_equal(r[0], c_dep);
            let is_fe = b.is_equal(r[0], c_fe);
            let Some(id) = priority_ids.get(i) else {
                b.assert_zero(is_dep.target);
                b.assert_zero(is_fe.target);
                continue;
            };
            let from: Vec<Target> = r[at::FROM..at::FROM + 5]
                .iter()
                .flat_map(|&l| b.bytes_be(l, 4))
                .collect();
            let key: Vec<Target> = r[at::KEY..at::KEY + 5]
                .iter()
                .flat_map(|&l| bytes_le_canonical(&mut b, l))
                .collect();
            let mut dep = vec![c_dep];
            dep.extend(id);
            dep.extend(from);
            dep.extend(key);
            dep.push(r[at::TOKEN]);
            dep.extend(&r[at::AMOUNT..at::AMOUNT + 8]);
            let mut fe = vec![c_fe];
            fe.extend(id);
            fe.push(zero);
            fe.extend(&r[at::ACCOUNT..at::ACCOUNT + 3]);
            fe.extend(&r[at::OWNER..at::OWNER + 20]);
            fe.push(r[at::TOKEN]);
            debug_assert_eq!((dep.len(), fe.len()), (DEPOSIT_BYTES, FULL_EXIT_BYTES));
            let msg: Vec<Target> = (0..DEPOSIT_BYTES)
                .map(|j| {
                    let d = b.mul(is_dep.target, dep[j]);
                    match fe.get(j) {
                        Some(&f) => b.mul_add(is_fe.target, f, d),
                        None => d,
                    }
                })
                .collect();
            let l_dep = b.constant(F::from_canonical_usize(DEPOSIT_BYTES));
            let l_fe = b.constant(F::from_canonical_usize(FULL_EXIT_BYTES));
            let l = b.mul(is_dep.target, l_dep);
            let l = b.mul_add(is_fe.target, l_fe, l);
            let op_hash = b.keccak256_var(&msg, l);
            let mut fold = c.to_vec();
            fold.extend(op_hash);
            let next = b.keccak256_bytes(&fold);
            let is_prio = b.add(is_dep.target, is_fe.target);
            c = core::array::from_fn(|k| {
                let d = b.sub(next[k], c[k]);
                b.mul_add(is_prio, d, c[k])
            });
        }
        let priority_words = b.digest_words_be(&c);

        b.register_public_inputs(&top.elements);
        b.register_public_inputs(&pubdata_words);
        b.register_public_inputs(&priority_words);
        let rows = b.num_gates();
        Self {
            data: b.build::<C>(),
            shape: *shape,
            records,
            stream,
            len,
            priority_ids,
            rows,
        }
    }

    /// Proves the commitments of `steps` (the whole padded batch).
    pub fn prove(&self, steps: &[StepWitness]) -> Result<ProofWithPublicInputs<F, C, D>> {
        self.prove_witness(&CommitmentWitness::from_steps(&self.shape, steps)?)
    }

    /// Proves from an explicit witness (tests tamper with it).
    pub fn prove_witness(&self, w: &CommitmentWitness) -> Result<ProofWithPublicInputs<F, C, D>> {
        ensure!(
            w.records.len() == self.records.len()
                && w.stream.len() == self.stream.len()
                && w.priority_ids.len() == self.priority_ids.len(),
            "commitment witness of another shape"
        );
        let mut pw = PartialWitness::new();
        for (t, v) in self.records.iter().zip(&w.records) {
            pw.set_target_arr(t, v)?;
        }
        for (&t, &v) in self.stream.iter().zip(&w.stream) {
            pw.set_target(t, F::from_canonical_u8(v))?;
        }
        pw.set_target(self.len, F::from_canonical_usize(w.len))?;
        for (t, &id) in self.priority_ids.iter().zip(&w.priority_ids) {
            for (&tb, v) in t.iter().zip(id.to_be_bytes()) {
                pw.set_target(tb, F::from_canonical_u8(v))?;
            }
        }
        let start = Instant::now();
        let proof = self.data.prove(pw)?;
        log::info!("commitment proof in {:?}", start.elapsed());
        Ok(proof)
    }
}

/// D9's eight big-endian u32 words of a 32-byte digest, as field elements.
pub fn digest_words(d: &[u8; 32]) -> [F; 8] {
    core::array::from_fn(|w| {
        let c = &d[4 * w..4 * w + 4];
        F::from_canonical_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    })
}

/// The native twin of the commitment proof's public inputs for `steps`: top record
/// digest, pubdata commitment words, priority commitment words.
pub fn native_public_inputs(shape: &BatchShape, steps: &[StepWitness]) -> Vec<F> {
    let mut level: Vec<[F; 4]> = steps
        .chunks(shape.chunk_steps)
        .map(super::chunk::pubdata_digest)
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| {
                let input: Vec<F> = p[0].iter().chain(&p[1]).copied().collect();
                quire_core::hash::hash_elements(&input).elements()
            })
            .collect();
    }
    let pubdata: Vec<u8> = steps.iter().flat_map(|s| s.pubdata().to_vec()).collect();
    let priority: Vec<PriorityOp> = steps
        .iter()
        .filter_map(|s| match &s.op {
            Some(Operation::Priority(p)) => Some(p.clone()),
            _ => None,
        })
        .collect();
    let mut out = level.first().copied().unwrap_or([F::ZERO; 4]).to_vec();
    out.extend(digest_words(&quire_core::hash::keccak256(&pubdata)));
    out.extend(digest_words(&quire_core::tx::priority_commitment(
        &priority,
    )));
    out
}
