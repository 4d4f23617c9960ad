//! The gates of a circuit, read from its `CommonCircuitData`, and the Yul that evaluates each
//! one's constraints at ζ (plonky2's `Gate::eval_unfiltered`, mirrored line by line).
//!
//! A gate is identified by its `id()` prefix and its parameters are read back from
//! `Gate::serialize` (plonky2 keeps the fields crate-private), so any parameterisation of a
//! supported gate is handled; an unsupported gate makes generation fail rather than produce a
//! verifier that skips constraints.
//!
//! The emitted code runs inside the gate evaluator's assembly block, where `w(i)` loads wire
//! `i`, `wp(i)` is its address, `kc(i)` loads the gate's i-th constant (after the selector
//! columns), `acc(i, c0, c1)` adds `filter · c` to gate-constraint accumulator `i`, `accA(i, p)`
//! does so for the two coordinates of the algebra element at `p`, and `$T` is scratch memory.
//!
//! Addresses and table indices the code cannot know are symbols (`$T`, `$FILT`, `$PC_DIAG`,
//! ...), resolved against the contract's memory map by `solidity::quire_gates`; the rest of
//! the contract is its template (`templates/QuireGates.sol`).

use std::fmt::Write as _;

use anyhow::{bail, ensure, Context, Result};
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::poseidon::{
    Poseidon, ALL_ROUND_CONSTANTS, HALF_N_FULL_ROUNDS, N_PARTIAL_ROUNDS, SPONGE_WIDTH,
};
use plonky2::plonk::circuit_data::CommonCircuitData;

use super::test_wrapper::{D, F};

/// One gate type with the parameters its constraints depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateKind {
    /// No constraints.
    Noop,
    /// `ConstantGate { num_consts }`.
    Constant(usize),
    /// `PublicInputGate`.
    PublicInput,
    /// `ArithmeticGate { num_ops }` (base).
    Arithmetic(usize),
    /// `ArithmeticExtensionGate { num_ops }`.
    ArithmeticExtension(usize),
    /// `MulExtensionGate { num_ops }`.
    MulExtension(usize),
    /// `BaseSumGate<B> { num_limbs }`: (limbs, base).
    BaseSum(usize, usize),
    /// `ReducingGate { num_coeffs }`.
    Reducing(usize),
    /// `ReducingExtensionGate { num_coeffs }`.
    ReducingExtension(usize),
    /// `RandomAccessGate { bits, num_copies, num_extra_constants }`.
    RandomAccess {
        /// log2 of the list length.
        bits: usize,
        /// Copies per row.
        copies: usize,
        /// Extra constant outputs.
        extra: usize,
    },
    /// `PoseidonMdsGate` (width 12).
    PoseidonMds,
    /// `PoseidonGate` (width 12).
    Poseidon,
    /// `CosetInterpolationGate { subgroup_bits, degree, barycentric_weights }`.
    CosetInterpolation {
        /// log2 of the number of points.
        bits: usize,
        /// Points folded per constraint.
        degree: usize,
        /// Barycentric weights of the subgroup (canonical).
        weights: Vec<u64>,
    },
}

/// A gate of the circuit with its selector.
#[derive(Clone, Debug)]
pub struct GateInfo {
    /// What the gate computes.
    pub kind: GateKind,
    /// plonky2's id string (for comments).
    pub id: String,
    /// Index of the gate in `common.gates` (its value in its selector column).
    pub row: usize,
    /// Which constant column is its selector.
    pub selector_index: usize,
    /// The gate ids sharing that selector.
    pub group: (usize, usize),
}

/// The gate layout of a circuit.
#[derive(Clone, Debug)]
pub struct GateSet {
    /// Gates in `common.gates` order.
    pub gates: Vec<GateInfo>,
    /// Selector columns (leading constants).
    pub num_selectors: usize,
    /// Constraint slots.
    pub num_gate_constraints: usize,
}

