//! `QuireGates.sol` (template `templates/QuireGates.sol`): every gate's constraints at ζ,
//! filtered by its selector, the vanishing polynomial and the quotient side of the identity.
//!
//! What is circuit-specific here: the gate list and each gate's Yul ([`crate::gates`]), the
//! memory map of `evaluate` (its slots are sized by the proof's shape), and the constant
//! table (Poseidon constants, the coset shifts k_i, the gates' own constants).
//!
//! The per-gate Yul of [`crate::gates`] (gate bodies, selector filters and the helper
//! functions only they call) names memory symbolically (`$T`, `$FILT`, `$PC_DIAG`, ...):
//! it is written once per gate type, without knowing this contract's memory map.
//! [`resolve`] substitutes those symbols; everything else is in the template.

use std::fmt::Write as _;

use anyhow::{ensure, Result};
use askama::Template;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::plonk::circuit_data::CommonCircuitData;
use quire_circuits::calldata::{Offsets, ProofShape};

use super::{render_file, short_id, Challenges, Hex};
use crate::gates::{self, GateKind, GateSet, PoseidonTable};
use crate::test_wrapper::{D, F};
use crate::yul;

#[derive(Template)]
#[template(path = "QuireGates.sol", escape = "none")]
struct QuireGates<'a> {
    s: &'a ProofShape,
    o: Offsets,
    ch: &'a Challenges,
    m: Memory,
    /// The gates, for the contract's doc comment.
    gate_docs: Vec<GateDoc>,
    /// The constant table, hex.
    table: String,
    /// Field helpers ([`yul::field`]).
    field: String,
    /// The helper functions of the gate code, resolved.
    gate_helpers: String,
    /// One block per gate (the no-op gate has none).
    gate_blocks: Vec<GateBlock>,
    /// Words of the openings at ζ and gζ copied to memory.
    opening_words: usize,
    /// Index in the table of k_0, the first coset shift.
    pc_kis: usize,
    /// Terms combined with the α powers: Z(1) and the partial-product checks, then the
    /// gate constraints.
    num_terms: usize,
    /// The trace length n, as a field element.
    trace_len: u64,
    /// Words of `evaluate`'s output.
    out_len: usize,
    /// Bytes of the gate-constraint part of the output.
    acc_bytes: usize,
    /// Where the per-round results go in the output.
    res_at: usize,
    /// Bytes of the per-round results.
    res_bytes: usize,
    /// Bytes of the output array, length word included.
    out_bytes: usize,
}

/// A gate in the contract's doc comment.
struct GateDoc {
    id: String,
    selector: usize,
    /// The gates sharing its selector, as `(start, end)`.
    group: String,
}

/// One gate's Yul: its filter, then its constraints.
struct GateBlock {
    id: String,
    code: String,
}

/// `evaluate`'s memory (fixed addresses: the function owns all memory it touches). Every
/// extension element takes 0x40 bytes.
struct Memory {
    /// Openings at ζ, copied from the proof: the constants (selectors first) ...
    constants: usize,
    /// ... the σ polynomials ...
    sigmas: usize,
    /// ... the wires ...
    wires: usize,
    /// ... Z of each round ...
    zs: usize,
    /// ... the partial products ...
    partial_products: usize,
    /// ... the quotient chunks ...
    quotient: usize,
    /// ... and Z at gζ.
    zs_next: usize,
    /// The public-inputs hash (4 words).
    pi_hash: usize,
    /// The current gate's filter.
    filter: usize,
    /// ζ, ζ^n, β·ζ, β, γ.
    scratch: usize,
    /// The terms other than gate constraints, followed by ...
    terms: usize,
    /// ... the gate-constraint accumulators.
    acc: usize,
    /// The gates' scratch memory.
    t: usize,
    /// The results, over that scratch once the gates are done.
    res: usize,
    /// The gates' constants (after the selectors) among the openings.
    gate_constants: usize,
    /// Where `ch.offset` is kept.
    ch_ptr: usize,
    /// Free memory: the table is copied here ...
    end: Hex,
    /// ... and its data starts after its length word.
    table: usize,
}

