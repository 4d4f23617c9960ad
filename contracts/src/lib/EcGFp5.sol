// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Goldilocks} from "./Goldilocks.sol";

/// @title EcGFp5
/// @notice Validation of Quire's L2 public keys: the 40-byte canonical encoding of a point of
///         the EcGFp5 group (T. Pornin, eprint 2022/274), exactly as core's
///         `PublicKey::from_bytes` accepts it.
/// @dev A key is the encoding w ∈ GF(p^5) = GF(p)[z]/(z^5 - 3), written as five little-endian
///      u64 limbs (constant term first). core accepts w iff
///        (1) every limb is < p (canonical),
///        (2) w ≠ 0 (w = 0 encodes the neutral, never a key), and
///        (3) w decodes: with e = w^2 - a (a = 2) and Δ = e^2 - 4b (b = 263·z, so 4b = 1052·z),
///            Δ is a square in GF(p^5) (zero included).
///      Squareness in GF(p^5) is squareness of the norm N(Δ) = Δ^(1+p+p^2+p^3+p^4) ∈ GF(p)
///      (because (p^5 - 1)/2 = (1 + p + ... + p^4)·(p - 1)/2), so the check is four GF(p^5)
///      products, three Frobenius maps and one Euler criterion in GF(p): ~9k gas through an external
///      call (test/L1Libs.t.sol), part of a ~135k-gas ETH deposit.
///      Checking (3) on L1 matters: a deposit to a key the L2 cannot decode could never be
///      processed, so it would block the priority queue until exodus — a cheap griefing attack.
library EcGFp5 {
    uint256 internal constant P = 0xFFFFFFFF00000001;
    /// @dev The Frobenius map x -> x^p multiplies coefficient i by G^i, G = 3^((p-1)/5).
    ///      These are G^i (Φ^1), G^(2i) (Φ^2) for i = 1..4.
    uint256 private constant G1 = 0x0e736627a0aeb983; // G
    uint256 private constant G2 = 0xdb8edc802dc0b266; // G^2
    uint256 private constant G3 = 0x02efb5c2a6f35241; // G^3
    uint256 private constant G4 = 0x130e07948a9d41d6; // G^4
    /// @dev (p - 1) / 2 = 2^63 - 2^31, the Euler-criterion exponent.
    uint256 private constant HALF_ORDER_LOG = 31;

    /// @notice Length of an encoded public key.
    uint256 internal constant KEY_LENGTH = 40;

    /// @notice Whether `key` is a valid encoded EcGFp5 public key (see the library notes).
    ///         Keys of any length other than 40 bytes are invalid.
    function isValidPublicKey(bytes calldata key) internal pure returns (bool) {
        if (key.length != KEY_LENGTH) return false;
        uint256 n;
        bool canonicalNonZero;
        assembly ("memory-safe") {
            // Little-endian u64 limb at calldata offset `ptr`.
            function limb(ptr) -> v {
                let be := shr(192, calldataload(ptr))
                be := or(shr(8, and(be, 0xff00ff00ff00ff00)), shl(8, and(be, 0x00ff00ff00ff00ff)))
                be := or(shr(16, and(be, 0xffff0000ffff0000)), shl(16, and(be, 0x0000ffff0000ffff)))
                v := or(shr(32, be), and(shl(32, be), 0xffffffff00000000))
            }
            // r <- a·b in GF(p^5); elements are 5 words in memory, r may alias a or b. Each
            // coefficient sums at most five products below 2^128 plus three times at most four
            // more, so it is exact in 256 bits and reduced once.
            function mul5(r, a, b) {
                let a0 := mload(a)
                let a1 := mload(add(a, 0x20))
                let a2 := mload(add(a, 0x40))
                let a3 := mload(add(a, 0x60))
                let a4 := mload(add(a, 0x80))
                let b0 := mload(b)
                let b1 := mload(add(b, 0x20))
                let b2 := mload(add(b, 0x40))
                let b3 := mload(add(b, 0x60))
                let b4 := mload(add(b, 0x80))
                mstore(
                    r,
                    mod(add(mul(a0, b0), mul(3, add(add(mul(a1, b4), mul(a2, b3)), add(mul(a3, b2), mul(a4, b1))))), P)
                )
                mstore(
                    add(r, 0x20),
                    mod(add(add(mul(a0, b1), mul(a1, b0)), mul(3, add(add(mul(a2, b4), mul(a3, b3)), mul(a4, b2)))), P)
                )
                mstore(
                    add(r, 0x40),
                    mod(add(add(add(mul(a0, b2), mul(a1, b1)), mul(a2, b0)), mul(3, add(mul(a3, b4), mul(a4, b3)))), P)
                )
                mstore(
                    add(r, 0x60),
                    mod(add(add(add(mul(a0, b3), mul(a1, b2)), add(mul(a2, b1), mul(a3, b0))), mul(3, mul(a4, b4))), P)
                )
                mstore(
                    add(r, 0x80),
                    mod(add(add(add(mul(a0, b4), mul(a1, b3)), add(mul(a2, b2), mul(a3, b1))), mul(a4, b0)), P)
                )
            }
            // r <- Φ^k(a): coefficient i times g_i.
            function frob(r, a, g1, g2, g3, g4) {
                mstore(r, mload(a))
                mstore(add(r, 0x20), mulmod(mload(add(a, 0x20)), g1, P))
                mstore(add(r, 0x40), mulmod(mload(add(a, 0x40)), g2, P))
                mstore(add(r, 0x60), mulmod(mload(add(a, 0x60)), g3, P))
                mstore(add(r, 0x80), mulmod(mload(add(a, 0x80)), g4, P))
            }

            let o := key.offset
            let w0 := limb(o)
            let w1 := limb(add(o, 8))
            let w2 := limb(add(o, 16))
            let w3 := limb(add(o, 24))
            let w4 := limb(add(o, 32))
            canonicalNonZero := and(
                and(and(lt(w0, P), lt(w1, P)), and(lt(w2, P), and(lt(w3, P), lt(w4, P)))),
                iszero(iszero(or(or(w0, w1), or(w2, or(w3, w4)))))
            )
            // Scratch at the free memory pointer (not allocated): x, d, t, 5 words each.
            let x := mload(0x40)
            let d := add(x, 0xa0)
            let t := add(x, 0x140)
            mstore(x, w0)
            mstore(add(x, 0x20), w1)
            mstore(add(x, 0x40), w2)
            mstore(add(x, 0x60), w3)
            mstore(add(x, 0x80), w4)
            // e = w^2 - 2
            mul5(x, x, x)
            mstore(x, addmod(mload(x), sub(P, 2), P))
            // Δ = e^2 - 1052·z
            mul5(x, x, x)
            mstore(add(x, 0x20), addmod(mload(add(x, 0x20)), sub(P, 1052), P))
            // N(Δ) by Itoh–Tsujii: d = Φ(Δ); d <- d·Φ(d) = Δ^(p+p^2); d <- d·Φ^2(d) =
            // Δ^(p+p^2+p^3+p^4); N = (Δ·d)_0.
            frob(d, x, G1, G2, G3, G4)
            frob(t, d, G1, G2, G3, G4)
            mul5(d, d, t)
            frob(t, d, G2, G4, G1, G3) // G^(2i): G^5 = 1, so G^6 = G, G^8 = G^3
            mul5(d, d, t)
            mul5(t, x, d)
            n := mload(t)
        }
        if (!canonicalNonZero) return false;
        // Euler: n^((p-1)/2) = (n^(2^32 - 1))^(2^31) is 1 for a nonzero square; 0 is a square.
        if (n == 0) return true;
        return Goldilocks.expPowerOf2(pow2to32minus1(n), HALF_ORDER_LOG) == 1;
    }

    /// @dev x^(2^32 - 1) by repeated doubling of the exponent's run of ones:
    ///      x^(2^(2k) - 1) = (x^(2^k - 1))^(2^k) · x^(2^k - 1).
    function pow2to32minus1(uint256 x) private pure returns (uint256) {
        uint256 t = mulmod(mulmod(x, x, P), x, P); // 2^2 - 1
        t = mulmod(Goldilocks.expPowerOf2(t, 2), t, P); // 2^4 - 1
        t = mulmod(Goldilocks.expPowerOf2(t, 4), t, P); // 2^8 - 1
        t = mulmod(Goldilocks.expPowerOf2(t, 8), t, P); // 2^16 - 1
        return mulmod(Goldilocks.expPowerOf2(t, 16), t, P); // 2^32 - 1
    }
}
