// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title Goldilocks
/// @notice Arithmetic in the Goldilocks field F_p, p = 2^64 - 2^32 + 1, as used by plonky2.
/// @dev Elements are held in `uint256` words (no uint64 cleanup masks) and are *canonical*:
///      0 <= x < P. Unless a function says otherwise, every input must be canonical and every
///      output is canonical. Values that come from outside (calldata, proofs) must be checked
///      with {isCanonical} (reject) or mapped with {reduce} before they are used.
///
///      Gas notes (all figures measured with forge, evm_version "osaka", see contracts/README.md):
///      - `mulmod`/`addmod` (8 gas) are the cheapest reductions the EVM offers for one
///        product; nothing hand-written beats them.
///      - Because P < 2^64, a product of two elements is < 2^128 and a product of four is
///        < 2^256. Squaring chains therefore use `mul` (5 gas) twice and `mulmod` once per three
///        squarings (x -> x^8), and sums of products are accumulated unreduced and reduced once.
///      - {inv} is Fermat (a^(p-2)) through a fixed addition chain (63 squarings, 9 multiplies),
///        cheaper than the MODEXP precompile since EIP-7883 (Osaka) raised its floor to 500 gas
///        and its per-bit cost to 16. {pow} with a runtime exponent uses the precompile for long
///        exponents, where its 16 gas per exponent bit beats a loop, and a loop for short ones.
library Goldilocks {
    /// @notice The field modulus p = 2^64 - 2^32 + 1.
    uint256 internal constant P = 0xFFFFFFFF00000001;
    /// @notice p - 1 (= -1 in the field).
    uint256 internal constant P_MINUS_ONE = 0xFFFFFFFF00000000;
    /// @notice Generator of the multiplicative group (plonky2 MULTIPLICATIVE_GROUP_GENERATOR).
    uint256 internal constant MULTIPLICATIVE_GROUP_GENERATOR = 14293326489335486720;
    /// @notice Generator of the 2^32-th roots of unity (plonky2 POWER_OF_TWO_GENERATOR).
    uint256 internal constant POWER_OF_TWO_GENERATOR = 7277203076849721926;
    /// @notice The field's two-adicity: 2^32 divides p - 1.
    uint256 internal constant TWO_ADICITY = 32;

    /// @notice Raised when zero is inverted.
    error ZeroInverse();
    /// @notice Raised when the MODEXP precompile call fails (cannot happen on a correct chain).
    error ModExpFailed();

    /// @notice Whether `a` is a canonical field element (a < p).
    function isCanonical(uint256 a) internal pure returns (bool r) {
        assembly ("memory-safe") {
            r := lt(a, P)
        }
    }

    /// @notice Maps any uint256 to its canonical representative mod p.
    function reduce(uint256 a) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := mod(a, P)
        }
    }

    /// @notice a + b. Accepts any uint256 inputs.
    function add(uint256 a, uint256 b) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := addmod(a, b, P)
        }
    }

    /// @notice a - b. `b` must be canonical (b <= p works too); `a` may be any uint256.
    function sub(uint256 a, uint256 b) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := addmod(a, sub(P, b), P)
        }
    }

    /// @notice -a. `a` must be canonical (a <= p works too).
    function neg(uint256 a) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := mod(sub(P, a), P)
        }
    }

    /// @notice a * b. Accepts any uint256 inputs.
    function mul(uint256 a, uint256 b) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := mulmod(a, b, P)
        }
    }

    /// @notice a^2. Accepts any uint256 input.
    function square(uint256 a) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := mulmod(a, a, P)
        }
    }

    /// @notice a * b + c, reduced once. Inputs must be < 2^64 (canonical suffices).
    function mulAdd(uint256 a, uint256 b, uint256 c) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := mod(add(mul(a, b), c), P)
        }
    }

    /// @notice a^(2^k): k successive squarings (e.g. zeta^n for n = 2^k). Accepts any uint256 `a`.
    function expPowerOf2(uint256 a, uint256 k) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := mod(a, P)
            // Three squarings per reduction: r < 2^64 so r^4 < 2^256 is exact.
            for {} gt(k, 2) { k := sub(k, 3) } {
                let r2 := mul(r, r)
                let r4 := mul(r2, r2)
                r := mulmod(r4, r4, P)
            }
            for {} k { k := sub(k, 1) } { r := mulmod(r, r, P) }
        }
    }

    /// @notice a^e for any uint256 `a` and `e` (0^0 = 1).
    /// @dev Exponents below 2^6 use a square-and-multiply loop; longer ones the MODEXP
    ///      precompile (0x05), which costs ~850 gas in all for exponents up to 32 bits
    ///      (EIP-7883: max(500, 16 * (bitlen(e) - 1)) plus the call) against ~80-115 gas per
    ///      exponent bit for the loop (legacy codegen; measured in GoldilocksGas.t.sol).
    function pow(uint256 a, uint256 e) internal view returns (uint256 r) {
        if (e < 64) return powSmall(a, e);
        return powPrecompile(a, e);
    }

    /// @notice a^e by right-to-left square-and-multiply in the EVM. Cheapest for short `e`.
    function powSmall(uint256 a, uint256 e) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := 1
            for {} e { e := shr(1, e) } {
                if and(e, 1) { r := mulmod(r, a, P) }
                a := mulmod(a, a, P)
            }
            r := mod(r, P)
        }
    }

    /// @notice a^e through the MODEXP precompile (0x05). Cheapest for long `e`.
    function powPrecompile(uint256 a, uint256 e) internal view returns (uint256 r) {
        assembly ("memory-safe") {
            // Scratch above the free memory pointer; the pointer is not advanced.
            let m := mload(0x40)
            mstore(m, 0x20) // base length
            mstore(add(m, 0x20), 0x20) // exponent length
            mstore(add(m, 0x40), 0x20) // modulus length
            mstore(add(m, 0x60), a)
            mstore(add(m, 0x80), e)
            mstore(add(m, 0xa0), P)
            if iszero(staticcall(gas(), 0x05, m, 0xc0, m, 0x20)) {
                mstore(0x00, 0x1f7ec5f0) // ModExpFailed()
                revert(0x1c, 0x04)
            }
            r := mload(m)
        }
    }

    /// @notice a^(-1) = a^(p-2) (Fermat). Reverts with {ZeroInverse} if a = 0 mod p.
    ///         Accepts any uint256 input.
    /// @dev p - 2 = 0xFFFFFFFE_FFFFFFFF = (2^31 - 1) * 2^33 + (2^32 - 1). Writing x_k for
    ///      a^(2^k - 1): x_2 = x_1^2 x_1, x_3 = x_2^2 x_1, x_6 = x_3^(2^3) x_3,
    ///      x_12 = x_6^(2^6) x_6, x_24 = x_12^(2^12) x_12, x_30 = x_24^(2^6) x_6,
    ///      x_31 = x_30^2 x_1, s = x_31^2, x_32 = s x_1, a^(p-2) = s^(2^32) x_32.
    ///      63 squarings, 9 multiplications, no branches on the data.
    function inv(uint256 a) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            // Squarings are grouped in threes, x -> x^8 as mulmod(x^4, x^4, p): for x < 2^64,
            // x^4 < 2^256 is exact, so two plain `mul`s replace two `mulmod`s. The chain is
            // written out by hand because the legacy pipeline neither inlines Yul functions in
            // inline assembly nor unrolls loops.
            a := mod(a, P)
            if iszero(a) {
                mstore(0x00, 0x4e8fc07a) // ZeroInverse()
                revert(0x1c, 0x04)
            }
            // forgefmt: disable-start
            let x2 := mulmod(mulmod(a, a, P), a, P)
            let x3 := mulmod(mulmod(x2, x2, P), a, P)
            // x6 = x3^(2^3) x3
            let x := x3
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            let x6 := mulmod(x, x3, P)
            // x12 = x6^(2^6) x6
            x := x6
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            let x12 := mulmod(x, x6, P)
            // x24 = x12^(2^12) x12
            x := x12
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            x := mulmod(x, x12, P) // x24
            // x30 = x24^(2^6) x6
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            x := mulmod(x, x6, P) // x30
            x := mulmod(mulmod(x, x, P), a, P) // x31
            x := mulmod(x, x, P) // s = x31^2
            let x32 := mulmod(x, a, P)
            // s^(2^32) = s^(2^30 * 2^2)
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) let v := mul(u, u) x := mulmod(v, v, P) }
            { let u := mul(x, x) x := mulmod(u, u, P) }
            r := mulmod(x, x32, P)
            // forgefmt: disable-end
        }
    }

    /// @notice a / b. Reverts with {ZeroInverse} if b = 0 mod p.
    function div(uint256 a, uint256 b) internal pure returns (uint256) {
        return mul(a, inv(b));
    }

    /// @notice Inverts every element of `a` with one field inversion (Montgomery's trick:
    ///         3(n-1) multiplications + 1 inversion). Reverts with {ZeroInverse} if any
    ///         element is 0 mod p. Elements must be canonical; returns a new array.
    function batchInv(uint256[] memory a) internal pure returns (uint256[] memory out) {
        uint256 n = a.length;
        out = new uint256[](n);
        if (n == 0) return out;
        uint256 acc;
        assembly ("memory-safe") {
            // out[i] = a[0] * ... * a[i]
            let src := add(a, 0x20)
            let dst := add(out, 0x20)
            let end := add(src, shl(5, n))
            acc := 1
            for {} lt(src, end) {} {
                acc := mulmod(acc, mload(src), P)
                mstore(dst, acc)
                src := add(src, 0x20)
                dst := add(dst, 0x20)
            }
        }
        // reverts on a zero element: the product is then zero
        acc = inv(acc);
        assembly ("memory-safe") {
            // walk back: out[i] = acc * prefix[i-1], acc *= a[i]
            let base := add(a, 0x20)
            let obase := add(out, 0x20)
            for { let i := sub(n, 1) } i { i := sub(i, 1) } {
                let off := shl(5, i)
                mstore(add(obase, off), mulmod(acc, mload(add(obase, sub(off, 0x20))), P))
                acc := mulmod(acc, mload(add(base, off)), P)
            }
            mstore(obase, acc)
        }
    }
}