fn usizes(bytes: &[u8]) -> Vec<usize> {
    bytes
        .chunks(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(b) as usize
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct Range {
    start: usize,
    end: usize,
}
#[derive(serde::Deserialize)]
struct Selectors {
    selector_indices: Vec<usize>,
    groups: Vec<Range>,
}

impl GateSet {
    /// Reads the gates and selectors of `common`; fails on a gate this generator cannot
    /// evaluate.
    pub fn from_common(common: &CommonCircuitData<F, D>) -> Result<Self> {
        ensure!(
            common.num_lookup_selectors == 0 && common.luts.is_empty(),
            "lookups are not supported"
        );
        let sel: Selectors = serde_json::from_value(serde_json::to_value(&common.selectors_info)?)
            .context("selectors_info")?;
        let mut gates = Vec::new();
        for (row, g) in common.gates.iter().enumerate() {
            let id = g.0.id();
            let mut ser = Vec::new();
            g.0.serialize(&mut ser, common)
                .map_err(|e| anyhow::anyhow!("serialize {id}: {e:?}"))?;
            let p = usizes(&ser);
            let name: String = id.chars().take_while(|c| c.is_alphanumeric()).collect();
            let kind = match name.as_str() {
                "NoopGate" => GateKind::Noop,
                "ConstantGate" => GateKind::Constant(p[0]),
                "PublicInputGate" => GateKind::PublicInput,
                "ArithmeticGate" => GateKind::Arithmetic(p[0]),
                "ArithmeticExtensionGate" => GateKind::ArithmeticExtension(p[0]),
                "MulExtensionGate" => GateKind::MulExtension(p[0]),
                "BaseSumGate" => {
                    let base = id
                        .rsplit("Base: ")
                        .next()
                        .and_then(|b| b.trim().parse().ok())
                        .context("BaseSumGate base")?;
                    GateKind::BaseSum(p[0], base)
                }
                "ReducingGate" => GateKind::Reducing(p[0]),
                "ReducingExtensionGate" => GateKind::ReducingExtension(p[0]),
                "RandomAccessGate" => GateKind::RandomAccess {
                    bits: p[0],
                    copies: p[1],
                    extra: p[2],
                },
                "PoseidonMdsGate" => GateKind::PoseidonMds,
                "PoseidonGate" => GateKind::Poseidon,
                "CosetInterpolationGate" => {
                    ensure!(
                        p.len() >= 3 && p.len() == 3 + p[2],
                        "CosetInterpolationGate params"
                    );
                    ensure!(
                        p[1] > 1 && p[2] == 1 << p[0],
                        "CosetInterpolationGate shape"
                    );
                    GateKind::CosetInterpolation {
                        bits: p[0],
                        degree: p[1],
                        weights: p[3..].iter().map(|&x| x as u64).collect(),
                    }
                }
                _ => bail!("gate {id} is not supported by the EVM verifier generator"),
            };
            if matches!(kind, GateKind::Poseidon | GateKind::PoseidonMds) {
                ensure!(id.contains("WIDTH=12"), "Poseidon width must be 12: {id}");
            }
            let si = sel.selector_indices[row];
            let r = &sel.groups[si];
            gates.push(GateInfo {
                kind,
                id,
                row,
                selector_index: si,
                group: (r.start, r.end),
            });
        }
        Ok(Self {
            gates,
            num_selectors: sel.groups.len(),
            num_gate_constraints: common.num_gate_constraints,
        })
    }
}

/// The Poseidon constants the Poseidon gate needs, as one table of u64s (8 bytes big-endian
/// each in the contract), with the start index of each part.
pub struct PoseidonTable {
    /// All values.
    pub values: Vec<u64>,
    /// ALL_ROUND_CONSTANTS (12 per round).
    pub rc: usize,
    /// FAST_PARTIAL_FIRST_ROUND_CONSTANT.
    pub first: usize,
    /// FAST_PARTIAL_ROUND_CONSTANTS.
    pub fprc: usize,
    /// FAST_PARTIAL_ROUND_INITIAL_MATRIX, row-major 11×11.
    pub init: usize,
    /// FAST_PARTIAL_ROUND_VS, 11 per round.
    pub vs: usize,
    /// FAST_PARTIAL_ROUND_W_HATS, 11 per round.
    pub what: usize,
    /// MDS_MATRIX_CIRC.
    pub circ: usize,
    /// MDS_MATRIX_DIAG.
    pub diag: usize,
}

impl PoseidonTable {
    /// The table of plonky2's Goldilocks Poseidon.
    pub fn new() -> Self {
        let mut v: Vec<u64> = Vec::new();
        let rc = v.len();
        v.extend(ALL_ROUND_CONSTANTS);
        let first = v.len();
        v.extend(<F as Poseidon>::FAST_PARTIAL_FIRST_ROUND_CONSTANT);
        let fprc = v.len();
        v.extend(<F as Poseidon>::FAST_PARTIAL_ROUND_CONSTANTS);
        let init = v.len();
        <F as Poseidon>::FAST_PARTIAL_ROUND_INITIAL_MATRIX
            .iter()
            .for_each(|r| v.extend(r));
        let vs = v.len();
        <F as Poseidon>::FAST_PARTIAL_ROUND_VS
            .iter()
            .for_each(|r| v.extend(r));
        let what = v.len();
        <F as Poseidon>::FAST_PARTIAL_ROUND_W_HATS
            .iter()
            .for_each(|r| v.extend(r));
        let circ = v.len();
        v.extend(<F as Poseidon>::MDS_MATRIX_CIRC);
        let diag = v.len();
        v.extend(<F as Poseidon>::MDS_MATRIX_DIAG);
        // Constants are used as field elements; plonky2 reduces them with from_canonical_u64.
        let v = v
            .into_iter()
            .map(|x| F::from_noncanonical_u64(x).to_canonical_u64())
            .collect();
        Self {
            values: v,
            rc,
            first,
            fprc,
            init,
            vs,
            what,
            circ,
            diag,
        }
    }
}

impl Default for PoseidonTable {
    fn default() -> Self {
        Self::new()
    }
}

/// The filter of gate `g` (plonky2's `compute_filter`): Π_{j in group, j ≠ row} (j − s), times
/// (UNUSED_SELECTOR − s) when there are several selector columns; s = the selector column at
/// ζ. Stored at `$FILT`.
pub fn emit_filter(out: &mut String, g: &GateInfo, num_selectors: usize) -> Result<()> {
    const UNUSED_SELECTOR: u64 = u32::MAX as u64;
    writeln!(out, "                {{")?;
    writeln!(
        out,
        "                    let s0, s1 := ld(add($CONST, {}))",
        64 * g.selector_index
    )?;
    writeln!(out, "                    let f0 := 1")?;
    writeln!(out, "                    let f1 := 0")?;
    let mut factors: Vec<u64> = (g.group.0..g.group.1)
        .filter(|&j| j != g.row)
        .map(|j| j as u64)
        .collect();
    if num_selectors > 1 {
        factors.push(UNUSED_SELECTOR);
    }
    for j in factors {
        writeln!(
            out,
            "                    f0, f1 := emul(f0, f1, addmod({j}, sub(P, s0), P), mod(sub(P, s1), P))"
        )?;
    }
    writeln!(out, "                    st($FILT, f0, f1)")?;
    writeln!(out, "                }}")?;
    Ok(())
}

/// The Yul evaluating the unfiltered constraints of `g` and accumulating them.
///
/// Gate-specific constants (e.g. interpolation weights) are appended to `table` (the
/// contract's constant table, read with `tbl(k)`).
pub fn emit_gate(out: &mut String, g: &GateInfo, table: &mut Vec<u64>) -> Result<()> {
    let code = match &g.kind {
        GateKind::Noop => String::new(),
        GateKind::Constant(n) => format!(
            r#"for {{ let i := 0 }} lt(i, {n}) {{ i := add(i, 1) }} {{
    let a0, a1 := kc(i)
    let b0, b1 := w(i)
    a0, a1 := esub(a0, a1, b0, b1)
    acc(i, a0, a1)
}}"#
        ),
        GateKind::PublicInput => r#"for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
    let a0, a1 := w(i)
    acc(i, addmod(a0, sub(P, mload(add($PIH, shl(5, i)))), P), a1)
}"#
        .to_string(),
        GateKind::Arithmetic(n) => format!(
            r#"for {{ let i := 0 }} lt(i, {n}) {{ i := add(i, 1) }} {{
    let b := shl(2, i)
    let m0, m1 := emulp(wp(b), wp(add(b, 1)))
    let c0, c1 := kc(0)
    m0, m1 := emul(m0, m1, c0, c1)
    let a0, a1 := w(add(b, 2))
    c0, c1 := kc(1)
    a0, a1 := emul(a0, a1, c0, c1)
    m0, m1 := eadd(m0, m1, a0, a1)
    a0, a1 := w(add(b, 3))
    a0, a1 := esub(a0, a1, m0, m1)
    acc(i, a0, a1)
}}"#
        ),
        GateKind::ArithmeticExtension(n) => format!(
            r#"for {{ let i := 0 }} lt(i, {n}) {{ i := add(i, 1) }} {{
    let b := shl(3, i)
    amul(wp(b), wp(add(b, 2)), $T)
    let c0, c1 := kc(0)
    ascal($T, c0, c1, $T)
    c0, c1 := kc(1)
    ascal(wp(add(b, 4)), c0, c1, add($T, 0x80))
    aadd($T, add($T, 0x80), $T)
    asub(wp(add(b, 6)), $T, $T)
    accA(shl(1, i), $T)
}}"#
        ),
        GateKind::MulExtension(n) => format!(
            r#"for {{ let i := 0 }} lt(i, {n}) {{ i := add(i, 1) }} {{
    let b := mul(6, i)
    amul(wp(b), wp(add(b, 2)), $T)
    let c0, c1 := kc(0)
    ascal($T, c0, c1, $T)
    asub(wp(add(b, 4)), $T, $T)
    accA(shl(1, i), $T)
}}"#
        ),
        GateKind::BaseSum(limbs, base) => format!(
            r#"{{
    let s0 := 0
    let s1 := 0
    for {{ let i := {limbs} }} i {{ i := sub(i, 1) }} {{
        let a0, a1 := w(i)
        s0 := addmod(mulmod(s0, {base}, P), a0, P)
        s1 := addmod(mulmod(s1, {base}, P), a1, P)
    }}
    let t0, t1 := w(0)
    s0, s1 := esub(s0, s1, t0, t1)
    acc(0, s0, s1)
    for {{ let i := 1 }} lt(i, {lp1}) {{ i := add(i, 1) }} {{
        let a0, a1 := w(i)
        let p0 := 1
        let p1 := 0
        for {{ let j := 0 }} lt(j, {base}) {{ j := add(j, 1) }} {{
            p0, p1 := emul(p0, p1, addmod(a0, sub(P, j), P), a1)
        }}
        acc(i, p0, p1)
    }}
}}"#,
            lp1 = limbs + 1
        ),
        GateKind::Reducing(n) => format!(
            r#"{{
    let accp := wp(4)
    for {{ let i := 0 }} lt(i, {n}) {{ i := add(i, 1) }} {{
        amul(accp, wp(2), $T)
        let c0, c1 := w(add(6, i))
        let t0, t1 := ld($T)
        t0, t1 := eadd(t0, t1, c0, c1)
        st($T, t0, t1)
        let ap := wp(add({sa}, shl(1, i)))
        if eq(i, {last}) {{ ap := wp(0) }}
        asub($T, ap, $T)
        accA(shl(1, i), $T)
        accp := ap
    }}
}}"#,
            sa = 6 + n,
            last = n - 1
        ),
        GateKind::ReducingExtension(n) => format!(
            r#"{{
    let accp := wp(4)
    for {{ let i := 0 }} lt(i, {n}) {{ i := add(i, 1) }} {{
        amul(accp, wp(2), $T)
        aadd($T, wp(add(6, shl(1, i))), $T)
        let ap := wp(add({sa}, shl(1, i)))
        if eq(i, {last}) {{ ap := wp(0) }}
        asub($T, ap, $T)
        accA(shl(1, i), $T)
        accp := ap
    }}
}}"#,
            sa = 6 + 2 * n,
            last = n - 1
        ),
        GateKind::RandomAccess {
            bits,
            copies,
            extra,
        } => {
            let vec = 1usize << bits;
            let start_extra = (2 + vec) * copies;
            let nr = start_extra + extra;
            format!(
                r#"{{
    let ci := 0
    for {{ let c := 0 }} lt(c, {copies}) {{ c := add(c, 1) }} {{
        let base := mul(c, {stride})
        let bb := add({nr}, mul(c, {bits}))
        for {{ let i := 0 }} lt(i, {bits}) {{ i := add(i, 1) }} {{
            let b0, b1 := w(add(bb, i))
            let r0, r1 := emul(b0, b1, addmod(b0, sub(P, 1), P), b1)
            acc(ci, r0, r1)
            ci := add(ci, 1)
        }}
        let s0 := 0
        let s1 := 0
        for {{ let i := {bits} }} i {{ i := sub(i, 1) }} {{
            let b0, b1 := w(add(bb, sub(i, 1)))
            s0 := addmod(add(s0, s0), b0, P)
            s1 := addmod(add(s1, s1), b1, P)
        }}
        let a0, a1 := w(base)
        s0, s1 := esub(s0, s1, a0, a1)
        acc(ci, s0, s1)
        ci := add(ci, 1)
        for {{ let i := 0 }} lt(i, {vec}) {{ i := add(i, 1) }} {{
            a0, a1 := w(add(base, add(2, i)))
            st(add($T, shl(6, i)), a0, a1)
        }}
        let len := {vec}
        for {{ let i := 0 }} lt(i, {bits}) {{ i := add(i, 1) }} {{
            let b0, b1 := w(add(bb, i))
            len := shr(1, len)
            for {{ let j := 0 }} lt(j, len) {{ j := add(j, 1) }} {{
                let x0, x1 := ld(add($T, shl(7, j)))
                let y0, y1 := ld(add($T, add(shl(7, j), 0x40)))
                y0, y1 := esub(y0, y1, x0, x1)
                y0, y1 := emul(y0, y1, b0, b1)
                x0, x1 := eadd(x0, x1, y0, y1)
                st(add($T, shl(6, j)), x0, x1)
            }}
        }}
        s0, s1 := ld($T)
        a0, a1 := w(add(base, 1))
        s0, s1 := esub(s0, s1, a0, a1)
        acc(ci, s0, s1)
        ci := add(ci, 1)
    }}
    for {{ let i := 0 }} lt(i, {extra}) {{ i := add(i, 1) }} {{
        let a0, a1 := kc(i)
        let b0, b1 := w(add({start_extra}, i))
        a0, a1 := esub(a0, a1, b0, b1)
        acc(ci, a0, a1)
        ci := add(ci, 1)
    }}
}}"#,
                stride = 2 + vec
            )
        }
        GateKind::PoseidonMds => r#"for { let r := 0 } lt(r, 12) { r := add(r, 1) } {
    // out_r = sum_i v[(i + r) % 12] * CIRC[i] + v[r] * DIAG[r], on the 4 base coordinates.
    mstore($T, 0)
    mstore(add($T, 0x20), 0)
    mstore(add($T, 0x40), 0)
    mstore(add($T, 0x60), 0)
    for { let i := 0 } lt(i, 13) { i := add(i, 1) } {
        let c := 0
        let p := 0
        switch i
        case 12 {
            c := tbl(add($PC_DIAG, r))
            p := wp(shl(1, r))
        }
        default {
            c := tbl(add($PC_CIRC, i))
            p := wp(shl(1, mod(add(i, r), 12)))
        }
        for { let k := 0 } lt(k, 0x80) { k := add(k, 0x20) } {
            mstore(add($T, k), addmod(mload(add($T, k)), mulmod(mload(add(p, k)), c, P), P))
        }
    }
    asub(wp(shl(1, add(12, r))), $T, $T)
    accA(shl(1, r), $T)
}"#
        .to_string(),
        GateKind::Poseidon => POSEIDON_GATE.to_string(),
        GateKind::CosetInterpolation {
            bits,
            degree,
            weights,
        } => coset_interpolation(*bits, *degree, weights, table)?,
    };
    for line in code.lines() {
        writeln!(out, "                {line}")?;
    }
    Ok(())
}

