//! One commitment segment: a slice of the batch's step records and one fixed window of the
//! compacted pubdata stream, with everything chained in and out through [`SegmentIo`].
//!
//! The circuit
//!
//! 1. hashes the slice's records into their Poseidon subtree, exactly as the chunks and
//!    aggregation nodes do (the slice is `2^s` whole chunks, so the subtree is one node of
//!    the chunk tree);
//! 2. adds the slice's share of both sides of the compaction identity
//!    `Σ_g S_g·γ^g = Σ_i γ^{off_i}·Σ_t b_{i,t}·γ^t` (see [`super`]): records side
//!    `shift_out = shift_in·Π γ^{len_i}`, bytes side over the window starting at `pos`,
//!    `pow_out = pow_in·γ^W`;
//! 3. absorbs the window's blocks into the incoming sponge state: bytes at stream positions
//!    `≥ T` are asserted zero, pad10*1's two bits are added at `T` and at the end of the
//!    block holding `T` when that falls in this window, and the digest read after that
//!    block is this segment's `pubdata` share;
//! 4. folds the priority operations of its first `priority_slots` records into the
//!    incoming priority commitment, as one canonical encoding per slot
//!    (`contracts/src/lib/PriorityOps.sol`): a Deposit (78 bytes: op, id, sender, key,
//!    token, amount) or a FullExit (34 bytes: op, id, account, owner, token); records past
//!    the slots are asserted not to be priority kinds.
//!
//! Priority ids are free witness bytes: L1 compares the fold with its queue's own
//! operation hashes, so ids that hash to them are forced by collision resistance; the key
//! and sender of a deposit come from the step record (the key is what the deposit credits).

use std::time::Instant;

use anyhow::{ensure, Result};
use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::proof::ProofWithPublicInputs;
use quire_core::tx::OpType;

use super::io::{SegmentIo, STATE_WORDS};
use super::SegmentShape;
use crate::gadgets::{D, F};
use crate::keccak::{absorb_into, CircuitBuilderKeccak, KeccakState, RATE_BYTES};
use crate::step::{CircuitBuilderU63, MAX_PUBDATA, RECORD_LEN};
use crate::C;