/// @title GoldilocksExt2
/// @notice The quadratic extension F_p[X]/(X^2 - 7) used by plonky2 (D = 2, W = 7).
/// @dev An element a0 + a1 X is passed as its two coordinates (a0, a1), each a canonical
///      Goldilocks element; results are canonical. Products are accumulated unreduced
///      (each term < 2^131) and reduced once per coordinate.
library GoldilocksExt2 {
    uint256 internal constant P = 0xFFFFFFFF00000001;
    /// @notice The non-residue W with X^2 = W.
    uint256 internal constant W = 7;
    /// @notice Generator of the 2^33-th roots of unity: 0 + g X (plonky2 EXT_POWER_OF_TWO_GENERATOR).
    uint256 internal constant POWER_OF_TWO_GENERATOR_1 = 7226896044987257365;

    /// @notice a + b.
    function add(uint256 a0, uint256 a1, uint256 b0, uint256 b1) internal pure returns (uint256 c0, uint256 c1) {
        assembly ("memory-safe") {
            c0 := addmod(a0, b0, P)
            c1 := addmod(a1, b1, P)
        }
    }

    /// @notice a - b.
    function sub(uint256 a0, uint256 a1, uint256 b0, uint256 b1) internal pure returns (uint256 c0, uint256 c1) {
        assembly ("memory-safe") {
            c0 := addmod(a0, sub(P, b0), P)
            c1 := addmod(a1, sub(P, b1), P)
        }
    }

    /// @notice -a.
    function neg(uint256 a0, uint256 a1) internal pure returns (uint256 c0, uint256 c1) {
        assembly ("memory-safe") {
            c0 := mod(sub(P, a0), P)
            c1 := mod(sub(P, a1), P)
        }
    }

    /// @notice a * b = (a0 b0 + 7 a1 b1) + (a0 b1 + a1 b0) X.
    function mul(uint256 a0, uint256 a1, uint256 b0, uint256 b1) internal pure returns (uint256 c0, uint256 c1) {
        assembly ("memory-safe") {
            c0 := mod(add(mul(a0, b0), mul(mul(a1, b1), 7)), P)
            c1 := mod(add(mul(a0, b1), mul(a1, b0)), P)
        }
    }

    /// @notice a^2 = (a0^2 + 7 a1^2) + 2 a0 a1 X.
    function square(uint256 a0, uint256 a1) internal pure returns (uint256 c0, uint256 c1) {
        assembly ("memory-safe") {
            c0 := mod(add(mul(a0, a0), mul(mul(a1, a1), 7)), P)
            c1 := mulmod(shl(1, a0), a1, P)
        }
    }

    /// @notice a * s for a base-field scalar s.
    function mulBase(uint256 a0, uint256 a1, uint256 s) internal pure returns (uint256 c0, uint256 c1) {
        assembly ("memory-safe") {
            c0 := mulmod(a0, s, P)
            c1 := mulmod(a1, s, P)
        }
    }

    /// @notice a^(2^k): k successive squarings (e.g. zeta^n for n = 2^k).
    function expPowerOf2(uint256 a0, uint256 a1, uint256 k) internal pure returns (uint256 c0, uint256 c1) {
        assembly ("memory-safe") {
            c0 := a0
            c1 := a1
            for {} k { k := sub(k, 1) } {
                let t := mod(add(mul(c0, c0), mul(mul(c1, c1), 7)), P)
                c1 := mulmod(shl(1, c0), c1, P)
                c0 := t
            }
        }
    }

    /// @notice a^e by right-to-left square-and-multiply (0^0 = 1).
    function pow(uint256 a0, uint256 a1, uint256 e) internal pure returns (uint256 c0, uint256 c1) {
        assembly ("memory-safe") {
            c0 := 1
            c1 := 0
            for {} e { e := shr(1, e) } {
                if and(e, 1) {
                    let t := mod(add(mul(c0, a0), mul(mul(c1, a1), 7)), P)
                    c1 := mod(add(mul(c0, a1), mul(c1, a0)), P)
                    c0 := t
                }
                let u := mod(add(mul(a0, a0), mul(mul(a1, a1), 7)), P)
                a1 := mulmod(shl(1, a0), a1, P)
                a0 := u
            }
        }
    }

    /// @notice a^(-1) = (a0 - a1 X) / (a0^2 - 7 a1^2). Reverts with {Goldilocks.ZeroInverse}
    ///         if a = 0 (the norm of a non-zero element is non-zero: 7 is a non-residue mod p).
    function inv(uint256 a0, uint256 a1) internal pure returns (uint256 c0, uint256 c1) {
        uint256 norm;
        assembly ("memory-safe") {
            // a0^2 + (p - 7 a1^2 mod p), both terms < 2^128 + 2^64: reduce once.
            norm := mod(add(mul(a0, a0), sub(P, mulmod(mul(a1, 7), a1, P))), P)
        }
        uint256 ninv = Goldilocks.inv(norm);
        assembly ("memory-safe") {
            c0 := mulmod(a0, ninv, P)
            c1 := mulmod(sub(P, a1), ninv, P)
        }
    }

    /// @notice a / b. Reverts with {Goldilocks.ZeroInverse} if b = 0.
    function div(uint256 a0, uint256 a1, uint256 b0, uint256 b1) internal pure returns (uint256 c0, uint256 c1) {
        (b0, b1) = inv(b0, b1);
        return mul(a0, a1, b0, b1);
    }
}