/// CosetInterpolationGate::eval_unfiltered: the interpolant of the values on the subgroup
/// (shifted), evaluated at the point in chunks of `degree − 1` points, with the intermediate
/// evaluations and partial products as witnesses.
fn coset_interpolation(
    bits: usize,
    degree: usize,
    weights: &[u64],
    table: &mut Vec<u64>,
) -> Result<String> {
    let n = 1usize << bits;
    ensure!(weights.len() == n, "weights");
    let nint = (n - 2) / (degree - 1);
    let start_eval_point = 1 + n * D;
    let start_eval_value = start_eval_point + D;
    let start_int = start_eval_value + D;
    let shifted = start_int + D * 2 * nint;
    let pc_dom = table.len();
    let g = F::primitive_root_of_unity(bits);
    table.extend(g.powers().take(n).map(|x| x.to_canonical_u64()));
    let pc_w = table.len();
    table.extend(weights);
    let mut c = String::new();
    writeln!(c, "{{")?;
    writeln!(c, "    let sh0, sh1 := w(0)")?;
    writeln!(c, "    ascal(wp({shifted}), sh0, sh1, $T)")?;
    writeln!(c, "    asub(wp({start_eval_point}), $T, $T)")?;
    writeln!(c, "    accA(0, $T)")?;
    writeln!(c, "    mstore(add($T, 0x80), 0)")?;
    writeln!(c, "    mstore(add($T, 0xa0), 0)")?;
    writeln!(c, "    mstore(add($T, 0xc0), 0)")?;
    writeln!(c, "    mstore(add($T, 0xe0), 0)")?;
    writeln!(c, "    mstore(add($T, 0x100), 1)")?;
    writeln!(c, "    mstore(add($T, 0x120), 0)")?;
    writeln!(c, "    mstore(add($T, 0x140), 0)")?;
    writeln!(c, "    mstore(add($T, 0x160), 0)")?;
    writeln!(
        c,
        "    cosetPartial(0, {degree}, wp({shifted}), {pc_w}, {pc_dom})"
    )?;
    let mut ci = 2;
    for i in 0..nint {
        let ie = start_int + D * i;
        let ip = start_int + D * (nint + i);
        writeln!(c, "    asub(wp({ie}), add($T, 0x80), add($T, 0x200))")?;
        writeln!(c, "    accA({ci}, add($T, 0x200))")?;
        writeln!(c, "    asub(wp({ip}), add($T, 0x100), add($T, 0x200))")?;
        writeln!(c, "    accA({}, add($T, 0x200))", ci + 2)?;
        ci += 4;
        writeln!(c, "    mcopy(add($T, 0x80), wp({ie}), 0x80)")?;
        writeln!(c, "    mcopy(add($T, 0x100), wp({ip}), 0x80)")?;
        let start = 1 + (degree - 1) * (i + 1);
        let end = (start + degree - 1).min(n);
        writeln!(
            c,
            "    cosetPartial({start}, {end}, wp({shifted}), {pc_w}, {pc_dom})"
        )?;
    }
    writeln!(
        c,
        "    asub(wp({start_eval_value}), add($T, 0x80), add($T, 0x200))"
    )?;
    writeln!(c, "    accA({ci}, add($T, 0x200))")?;
    writeln!(c, "}}")?;
    Ok(c)
}

