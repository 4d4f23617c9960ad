//! `QuireFri.sol` (template `templates/QuireFri.sol`): the FRI check (plonky2
//! `verify_fri_proof`, PoW excluded: QuireVerifier checks it).
//!
//! What is circuit-specific here: the constants-and-σ Merkle cap, the LDE and folding
//! parameters, and the layout of a query round in the proof, unrolled per initial oracle
//! and per folding step.

use anyhow::{ensure, Result};
use askama::Template;
use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::types::{Field, PrimeField64};
use plonky2::plonk::circuit_data::VerifierOnlyCircuitData;
use quire_circuits::calldata::{Offsets, ProofShape};

use super::{render_file, word, Challenges, Hex};
use crate::test_wrapper::{OuterC, D, F};
use crate::yul;

#[derive(Template)]
#[template(path = "QuireFri.sol", escape = "none")]
struct QuireFri<'a> {
    s: &'a ProofShape,
    o: Offsets,
    ch: &'a Challenges,
    m: Memory,
    /// FRI reduction arities, as `[4, 4]`.
    arities: String,
    /// Field helpers ([`yul::field`]).
    field: String,
    /// The cap of the constants-and-σ tree (from the verifier data, not the proof).
    cs_cap: String,
    /// Generator of the LDE subgroup.
    g_lde: u64,
    /// The LDE coset shift (plonky2's `MULTIPLICATIVE_GROUP_GENERATOR`).
    coset_shift: u64,
    /// g, the extension generator of the trace subgroup: the second opening point is gζ.
    g_next: [u64; 2],
    /// The four initial oracles of a query round, in order.
    initial: Vec<InitialOracle>,
    /// Where the Z polynomials' leaf (oracle 2) starts in a query round.
    zs_leaf: usize,
    /// The folding steps of a query round.
    steps: Vec<FoldStep>,
}

/// `verifyFri`'s memory: scalar slots, then a buffer.
struct Memory {
    /// `proof.offset`.
    base: Hex,
    /// `ch.offset`.
    ch: Hex,
    /// α^num_challenges (2 words).
    alpha_nc: Hex,
    /// FRI's α (2 words).
    alpha: Hex,
    /// The reduced openings at ζ (2 words).
    red_zeta: Hex,
    /// The reduced openings at gζ (2 words).
    red_next: Hex,
    /// ζ (2 words).
    zeta: Hex,
    /// gζ (2 words).
    zeta_next: Hex,
    /// β of the current folding step (2 words), then 7·β_1² (1 word).
    beta: Hex,
    /// A leaf being hashed, or the 2·2^a words of a coset interpolation.
    buf: Hex,
    /// Free memory.
    end: Hex,
}

impl Memory {
    fn new(s: &ProofShape) -> Self {
        let buf = 0x2a0;
        let max_buf = s
            .leaf_widths()
            .iter()
            .map(|w| w * 8)
            .chain(s.reduction_arity_bits.iter().map(|a| 64usize << a))
            .max()
            .unwrap_or(0);
        Self {
            base: Hex(0x80),
            ch: Hex(0xa0),
            alpha_nc: Hex(0xc0),
            alpha: Hex(0x100),
            red_zeta: Hex(0x140),
            red_next: Hex(0x180),
            zeta: Hex(0x1c0),
            zeta_next: Hex(0x200),
            beta: Hex(0x240),
            buf: Hex(buf),
            end: Hex(buf + max_buf + 0x20),
        }
    }
}

/// An initial oracle's leaf and Merkle path in a query round.
struct InitialOracle {
    i: usize,
    /// Elements in the leaf.
    width: usize,
    /// Offset of the leaf in the query round ...
    off: usize,
    /// ... its bytes ...
    leaf_bytes: usize,
    /// ... and where its path follows.
    path_off: usize,
    path_len: usize,
    /// Where the proof holds the tree's cap; `None` for oracle 0 (constants and σ), whose
    /// cap is the circuit's.
    cap_off: Option<usize>,
}

/// A folding step in a query round: the coset's evaluations, then their Merkle path.
struct FoldStep {
    i: usize,
    arity_bits: usize,
    path_len: usize,
    /// Offset of the evaluations in the query round.
    off: usize,
    /// Position of the query in its coset: `idx & within_mask`.
    within_mask: usize,
    /// Bytes of the evaluations (2^arity extension elements).
    leaf_bytes: usize,
    /// Where the proof holds the layer's cap.
    cap_off: usize,
    /// Index of β_i in the challenge vector.
    beta: usize,
    /// A primitive 2^arity-th root of unity.
    g: u64,
}

/// The text of `QuireFri.sol`.
pub(super) fn render(
    vd: &VerifierOnlyCircuitData<OuterC, D>,
    s: &ProofShape,
    ch: &Challenges,
) -> Result<String> {
    let o = s.offsets();
    ensure!(
        vd.constants_sigmas_cap.0.len() == 1,
        "cap height 0 expected"
    );
    let mut cs_cap = [0u8; 32];
    cs_cap[..25].copy_from_slice(&vd.constants_sigmas_cap.0[0].0);
    let g_next = <F as Extendable<D>>::Extension::primitive_root_of_unity(s.degree_bits);
    let g_next: [F; D] = FieldExtension::<D>::to_basefield_array(&g_next);

    // A query round: initial trees, then folding steps.
    let mut off = 0usize;
    let mut initial = Vec::new();
    for (i, &width) in s.leaf_widths().iter().enumerate() {
        initial.push(InitialOracle {
            i,
            width,
            off,
            leaf_bytes: width * 8,
            path_off: off + width * 8,
            path_len: s.path_len(0),
            cap_off: i.checked_sub(1).map(|c| c * 25),
        });
        off += width * 8 + s.path_len(0) * 25;
    }
    let mut steps = Vec::new();
    for (i, &a) in s.reduction_arity_bits.iter().enumerate() {
        let m = 1usize << a;
        steps.push(FoldStep {
            i,
            arity_bits: a,
            path_len: s.path_len(i + 1),
            off,
            within_mask: m - 1,
            leaf_bytes: 16 * m,
            cap_off: o.fri_caps + 25 * i,
            beta: ch.fri_betas + 2 * i,
            g: F::primitive_root_of_unity(a).to_canonical_u64(),
        });
        off += 16 * m + s.path_len(i + 1) * 25;
    }
    ensure!(off == s.query_bytes(), "query layout");

    render_file(&QuireFri {
        s,
        o,
        ch,
        m: Memory::new(s),
        arities: format!("{:?}", s.reduction_arity_bits),
        field: yul::field()?,
        cs_cap: word(&cs_cap),
        g_lde: F::primitive_root_of_unity(s.lde_bits()).to_canonical_u64(),
        coset_shift: F::MULTIPLICATIVE_GROUP_GENERATOR.to_canonical_u64(),
        g_next: [g_next[0].to_canonical_u64(), g_next[1].to_canonical_u64()],
        zs_leaf: initial[2].off,
        initial,
        steps,
    })
}