/// Byte offsets inside a record (the step's pubdata layout, `core/src/tx/pubdata.rs`).
pub(super) mod at {
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
pub(super) const DEPOSIT_BYTES: usize = 78;
/// Bytes of a FullExit's canonical encoding.
pub(super) const FULL_EXIT_BYTES: usize = 34;

/// What one segment proof is given: its records, its window of the stream, its priority
/// ids and the chained inputs. `io` is the whole native twin of the segment's public
/// inputs (its outputs are what the proof must expose); only the inputs are witnessed.
#[derive(Clone, Debug)]
pub struct SegmentWitness {
    /// The slice's records.
    pub records: Vec<Vec<F>>,
    /// The window of the stream.
    pub window: Vec<u8>,
    /// One id per priority slot (0 for other kinds).
    pub priority_ids: Vec<u64>,
    /// The segment's public inputs, computed natively.
    pub io: SegmentIo<F>,
}

/// A built segment circuit.
pub struct SegmentCircuit {
    /// The circuit.
    pub data: CircuitData<F, C, D>,
    /// The shape it was built for.
    pub shape: SegmentShape,
    records: Vec<Vec<Target>>,
    window: Vec<Target>,
    priority_ids: Vec<Vec<Target>>,
    io: SegmentIo<Target>,
    /// Rows before `build`.
    pub rows: usize,
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

fn ext(t: [Target; 2]) -> ExtensionTarget<D> {
    ExtensionTarget(t)
}

/// The Poseidon subtree of `records` in chunks of `chunk_steps`, as chunks and aggregation
/// nodes compute it.
fn digest_tree(
    b: &mut CircuitBuilder<F, D>,
    records: &[Vec<Target>],
    chunk_steps: usize,
) -> HashOutTarget {
    let mut level: Vec<HashOutTarget> = records
        .chunks(chunk_steps)
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
    level[0]
}

/// The records side of the compaction identity: returns (`shift_out`, `rhs`, `Σ len`).
fn records_side(
    b: &mut CircuitBuilder<F, D>,
    records: &[Vec<Target>],
    gamma: ExtensionTarget<D>,
    shift_in: ExtensionTarget<D>,
) -> (ExtensionTarget<D>, ExtensionTarget<D>, Target) {
    let mut pows = Vec::with_capacity(64);
    pows.push(b.one_extension());
    for i in 1..=MAX_PUBDATA {
        let p = b.mul_extension(pows[i - 1], gamma);
        pows.push(p);
    }
    let zero_ext = b.zero_extension();
    pows.resize(64, zero_ext);
    let mut rhs = b.zero_extension();
    let mut shift = shift_in;
    let mut total = b.zero();
    for r in records {
        let ri = eval_at(b, &r[..MAX_PUBDATA], gamma);
        rhs = b.mul_add_extension(shift, ri, rhs);
        // random_access bounds the index below 64 (len_i ≤ 35 by the step).
        let g_len = b.random_access_extension(r[MAX_PUBDATA], pows.clone());
        shift = b.mul_extension(shift, g_len);
        total = b.add(total, r[MAX_PUBDATA]);
    }
    (shift, rhs, total)
}

/// State words (two little-endian u32 halves per lane) to bits, range-checking the words.
fn state_from_words(b: &mut CircuitBuilder<F, D>, words: &[Target; STATE_WORDS]) -> KeccakState {
    core::array::from_fn(|lane| {
        let mut bits = b.split_le(words[2 * lane], 32);
        bits.extend(b.split_le(words[2 * lane + 1], 32));
        core::array::from_fn(|z| bits[z])
    })
}

fn state_to_words(b: &mut CircuitBuilder<F, D>, state: &KeccakState) -> [Target; STATE_WORDS] {
    core::array::from_fn(|w| {
        let lane = &state[w / 2];
        let off = 32 * (w % 2);
        b.le_sum(lane[off..off + 32].iter())
    })
}

/// The window's share of keccak-256 over the stream: returns (`state_out`, `hits_out`,
/// the digest bytes if the stream ends in this window, else zeros).
fn keccak_window(
    b: &mut CircuitBuilder<F, D>,
    window: &[Target],
    total_len: Target,
    pos_in: Target,
    hits_in: Target,
    state_in: KeccakState,
) -> (KeccakState, Target, [Target; 32]) {
    let w = window.len();
    // eq[p] = [T = pos_in + p]: at most one holds here, and the root checks that exactly
    // one holds over all windows (hits_out = 1 at the end of the chain).
    let d = b.sub(total_len, pos_in);
    let eq: Vec<BoolTarget> = (0..w)
        .map(|p| {
            let c = b.constant(F::from_canonical_usize(p));
            b.is_equal(d, c)
        })
        .collect();
    let local = b.add_many(eq.iter().map(|e| e.target));
    let hits_out = b.add(hits_in, local);
    // last[k] = [block k holds T]: it carries the final padding bit and the digest.
    let last: Vec<Target> = eq
        .chunks(RATE_BYTES)
        .map(|blk| b.add_many(blk.iter().map(|e| e.target)))
        .collect();
    // Bytes at positions ≥ T zero (ge = [pos_in + p ≥ T] = hits_in + Σ_{q≤p} eq[q]),
    // then pad10*1 added where it lands: on zero bytes, so the sums stay bits.
    let mut bits = Vec::with_capacity(w * 8);
    let mut ge = hits_in;
    for (p, &m) in window.iter().enumerate() {
        ge = b.add(ge, eq[p].target);
        let masked = b.mul(m, ge);
        b.assert_zero(masked);
        let mut byte = b.split_le(m, 8);
        byte[0] = BoolTarget::new_unsafe(b.add(byte[0].target, eq[p].target));
        if p % RATE_BYTES == RATE_BYTES - 1 {
            byte[7] = BoolTarget::new_unsafe(b.add(byte[7].target, last[p / RATE_BYTES]));
        }
        bits.extend(byte);
    }
    let (state_out, digests) = absorb_into(b, state_in, &bits);
    let digest = core::array::from_fn(|i| {
        let mut acc = b.zero();
        for (dg, &l) in digests.iter().zip(&last) {
            acc = b.mul_add(dg[i], l, acc);
        }
        acc
    });
    (state_out, hits_out, digest)
}

/// Folds the priority slots' operations into `c` (32 bytes); returns the new fold.
fn priority_fold(
    b: &mut CircuitBuilder<F, D>,
    records: &[Vec<Target>],
    priority_ids: &[Vec<Target>],
    mut c: [Target; 32],
) -> [Target; 32] {
    let c_dep = b.constant(F::from_canonical_u64(OpType::Deposit as u64));
    let c_fe = b.constant(F::from_canonical_u64(OpType::FullExit as u64));
    let zero = b.zero();
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
            .flat_map(|&l| bytes_le_canonical(b, l))
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
    c
}

impl SegmentCircuit {
    /// Builds the segment circuit of `shape` (standard recursion config).
    pub fn build(shape: SegmentShape) -> Self {
        let mut b = CircuitBuilder::<F, D>::new(crate::config::circuit_config());
        let records: Vec<Vec<Target>> = (0..shape.records)
            .map(|_| b.add_virtual_targets(RECORD_LEN))
            .collect();
        let window = b.add_virtual_targets(shape.window_bytes());
        let priority_ids: Vec<Vec<Target>> = (0..shape.priority_slots)
            .map(|_| b.add_virtual_targets(8))
            .collect();
        let mut one = || b.add_virtual_target();
        let gamma = [one(), one()];
        let total_len = one();
        let pos_in = one();
        let shift_in = [one(), one()];
        let pow_in = [one(), one()];
        let hits_in = one();
        let state_in: [Target; STATE_WORDS] = core::array::from_fn(|_| b.add_virtual_target());
        let prio_in: [Target; 8] = core::array::from_fn(|_| b.add_virtual_target());

        let digest = digest_tree(&mut b, &records, shape.chunk_steps);

        let g = ext(gamma);
        let (shift_out, rhs, len) = records_side(&mut b, &records, g, ext(shift_in));
        let local = eval_at(&mut b, &window, g);
        let lhs = b.mul_extension(ext(pow_in), local);
        let g_w = b.exp_u64_extension(g, window.len() as u64);
        let pow_out = b.mul_extension(ext(pow_in), g_w);
        let pos_out = b.add_const(pos_in, F::from_canonical_usize(window.len()));

        let state = state_from_words(&mut b, &state_in);
        let (state, hits_out, digest_bytes) =
            keccak_window(&mut b, &window, total_len, pos_in, hits_in, state);
        let state_out = state_to_words(&mut b, &state);
        let pubdata = b.digest_words_be(&digest_bytes);

        let c_in: Vec<Target> = prio_in.iter().flat_map(|&w| b.bytes_be(w, 4)).collect();
        let c_in: [Target; 32] = core::array::from_fn(|i| c_in[i]);
        let c_out = priority_fold(&mut b, &records, &priority_ids, c_in);
        let prio_out = b.digest_words_be(&c_out);

        let io = SegmentIo {
            digest: digest.elements,
            gamma,
            total_len,
            pos: [pos_in, pos_out],
            shift_in,
            shift_out: shift_out.0,
            rhs: rhs.0,
            pow_in,
            pow_out: pow_out.0,
            lhs: lhs.0,
            len,
            state_in,
            state_out,
            hits_in,
            hits_out,
            pubdata,
            prio_in,
            prio_out,
        };
        b.register_public_inputs(&io.to_vec());
        let rows = b.num_gates();
        Self {
            data: b.build::<C>(),
            shape,
            records,
            window,
            priority_ids,
            io,
            rows,
        }
    }