/// Yul helper of the coset interpolation gate: folds points [lo, hi) into the running
/// evaluation ($T + 0x80) and partial product ($T + 0x100): term = x − x_i,
/// eval ← eval·term + w_i·v_i·prod, prod ← prod·term (plonky2 `partial_interpolate_ext_algebra`).
pub const COSET_HELPERS: &str = r#"            function cosetPartial(lo, hi, xp, pcw, pcd) {
                let ev := add($T, 0x80)
                let pr := add($T, 0x100)
                let tm := add($T, 0x180)
                let t2 := add($T, 0x200)
                for { let i := lo } lt(i, hi) { i := add(i, 1) } {
                    mcopy(tm, xp, 0x80)
                    mstore(tm, addmod(mload(tm), sub(P, tbl(add(pcd, i))), P))
                    let wt := tbl(add(pcw, i))
                    let vp := wp(add(1, shl(1, i)))
                    for { let k := 0 } lt(k, 0x80) { k := add(k, 0x20) } {
                        mstore(add(t2, k), mulmod(mload(add(vp, k)), wt, P))
                    }
                    amul(t2, pr, t2)
                    amul(ev, tm, ev)
                    aadd(ev, t2, ev)
                    amul(pr, tm, pr)
                }
            }
"#;

/// PoseidonGate::eval_unfiltered. State: 12 extension elements at `$T` (0x40 each), the
/// MDS output at `$T + 0x300`. `ci` counts constraints.
const POSEIDON_GATE: &str = r#"{
    let ci := 0
    let sw0, sw1 := w(24)
    {
        let r0, r1 := emul(sw0, sw1, addmod(sw0, sub(P, 1), P), sw1)
        acc(0, r0, r1)
    }
    for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
        let l0, l1 := w(i)
        let r0, r1 := w(add(i, 4))
        let d0, d1 := w(add(25, i))
        let x0, x1 := esub(r0, r1, l0, l1)
        x0, x1 := emul(x0, x1, sw0, sw1)
        x0, x1 := esub(x0, x1, d0, d1)
        acc(add(1, i), x0, x1)
        l0, l1 := eadd(l0, l1, d0, d1)
        st(add($T, shl(6, i)), l0, l1)
        r0, r1 := esub(r0, r1, d0, d1)
        st(add($T, shl(6, add(i, 4))), r0, r1)
    }
    for { let i := 8 } lt(i, 12) { i := add(i, 1) } {
        let a0, a1 := w(i)
        st(add($T, shl(6, i)), a0, a1)
    }
    ci := 5
    // First full rounds.
    for { let r := 0 } lt(r, $HALF) { r := add(r, 1) } {
        poseidonConst(mul(12, r))
        if r {
            for { let i := 0 } lt(i, 12) { i := add(i, 1) } {
                let p := add($T, shl(6, i))
                let s0, s1 := ld(p)
                let a0, a1 := w(add(add(29, mul(12, sub(r, 1))), i))
                s0, s1 := esub(s0, s1, a0, a1)
                acc(ci, s0, s1)
                ci := add(ci, 1)
                st(p, a0, a1)
            }
        }
        poseidonFullSboxMds()
    }
    // Partial rounds (plonky2's fast form).
    for { let i := 0 } lt(i, 12) { i := add(i, 1) } {
        let p := add($T, shl(6, i))
        mstore(p, addmod(mload(p), tbl(add($PC_FIRST, i)), P))
    }
    poseidonPartialInit()
    for { let r := 0 } lt(r, $NPART) { r := add(r, 1) } {
        let s0, s1 := ld($T)
        let a0, a1 := w(add(65, r))
        s0, s1 := esub(s0, s1, a0, a1)
        acc(ci, s0, s1)
        ci := add(ci, 1)
        a0, a1 := esbox(a0, a1)
        if lt(r, $NPART_M1) { a0 := addmod(a0, tbl(add($PC_FPRC, r)), P) }
        st($T, a0, a1)
        poseidonPartialFast(r)
    }
    // Second full rounds.
    for { let r := 0 } lt(r, $HALF) { r := add(r, 1) } {
        poseidonConst(mul(12, add(r, $HALF_PLUS_NPART)))
        for { let i := 0 } lt(i, 12) { i := add(i, 1) } {
            let p := add($T, shl(6, i))
            let s0, s1 := ld(p)
            let a0, a1 := w(add(add($START_FULL_1, mul(12, r)), i))
            s0, s1 := esub(s0, s1, a0, a1)
            acc(ci, s0, s1)
            ci := add(ci, 1)
            st(p, a0, a1)
        }
        poseidonFullSboxMds()
    }
    for { let i := 0 } lt(i, 12) { i := add(i, 1) } {
        let s0, s1 := ld(add($T, shl(6, i)))
        let a0, a1 := w(add(12, i))
        s0, s1 := esub(s0, s1, a0, a1)
        acc(ci, s0, s1)
        ci := add(ci, 1)
    }
}"#;