impl Memory {
    fn new(s: &ProofShape, gs: &GateSet, num_lookup_selectors: usize) -> Self {
        let nc = s.num_challenges;
        let constants = 0x80;
        let sigmas = constants + 64 * s.num_constants;
        let wires = sigmas + 64 * s.num_routed_wires;
        let zs = wires + 64 * s.num_wires;
        let partial_products = zs + 64 * nc;
        let quotient = partial_products + 64 * nc * s.num_partial_products;
        let zs_next = quotient + 64 * nc * s.quotient_degree_factor;
        let pi_hash = zs_next + 64 * nc;
        let filter = pi_hash + 128;
        let scratch = filter + 64;
        let terms = scratch + 8 * 32;
        let acc = terms + 64 * num_other_terms(s);
        let t = acc + 64 * gs.num_gate_constraints;
        // RandomAccessGate keeps its list (2^bits extension elements) in the scratch.
        let max_vec = gs
            .gates
            .iter()
            .map(|g| match g.kind {
                GateKind::RandomAccess { bits, .. } => 64usize << bits,
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        let end = t + max_vec.max(0x600) + 0x100;
        Self {
            constants,
            sigmas,
            wires,
            zs,
            partial_products,
            quotient,
            zs_next,
            pi_hash,
            filter,
            scratch,
            terms,
            acc,
            t,
            res: t,
            gate_constants: constants + 64 * (gs.num_selectors + num_lookup_selectors),
            ch_ptr: end - 0x20,
            end: Hex(end),
            table: end + 32,
        }
    }
}

/// Z(1) terms and partial-product checks: one per round, and one per chunk per round.
fn num_other_terms(s: &ProofShape) -> usize {
    let nc = s.num_challenges;
    nc + nc * (s.num_partial_products + 1)
}

/// The text of `QuireGates.sol`.
pub(super) fn render(
    common: &CommonCircuitData<F, D>,
    s: &ProofShape,
    ch: &Challenges,
    gs: &GateSet,
) -> Result<String> {
    let nc = s.num_challenges;
    let (npp, qdf, nr) = (
        s.num_partial_products,
        s.quotient_degree_factor,
        s.num_routed_wires,
    );
    ensure!(
        nr.div_ceil(qdf) == npp + 1,
        "partial products: {nr} routed wires in chunks of {qdf} need {} products",
        nr.div_ceil(qdf) - 1
    );
    ensure!(common.k_is.len() >= nr, "k_is");
    let ngc = gs.num_gate_constraints;
    let m = Memory::new(s, gs, common.num_lookup_selectors);
    let poseidon = PoseidonTable::new();
    gates::check_table(&poseidon)?;
    let mut table: Vec<u64> = poseidon.values.clone();
    table.extend(common.k_is.iter().map(|k| k.to_canonical_u64()));
    let symbols = symbols(&m, &poseidon);
    // The gate code first: it appends its own constants to the table.
    let mut gate_blocks = Vec::new();
    for g in gs.gates.iter().filter(|g| g.kind != GateKind::Noop) {
        let mut code = String::new();
        gates::emit_filter(&mut code, g, gs.num_selectors)?;
        gates::emit_gate(&mut code, g, &mut table)?;
        gate_blocks.push(GateBlock {
            id: short_id(&g.id),
            code: resolve(&code, &symbols)?,
        });
    }
    let out_len = 2 * ngc + 4 * nc;
    render_file(&QuireGates {
        s,
        o: s.offsets(),
        ch,
        gate_docs: gs
            .gates
            .iter()
            .map(|g| GateDoc {
                id: short_id(&g.id),
                selector: g.selector_index,
                group: format!("{:?}", g.group),
            })
            .collect(),
        table: table.iter().fold(String::new(), |mut h, v| {
            let _ = write!(h, "{v:016x}");
            h
        }),
        field: yul::field()?,
        gate_helpers: resolve(
            &[gates::POSEIDON_HELPERS, gates::COSET_HELPERS].concat(),
            &symbols,
        )?,
        gate_blocks,
        opening_words: 2 * (s.num_openings_zeta() + nc),
        pc_kis: poseidon.values.len(),
        num_terms: num_other_terms(s) + ngc,
        trace_len: F::from_canonical_u64(1u64 << s.degree_bits).to_canonical_u64(),
        out_len,
        acc_bytes: 64 * ngc,
        res_at: 0x20 + 64 * ngc,
        res_bytes: 128 * nc,
        out_bytes: 0x20 + 32 * out_len,
        m,
    })
}

/// The values of the symbols the gate code of [`crate::gates`] uses.
fn symbols(m: &Memory, poseidon: &PoseidonTable) -> Vec<(&'static str, String)> {
    let mut subs = vec![
        ("$CONST", m.constants.to_string()),
        ("$FILT", m.filter.to_string()),
        ("$PIH", m.pi_hash.to_string()),
        ("$T", m.t.to_string()),
        ("$PCON", m.table.to_string()),
    ];
    subs.extend(gates::poseidon_substitutions(poseidon));
    subs
}

/// `code` with its symbols replaced by their values, longest names first (so that `$T`
/// never eats the prefix of `$TX`), without its final newline.
fn resolve(code: &str, subs: &[(&str, String)]) -> Result<String> {
    let mut subs: Vec<&(&str, String)> = subs.iter().collect();
    subs.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    let mut code = code.strip_suffix('\n').unwrap_or(code).to_string();
    for (k, v) in subs {
        code = code.replace(k, v);
    }
    ensure!(!code.contains('$'), "unresolved symbol in the gate code");
    Ok(code)
}