    /// Proves one segment.
    pub fn prove(&self, w: &SegmentWitness) -> Result<ProofWithPublicInputs<F, C, D>> {
        ensure!(
            w.records.len() == self.records.len()
                && w.window.len() == self.window.len()
                && w.priority_ids.len() == self.priority_ids.len(),
            "segment witness of another shape"
        );
        let mut pw = PartialWitness::new();
        for (t, v) in self.records.iter().zip(&w.records) {
            pw.set_target_arr(t, v)?;
        }
        for (&t, &v) in self.window.iter().zip(&w.window) {
            pw.set_target(t, F::from_canonical_u8(v))?;
        }
        for (t, &id) in self.priority_ids.iter().zip(&w.priority_ids) {
            for (&tb, v) in t.iter().zip(id.to_be_bytes()) {
                pw.set_target(tb, F::from_canonical_u8(v))?;
            }
        }
        let (t, v) = (&self.io, &w.io);
        let inputs: [(&[Target], &[F]); 8] = [
            (&t.gamma[..], &v.gamma[..]),
            (&[t.total_len], &[v.total_len]),
            (&[t.pos[0]], &[v.pos[0]]),
            (&t.shift_in, &v.shift_in),
            (&t.pow_in, &v.pow_in),
            (&[t.hits_in], &[v.hits_in]),
            (&t.state_in, &v.state_in),
            (&t.prio_in, &v.prio_in),
        ];
        for (ts, vs) in inputs {
            pw.set_target_arr(ts, vs)?;
        }
        let start = Instant::now();
        let proof = self.data.prove(pw)?;
        log::info!("commitment segment proven in {:?}", start.elapsed());
        Ok(proof)
    }
}