/// Yul helpers of the Poseidon gate (state at `$T`, 12 extension elements).
pub const POSEIDON_HELPERS: &str = r#"            // Poseidon constant k of the table (8 bytes big-endian each).
            function tbl(k) -> c {
                c := shr(192, mload(add($PCON, shl(3, k))))
            }
            function poseidonConst(k) {
                for { let i := 0 } lt(i, 12) { i := add(i, 1) } {
                    let p := add($T, shl(6, i))
                    mstore(p, addmod(mload(p), tbl(add(k, i)), P))
                }
            }
            // S-box on every element, then the full MDS layer (circulant + diagonal).
            function poseidonFullSboxMds() {
                for { let i := 0 } lt(i, 12) { i := add(i, 1) } {
                    let p := add($T, shl(6, i))
                    let a0, a1 := ld(p)
                    a0, a1 := esbox(a0, a1)
                    st(p, a0, a1)
                }
                for { let r := 0 } lt(r, 12) { r := add(r, 1) } {
                    let p := add($T, shl(6, r))
                    let c := tbl(add($PC_DIAG, r))
                    let x0 := mul(mload(p), c)
                    let x1 := mul(mload(add(p, 0x20)), c)
                    for { let i := 0 } lt(i, 12) { i := add(i, 1) } {
                        let q := add($T, shl(6, mod(add(i, r), 12)))
                        c := tbl(add($PC_CIRC, i))
                        x0 := add(x0, mul(mload(q), c))
                        x1 := add(x1, mul(mload(add(q, 0x20)), c))
                    }
                    st(add(add($T, 0x300), shl(6, r)), mod(x0, P), mod(x1, P))
                }
                mcopy($T, add($T, 0x300), 0x300)
            }
            // result[0] = s[0]; result[c] = sum_{r >= 1} s[r] * M[r-1][c-1].
            function poseidonPartialInit() {
                let o := add($T, 0x300)
                st(o, mload($T), mload(add($T, 0x20)))
                for { let c := 1 } lt(c, 12) { c := add(c, 1) } {
                    let x0 := 0
                    let x1 := 0
                    for { let r := 1 } lt(r, 12) { r := add(r, 1) } {
                        let m := tbl(add($PC_INIT, add(mul(11, sub(r, 1)), sub(c, 1))))
                        let q := add($T, shl(6, r))
                        x0 := addmod(x0, mulmod(mload(q), m, P), P)
                        x1 := addmod(x1, mulmod(mload(add(q, 0x20)), m, P), P)
                    }
                    st(add(o, shl(6, c)), x0, x1)
                }
                mcopy($T, o, 0x300)
            }
            // d = s[0] * (CIRC[0] + DIAG[0]) + sum_{i >= 1} s[i] * W_HAT[r][i-1];
            // result = [d, s[i] + s[0] * VS[r][i-1] ...].
            function poseidonPartialFast(r) {
                let s0, s1 := ld($T)
                let m := addmod(tbl($PC_CIRC), tbl($PC_DIAG), P)
                let d0 := mulmod(s0, m, P)
                let d1 := mulmod(s1, m, P)
                for { let i := 1 } lt(i, 12) { i := add(i, 1) } {
                    let p := add($T, shl(6, i))
                    let wh := tbl(add($PC_WHAT, add(mul(11, r), sub(i, 1))))
                    d0 := addmod(d0, mulmod(mload(p), wh, P), P)
                    d1 := addmod(d1, mulmod(mload(add(p, 0x20)), wh, P), P)
                    let v := tbl(add($PC_VS, add(mul(11, r), sub(i, 1))))
                    mstore(p, addmod(mload(p), mulmod(s0, v, P), P))
                    mstore(add(p, 0x20), addmod(mload(add(p, 0x20)), mulmod(s1, v, P), P))
                }
                st($T, d0, d1)
            }
