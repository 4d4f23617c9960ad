            function bswap64(v) -> r {
                v := or(shr(8, and(v, 0xff00ff00ff00ff00)), shl(8, and(v, 0x00ff00ff00ff00ff)))
                v := or(shr(16, and(v, 0xffff0000ffff0000)), shl(16, and(v, 0x0000ffff0000ffff)))
                r := and(or(shr(32, v), shl(32, v)), 0xffffffffffffffff)
            }
            // The element stored little-endian at calldata offset `off`.
            function rd(off) -> x {
                x := bswap64(shr(192, calldataload(off)))
            }
            function eadd(a0, a1, b0, b1) -> c0, c1 {
                c0 := addmod(a0, b0, P)
                c1 := addmod(a1, b1, P)
            }
            function esub(a0, a1, b0, b1) -> c0, c1 {
                c0 := addmod(a0, sub(P, b0), P)
                c1 := addmod(a1, sub(P, b1), P)
            }
            // (a0 + a1 u)(b0 + b1 u) with u² = 7. Products of canonical values are < 2^128, so
            // one reduction per coordinate suffices.
            function emul(a0, a1, b0, b1) -> c0, c1 {
                c0 := mod(add(mul(a0, b0), mul(mulmod(a1, b1, P), 7)), P)
                c1 := mod(add(mul(a0, b1), mul(a1, b0)), P)
            }
            function esq(a0, a1) -> c0, c1 {
                c0 := mod(add(mul(a0, a0), mul(mulmod(a1, a1, P), 7)), P)
                c1 := mulmod(add(a0, a0), a1, P)
            }
            // x^7, the Poseidon S-box.
            function esbox(a0, a1) -> c0, c1 {
                let s0, s1 := esq(a0, a1)
                let q0, q1 := esq(s0, s1)
                s0, s1 := emul(s0, s1, a0, a1)
                c0, c1 := emul(s0, s1, q0, q1)
            }
            // Fermat inverse a^(p-2) of a nonzero base element (addition chain); reverts on zero.
            function finv(a) -> r {
                if iszero(a) { revert(0, 0) }
                let t2 := mulmod(mulmod(a, a, P), a, P)
                let t3 := mulmod(mulmod(t2, t2, P), a, P)
                let x := t3
{%- call squarings(3) %}
                let t6 := mulmod(x, t3, P)
                x := t6
{%- call squarings(6) %}
                let t12 := mulmod(x, t6, P)
                x := t12
{%- call squarings(12) %}
                x := mulmod(x, t12, P) // t24
{%- call squarings(6) %}
                x := mulmod(x, t6, P) // t30
                x := mulmod(mulmod(x, x, P), a, P) // t31
                let t32 := mulmod(mulmod(x, x, P), a, P)
{%- call squarings(33) %}
                r := mulmod(x, t32, P)
            }
            // 1 / (a0 + a1 u) = (a0 - a1 u) / (a0² - 7 a1²); the norm is nonzero for a nonzero input.
            function einv(a0, a1) -> c0, c1 {
                let n := addmod(mulmod(a0, a0, P), sub(P, mulmod(mulmod(a1, a1, P), 7, P)), P)
                let i := finv(n)
                c0 := mulmod(a0, i, P)
                c1 := mulmod(sub(P, a1), i, P)
            }
            function ld(p) -> a0, a1 {
                a0 := mload(p)
                a1 := mload(add(p, 0x20))
            }
            function st(p, a0, a1) {
                mstore(p, a0)
                mstore(add(p, 0x20), a1)
            }
            // Extension product of the elements at pa and pb.
            function emulp(pa, pb) -> c0, c1 {
                c0, c1 := emul(mload(pa), mload(add(pa, 0x20)), mload(pb), mload(add(pb, 0x20)))
            }
            // Algebra: pr <- pa * pb (pr may alias pa or pb).
            function amul(pa, pb, pr) {
                let x0, x1 := emulp(pa, pb)
                let y0, y1 := emulp(add(pa, 0x40), add(pb, 0x40))
                x0 := addmod(x0, mulmod(y0, 7, P), P)
                x1 := addmod(x1, mulmod(y1, 7, P), P)
                y0, y1 := emulp(pa, add(pb, 0x40))
                let u0, u1 := emulp(add(pa, 0x40), pb)
                mstore(add(pr, 0x40), addmod(y0, u0, P))
                mstore(add(pr, 0x60), addmod(y1, u1, P))
                mstore(pr, x0)
                mstore(add(pr, 0x20), x1)
            }
            // Algebra times an extension scalar.
            function ascal(pa, s0, s1, pr) {
                let x0, x1 := emul(mload(pa), mload(add(pa, 0x20)), s0, s1)
                let y0, y1 := emul(mload(add(pa, 0x40)), mload(add(pa, 0x60)), s0, s1)
                st(pr, x0, x1)
                st(add(pr, 0x40), y0, y1)
            }
            function aadd(pa, pb, pr) {
                mstore(pr, addmod(mload(pa), mload(pb), P))
                mstore(add(pr, 0x20), addmod(mload(add(pa, 0x20)), mload(add(pb, 0x20)), P))
                mstore(add(pr, 0x40), addmod(mload(add(pa, 0x40)), mload(add(pb, 0x40)), P))
                mstore(add(pr, 0x60), addmod(mload(add(pa, 0x60)), mload(add(pb, 0x60)), P))
            }
            function asub(pa, pb, pr) {
                mstore(pr, addmod(mload(pa), sub(P, mload(pb)), P))
                mstore(add(pr, 0x20), addmod(mload(add(pa, 0x20)), sub(P, mload(add(pb, 0x20))), P))
                mstore(add(pr, 0x40), addmod(mload(add(pa, 0x40)), sub(P, mload(add(pb, 0x40))), P))
                mstore(add(pr, 0x60), addmod(mload(add(pa, 0x60)), sub(P, mload(add(pb, 0x60))), P))
            }
{#- Goldilocks, its quadratic extension and the extension algebra (src/yul.rs), in both
    contracts' assembly blocks.

    finv(a) = a^(p-2), straight-line. p - 2 = (2^31 - 1)*2^33 + (2^32 - 1), so with
    t_k = a^(2^k - 1): t_2, t_3, t_6, t_12, t_24, t_30, t_31, t_32 (64 squarings, 9
    multiplications in all). Squarings go two at a time without reduction in between (a
    canonical element is < 2^64, so x^4 < 2^256): `squarings(k)` squares x k times. #}
{%- macro squarings(k) %}
{%- for _ in 0..k / 2 %}
                {
                    let u := mul(x, x)
                    x := mod(mul(u, u), P)
                }
{%- endfor %}
{%- if k % 2 == 1 %}
                x := mulmod(x, x, P)
{%- endif %}
{%- endmacro %}
