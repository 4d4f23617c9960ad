{# QuireFri: the FRI check; rendered by src/solidity/quire_fri.rs. A KeccakHash<25> is
   left-aligned in a word: `hmask` keeps its 25 bytes. -#}
{% let hmask = "0xffffffffffffffffffffffffffffffffffffffffffffffffff00000000000000" -%}
{% include "header.sol" %}

// forgefmt: disable-start
/// @title QuireFri
/// @notice FRI check of Quire's wrapper proofs (plonky2 verify_fri_proof with KeccakHash<25> Merkle trees).
/// @dev Called by QuireVerifier after the transcript (`ch` is its challenge vector) and the PoW check.
///      LDE 2^{{ s.lde_bits() }}, {{ s.num_query_rounds }} queries, arities {{ arities }}, final polynomial of {{ s.final_poly_len }} coefficients.
contract QuireFri {
    uint256 internal constant P = 0xffffffff00000001;
    error BadInput();
    error NonCanonical();

    /// @notice Whether every FRI query round of `proof` is consistent (Merkle paths, folding, final polynomial).
    function verifyFri(bytes calldata proof, uint256[] calldata ch) external pure returns (bool ok) {
        if (proof.length != {{ o.total }} || ch.length != {{ ch.len }}) revert BadInput();
        assembly ("memory-safe") {
{{ field }}
            function chv(k) -> x {
                x := calldataload(add(mload({{ m.ch }}), shl(5, k)))
            }
            function rawInvalid(v) -> bad {
                bad := and(eq(and(v, 0xffffffff), 0xffffffff), gt(shr(32, v), 0))
            }
            // KeccakHash<25>::hash_or_noop of the `nbytes / 8` elements at calldata `off`
            // (left-aligned in a word); every element must be canonical.
            function hashLeaf(off, nbytes) -> h {
                for { let i := 0 } lt(i, nbytes) { i := add(i, 8) } {
                    if rawInvalid(shr(192, calldataload(add(off, i)))) {
                        mstore(0x00, 0x7ba9e47a) // NonCanonical()
                        revert(0x1c, 0x04)
                    }
                }
                switch gt(nbytes, 25)
                case 1 {
                    calldatacopy({{ m.buf }}, off, nbytes)
                    h := and(keccak256({{ m.buf }}, nbytes), {{ hmask }})
                }
                default { h := and(calldataload(off), not(shr(shl(3, nbytes), not(0)))) }
            }
            // Walks `n` sibling hashes (25 bytes each, bottom first) from leaf hash h at index idx.
            function merkle(h, idx, off, n) -> root {
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    let sib := and(calldataload(add(off, mul(25, i))), {{ hmask }})
                    switch and(idx, 1)
                    case 0 {
                        mstore(0x00, h)
                        mstore(25, sib)
                    }
                    default {
                        mstore(0x00, sib)
                        mstore(25, h)
                    }
                    h := and(keccak256(0x00, 50), {{ hmask }})
                    idx := shr(1, idx)
                }
                root := h
            }
            // (s0, s1) * alpha^n + sum_k alpha^k v_k over the n base elements at calldata `off`.
            function hornerBase(s0, s1, off, n) -> r0, r1 {
                let a0 := mload({{ m.alpha }})
                let a1 := mload(add({{ m.alpha }}, 0x20))
                for { let k := n } k { k := sub(k, 1) } {
                    s0, s1 := emul(s0, s1, a0, a1)
                    s0 := addmod(s0, rd(add(off, shl(3, sub(k, 1)))), P)
                }
                r0 := s0
                r1 := s1
            }
            function revBits(v, bits) -> r {
                for { let i := 0 } lt(i, bits) { i := add(i, 1) } {
                    r := or(shl(1, r), and(v, 1))
                    v := shr(1, v)
                }
            }
            function fpow(b, e) -> r {
                r := 1
                for {} e { e := shr(1, e) } {
                    if and(e, 1) { r := mulmod(r, b, P) }
                    b := mulmod(b, b, P)
                }
            }
            // shift * g^reverse_bits(idx): the LDE point of query index idx (shift = plonky2's
            // MULTIPLICATIVE_GROUP_GENERATOR of Goldilocks, the LDE coset shift).
            function subgroupX(idx) -> x {
                x := mulmod({{ coset_shift }}, fpow({{ g_lde }}, revBits(idx, {{ s.lde_bits() }})), P)
            }
            // Coset interpolation, first pass: stores pt_i = c g^i and the prefix products of the
            // norms N_i = (b0 - pt_i)^2 - 7 b1^2 of beta - pt_i at {{ m.buf }}; returns prod_i N_i (one
            // inversion for the whole coset, Montgomery's trick).
            function interpPrepare(pt, g, m) -> acc {
                let b0 := mload({{ m.beta }})
                let n7 := mload(add({{ m.beta }}, 0x40))
                acc := 1
                for { let i := 0 } lt(i, m) { i := add(i, 1) } {
                    mstore(add({{ m.buf }}, shl(5, i)), pt)
                    mstore(add({{ m.buf }}, shl(5, add(i, m))), acc)
                    let d0 := addmod(b0, sub(P, pt), P)
                    acc := mulmod(acc, addmod(mulmod(d0, d0, P), sub(P, n7), P), P)
                    pt := mulmod(pt, g, P)
                }
            }
            // e_i * pt_i / (beta - pt_i), given ni = 1 / N_i: 1 / (d0 + b1 u) = (d0 - b1 u) / N_i.
            function interpTerm(i, a, eoff, ni) -> e0, e1 {
                let p := mload(add({{ m.buf }}, shl(5, i)))
                let s := mulmod(p, ni, P)
                let ev := add(eoff, shl(4, revBits(i, a)))
                e0, e1 := emul(
                    mulmod(rd(ev), s, P),
                    mulmod(rd(add(ev, 8)), s, P),
                    addmod(mload({{ m.beta }}), sub(P, p), P),
                    sub(P, mload(add({{ m.beta }}, 0x20)))
                )
            }
            // Second pass: sum_i e_i pt_i / (beta - pt_i), inv = 1 / prod_i N_i.
            function interpSum(a, eoff, m, inv) -> r0, r1 {
                let b0 := mload({{ m.beta }})
                let n7 := mload(add({{ m.beta }}, 0x40))
                for { let i := m } i {} {
                    i := sub(i, 1)
                    let d0 := addmod(b0, sub(P, mload(add({{ m.buf }}, shl(5, i)))), P)
                    let ni := mulmod(inv, mload(add({{ m.buf }}, shl(5, add(i, m)))), P)
                    inv := mulmod(inv, addmod(mulmod(d0, d0, P), sub(P, n7), P), P)
                    let e0, e1 := interpTerm(i, a, eoff, ni)
                    r0, r1 := eadd(r0, r1, e0, e1)
                }
            }
            // plonky2 compute_evaluation: the polynomial through the coset's 2^a evaluations at
            // eoff (in bit-reversed order), evaluated at beta. The coset is c * <g>, c = x *
            // g^(2^a - rev(within)); P(beta) = (beta^m - c^m) / (m c^m) * sum_i e_i c g^i / (beta - c g^i).
            // g is a primitive 2^a-th root of unity (plonky2's primitive_root_of_unity(a)).
            function interpolate(x, within, a, eoff, g) -> r0, r1 {
                let m := shl(a, 1)
                {
                    let b1 := mload(add({{ m.beta }}, 0x20))
                    mstore(add({{ m.beta }}, 0x40), mulmod(mulmod(b1, b1, P), 7, P))
                }
                let acc := interpPrepare(mulmod(x, fpow(g, sub(m, revBits(within, a))), P), g, m)
                r0, r1 := interpSum(a, eoff, m, finv(acc))
                let b0, b1 := ld({{ m.beta }})
                let cm := x
                for { let k := 0 } lt(k, a) { k := add(k, 1) } {
                    b0, b1 := esq(b0, b1)
                    cm := mulmod(cm, cm, P)
                }
                let f := finv(mulmod(m, cm, P))
                r0, r1 := emul(r0, r1, mulmod(addmod(b0, sub(P, cm), P), f, P), mulmod(b1, f, P))
            }
            function query(q) -> good {
                let qoff := add(mload({{ m.base }}), add({{ o.queries }}, mul(q, {{ s.query_bytes() }})))
                let idx := chv(add({{ ch.queries }}, q))
{%- for t in initial %}
                // Initial oracle {{ t.i }}: leaf of {{ t.width }} elements, path of {{ t.path_len }} hashes.
                {
                    let h := hashLeaf(add(qoff, {{ t.off }}), {{ t.leaf_bytes }})
                    h := merkle(h, idx, add(qoff, {{ t.path_off }}), {{ t.path_len }})
                    if iszero(eq(h, {% if let Some(cap) = t.cap_off %}and(calldataload(add(mload({{ m.base }}), {{ cap }})), {{ hmask }}){% else %}{{ cs_cap }}{% endif %})) { leave }
                }
{%- endfor %}
                // Batched reduction: sum_k alpha^k leaf_k over every opened polynomial (zeta batch),
                // and over the Z polynomials (g*zeta batch).
                let s0 := 0
                let s1 := 0
{%- for t in initial.iter().rev() %}
                s0, s1 := hornerBase(s0, s1, add(qoff, {{ t.off }}), {{ t.width }})
{%- endfor %}
                let x := subgroupX(idx)
                s0, s1 := esub(s0, s1, mload({{ m.red_zeta }}), mload(add({{ m.red_zeta }}, 0x20)))
                {
                    let d0, d1 := einv(addmod(x, sub(P, mload({{ m.zeta }})), P), sub(P, mload(add({{ m.zeta }}, 0x20))))
                    s0, s1 := emul(s0, s1, d0, d1)
                }
                s0, s1 := emul(s0, s1, mload({{ m.alpha_nc }}), mload(add({{ m.alpha_nc }}, 0x20)))
                {
                    let t0, t1 := hornerBase(0, 0, add(qoff, {{ zs_leaf }}), {{ s.num_challenges }})
                    t0, t1 := esub(t0, t1, mload({{ m.red_next }}), mload(add({{ m.red_next }}, 0x20)))
                    let d0, d1 := einv(addmod(x, sub(P, mload({{ m.zeta_next }})), P), sub(P, mload(add({{ m.zeta_next }}, 0x20))))
                    t0, t1 := emul(t0, t1, d0, d1)
                    s0, s1 := eadd(s0, s1, t0, t1)
                }
{%- for f in steps %}
                // Folding step {{ f.i }}: arity 2^{{ f.arity_bits }}, {{ f.path_len }} path hashes.
                {
                    let eoff := add(qoff, {{ f.off }})
                    let within := and(idx, {{ f.within_mask }})
                    let ev := add(eoff, shl(4, within))
                    if iszero(and(eq(rd(ev), s0), eq(rd(add(ev, 8)), s1))) { leave }
                    idx := shr({{ f.arity_bits }}, idx)
                    let h := hashLeaf(eoff, {{ f.leaf_bytes }})
                    h := merkle(h, idx, add(eoff, {{ f.leaf_bytes }}), {{ f.path_len }})
                    if iszero(eq(h, and(calldataload(add(mload({{ m.base }}), {{ f.cap_off }})), {{ hmask }}))) { leave }
                    st({{ m.beta }}, chv({{ f.beta }}), chv({{ f.beta + 1 }}))
                    s0, s1 := interpolate(x, within, {{ f.arity_bits }}, eoff, {{ f.g }})
                    for { let k := 0 } lt(k, {{ f.arity_bits }}) { k := add(k, 1) } { x := mulmod(x, x, P) }
                }
{%- endfor %}
                // The final polynomial at x.
                let f0 := 0
                let f1 := 0
                for { let k := {{ s.final_poly_len }} } k { k := sub(k, 1) } {
                    let p := add(mload({{ m.base }}), add({{ o.final_poly }}, shl(4, sub(k, 1))))
                    f0 := addmod(mulmod(f0, x, P), rd(p), P)
                    f1 := addmod(mulmod(f1, x, P), rd(add(p, 8)), P)
                }
                good := and(eq(f0, s0), eq(f1, s1))
            }
            mstore(0x40, {{ m.end }})
            mstore({{ m.base }}, proof.offset)
            mstore({{ m.ch }}, ch.offset)
            let a0 := chv({{ ch.fri_alpha }})
            let a1 := chv(add({{ ch.fri_alpha }}, 1))
            st({{ m.alpha }}, a0, a1)
            {
                let p0 := 1
                let p1 := 0
                for { let i := 0 } lt(i, {{ s.num_challenges }}) { i := add(i, 1) } { p0, p1 := emul(p0, p1, a0, a1) }
                st({{ m.alpha_nc }}, p0, p1)
            }
            // Reduced openings: sum_k alpha^k opening_k at zeta, and at g*zeta.
            {
                let r0 := 0
                let r1 := 0
                let base := add(proof.offset, {{ o.openings }})
                for { let k := {{ s.num_openings_zeta() }} } k { k := sub(k, 1) } {
                    r0, r1 := emul(r0, r1, a0, a1)
                    let p := add(base, shl(4, sub(k, 1)))
                    r0, r1 := eadd(r0, r1, rd(p), rd(add(p, 8)))
                }
                st({{ m.red_zeta }}, r0, r1)
                r0 := 0
                r1 := 0
                base := add(proof.offset, {{ o.openings_next }})
                for { let k := {{ s.num_challenges }} } k { k := sub(k, 1) } {
                    r0, r1 := emul(r0, r1, a0, a1)
                    let p := add(base, shl(4, sub(k, 1)))
                    r0, r1 := eadd(r0, r1, rd(p), rd(add(p, 8)))
                }
                st({{ m.red_next }}, r0, r1)
            }
            {
                let z0 := chv({{ ch.zeta }})
                let z1 := chv(add({{ ch.zeta }}, 1))
                st({{ m.zeta }}, z0, z1)
                z0, z1 := emul(z0, z1, {{ g_next[0] }}, {{ g_next[1] }})
                st({{ m.zeta_next }}, z0, z1)
            }
            ok := 1
            for { let q := 0 } lt(q, {{ s.num_query_rounds }}) { q := add(q, 1) } {
                if iszero(query(q)) {
                    ok := 0
                    break
                }
            }
        }
    }
}
// forgefmt: disable-end