"#;

/// Placeholder values of the Poseidon gate code.
pub fn poseidon_substitutions(t: &PoseidonTable) -> Vec<(&'static str, String)> {
    vec![
        (
            "$HALF_PLUS_NPART",
            (HALF_N_FULL_ROUNDS + N_PARTIAL_ROUNDS).to_string(),
        ),
        ("$HALF", HALF_N_FULL_ROUNDS.to_string()),
        ("$NPART_M1", (N_PARTIAL_ROUNDS - 1).to_string()),
        ("$NPART", N_PARTIAL_ROUNDS.to_string()),
        (
            "$START_FULL_1",
            (2 * SPONGE_WIDTH + 1 + 4 + SPONGE_WIDTH * (HALF_N_FULL_ROUNDS - 1) + N_PARTIAL_ROUNDS)
                .to_string(),
        ),
        ("$PC_FIRST", t.first.to_string()),
        ("$PC_FPRC", t.fprc.to_string()),
        ("$PC_INIT", t.init.to_string()),
        ("$PC_VS", t.vs.to_string()),
        ("$PC_WHAT", t.what.to_string()),
        ("$PC_CIRC", t.circ.to_string()),
        ("$PC_DIAG", t.diag.to_string()),
    ]
}

/// Whether the Poseidon helpers are needed.
pub fn uses_poseidon(gs: &GateSet) -> bool {
    gs.gates
        .iter()
        .any(|g| matches!(g.kind, GateKind::Poseidon | GateKind::PoseidonMds))
}

/// The Poseidon round-constant table starts at index 0 of the table (checked).
pub fn check_table(t: &PoseidonTable) -> Result<()> {
    ensure!(t.rc == 0, "round constants first");
    ensure!(F::ZERO.to_canonical_u64() == 0, "field");
    Ok(())
}
