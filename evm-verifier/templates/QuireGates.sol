{# QuireGates: gate constraints, vanishing polynomial and quotient at zeta; rendered by
   src/solidity/quire_gates.rs. -#}
{% include "header.sol" %}

// forgefmt: disable-start
/// @title QuireGates
/// @notice Vanishing polynomial of Quire's wrapper circuit at zeta: every gate's constraints (filtered by its selector), Z(1) and the permutation's partial-product checks, combined with the alpha powers; and the quotient side Z_H(zeta) * t(zeta).
/// @dev Called by QuireVerifier after it has checked the proof's length and that every opening
///      is canonical and replayed the transcript (`ch` is its challenge vector). Gates:
{%- for g in gate_docs %}
///      - {{ g.id }} (selector {{ g.selector }}, group {{ g.group }})
{%- endfor %}
contract QuireGates {
    uint256 internal constant P = 0xffffffff00000001;
    error BadInput();

    /// @dev Poseidon constants (round constants, fast partial-round matrices, MDS) then the
    ///      permutation's coset shifts k_i: 8 bytes big-endian each.
    bytes internal constant TABLE = hex"{{ table }}";

    /// @notice [gate constraints at zeta (2 words each), then per challenge round j: vanishing(zeta) (2 words),
    ///         Z_H(zeta) * quotient_j(zeta) (2 words)]. The proof verifies only if the last two agree for every j.
    function evaluate(bytes calldata proof, uint256[] calldata ch) external pure returns (uint256[] memory out) {
        if (proof.length != {{ o.total }} || ch.length != {{ ch.len }}) revert BadInput();
        assembly ("memory-safe") {
            mstore(0x40, {{ m.end }})
        }
        bytes memory table = TABLE;
        assembly ("memory-safe") {
            if iszero(eq(table, {{ m.end }})) { revert(0, 0) }
{{ field }}
            function chv(k) -> x {
                x := calldataload(add(mload({{ m.ch_ptr }}), shl(5, k)))
            }
            function wp(i) -> p {
                p := add({{ m.wires }}, shl(6, i))
            }
            function w(i) -> a0, a1 {
                a0, a1 := ld(add({{ m.wires }}, shl(6, i)))
            }
            function kc(i) -> a0, a1 {
                a0, a1 := ld(add({{ m.gate_constants }}, shl(6, i)))
            }
            // Gate-constraint accumulator i += filter * c.
            function acc(i, c0, c1) {
                let p := add({{ m.acc }}, shl(6, i))
                let f0, f1 := ld({{ m.filter }})
                c0, c1 := emul(c0, c1, f0, f1)
                mstore(p, addmod(mload(p), c0, P))
                mstore(add(p, 0x20), addmod(mload(add(p, 0x20)), c1, P))
            }
            // Both coordinates of the algebra element at p, as constraints i and i + 1.
            function accA(i, p) {
                let a0, a1 := ld(p)
                acc(i, a0, a1)
                a0, a1 := ld(add(p, 0x40))
                acc(add(i, 1), a0, a1)
            }
{{ gate_helpers }}
{#- The vanishing polynomial (plonky2 `eval_vanishing_poly`, no lookups) and the quotient
    identity's right-hand side, written to the results. #}
            // Numerator wire + beta*k_j*zeta + gamma and denominator wire + beta*sigma_j + gamma of
            // routed wire j (beta*zeta, beta, gamma of the current round at {{ m.scratch }} + 0x80 ..).
            function nd(j) -> x0, x1, y0, y1 {
                let w0, w1 := w(j)
                let k := tbl(add({{ pc_kis }}, j))
                let gamma := mload(add({{ m.scratch }}, 0xe0))
                x0 := addmod(addmod(w0, mulmod(mload(add({{ m.scratch }}, 0x80)), k, P), P), gamma, P)
                x1 := addmod(w1, mulmod(mload(add({{ m.scratch }}, 0xa0)), k, P), P)
                let sp := add({{ m.sigmas }}, shl(6, j))
                let beta := mload(add({{ m.scratch }}, 0xc0))
                y0 := addmod(addmod(w0, mulmod(beta, mload(sp), P), P), gamma, P)
                y1 := addmod(w1, mulmod(beta, mload(add(sp, 0x20)), P), P)
            }
            function chunkProducts(lo, hi) -> n0, n1, d0, d1 {
                n0 := 1
                d0 := 1
                for { let j := lo } lt(j, hi) { j := add(j, 1) } {
                    let x0, x1, y0, y1 := nd(j)
                    n0, n1 := emul(n0, n1, x0, x1)
                    d0, d1 := emul(d0, d1, y0, y1)
                }
            }
            // prev_acc * num - next_acc * den for every chunk of challenge round i.
            function partialProductTerms(i) {
                let beta := chv(add({{ ch.betas }}, i))
                mstore(add({{ m.scratch }}, 0x80), mulmod(beta, mload({{ m.scratch }}), P))
                mstore(add({{ m.scratch }}, 0xa0), mulmod(beta, mload(add({{ m.scratch }}, 0x20)), P))
                mstore(add({{ m.scratch }}, 0xc0), beta)
                mstore(add({{ m.scratch }}, 0xe0), chv(add({{ ch.gammas }}, i)))
                for { let t := 0 } lt(t, add({{ s.num_partial_products }}, 1)) { t := add(t, 1) } {
                    let hi := mul(add(t, 1), {{ s.quotient_degree_factor }})
                    if gt(hi, {{ s.num_routed_wires }}) { hi := {{ s.num_routed_wires }} }
                    let n0, n1, d0, d1 := chunkProducts(mul(t, {{ s.quotient_degree_factor }}), hi)
                    let prev := add({{ m.zs }}, shl(6, i))
                    if t { prev := add({{ m.partial_products }}, shl(6, add(mul(i, {{ s.num_partial_products }}), sub(t, 1)))) }
                    let next := add({{ m.zs_next }}, shl(6, i))
                    if lt(t, {{ s.num_partial_products }}) { next := add({{ m.partial_products }}, shl(6, add(mul(i, {{ s.num_partial_products }}), t))) }
                    let a0, a1 := ld(prev)
                    n0, n1 := emul(n0, n1, a0, a1)
                    a0, a1 := ld(next)
                    d0, d1 := emul(d0, d1, a0, a1)
                    n0, n1 := esub(n0, n1, d0, d1)
                    st(add({{ m.terms }}, shl(6, add({{ s.num_challenges }}, add(mul(i, add({{ s.num_partial_products }}, 1)), t)))), n0, n1)
                }
            }
            function zOneTerms() {
                let z0, z1 := ld({{ m.scratch }})
                let zn0, zn1 := ld(add({{ m.scratch }}, 0x40))
                // L_0(zeta) = (zeta^n - 1) / (n (zeta - 1)).
                let l0, l1 := einv(mulmod(addmod(z0, sub(P, 1), P), {{ trace_len }}, P), mulmod(z1, {{ trace_len }}, P))
                l0, l1 := emul(l0, l1, addmod(zn0, sub(P, 1), P), zn1)
                for { let i := 0 } lt(i, {{ s.num_challenges }}) { i := add(i, 1) } {
                    let a0, a1 := ld(add({{ m.zs }}, shl(6, i)))
                    a0, a1 := emul(addmod(a0, sub(P, 1), P), a1, l0, l1)
                    st(add({{ m.terms }}, shl(6, i)), a0, a1)
                }
            }
            // Round j: sum_k alpha_j^k term_k, and Z_H(zeta) * sum_i t_{j,i} zeta^(n i), to {{ m.res }}.
            function combine(j) {
                let alpha := chv(add({{ ch.alphas }}, j))
                let v0 := 0
                let v1 := 0
                for { let k := {{ num_terms }} } k { k := sub(k, 1) } {
                    let a0, a1 := ld(add({{ m.terms }}, shl(6, sub(k, 1))))
                    v0 := addmod(mulmod(v0, alpha, P), a0, P)
                    v1 := addmod(mulmod(v1, alpha, P), a1, P)
                }
                let r := add({{ m.res }}, shl(7, j))
                st(r, v0, v1)
                let zn0, zn1 := ld(add({{ m.scratch }}, 0x40))
                v0 := 0
                v1 := 0
                for { let k := {{ s.quotient_degree_factor }} } k { k := sub(k, 1) } {
                    let a0, a1 := ld(add({{ m.quotient }}, shl(6, add(mul(j, {{ s.quotient_degree_factor }}), sub(k, 1)))))
                    v0, v1 := emul(v0, v1, zn0, zn1)
                    v0, v1 := eadd(v0, v1, a0, a1)
                }
                v0, v1 := emul(v0, v1, addmod(zn0, sub(P, 1), P), zn1)
                st(add(r, 0x40), v0, v1)
            }
            function vanishing() {
                let z0 := chv({{ ch.zeta }})
                let z1 := chv(add({{ ch.zeta }}, 1))
                st({{ m.scratch }}, z0, z1)
                for { let i := 0 } lt(i, {{ s.degree_bits }}) { i := add(i, 1) } { z0, z1 := esq(z0, z1) }
                st(add({{ m.scratch }}, 0x40), z0, z1)
                zOneTerms()
                for { let i := 0 } lt(i, {{ s.num_challenges }}) { i := add(i, 1) } { partialProductTerms(i) }
                // The gate constraints were accumulated right after the other terms ({{ m.acc }}).
                for { let j := 0 } lt(j, {{ s.num_challenges }}) { j := add(j, 1) } { combine(j) }
            }
            mstore({{ m.ch_ptr }}, ch.offset)
            // Openings at zeta and g*zeta, as (c0, c1) words.
            {
                let src := add(proof.offset, {{ o.openings }})
                for { let i := 0 } lt(i, {{ opening_words }}) { i := add(i, 1) } {
                    mstore(add({{ m.constants }}, shl(5, i)), mod(rd(add(src, shl(3, i))), P))
                }
                for { let i := 0 } lt(i, 4) { i := add(i, 1) } { mstore(add({{ m.pi_hash }}, shl(5, i)), chv(i)) }
            }
{%- for g in gate_blocks %}
            // {{ g.id }}
            {
{{ g.code }}
            }
{%- endfor %}
            vanishing()
            out := mload(0x40)
            mstore(out, {{ out_len }})
            mcopy(add(out, 0x20), {{ m.acc }}, {{ acc_bytes }})
            mcopy(add(out, {{ res_at }}), {{ m.res }}, {{ res_bytes }})
            mstore(0x40, add(out, {{ out_bytes }}))
        }
    }
}
// forgefmt: disable-end
