// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./utils/Test.sol";
import {Goldilocks, GoldilocksExt2} from "../src/lib/Goldilocks.sol";
import {GoldilocksHarness} from "./harness/GoldilocksHarness.sol";

/// @dev Known-answer vectors were computed independently with arbitrary-precision integers
///      (JavaScript BigInt) and, where noted, are plonky2's published constants.
contract GoldilocksTest is Test {
    uint256 internal constant P = 0xFFFFFFFF00000001;

    GoldilocksHarness internal h;

    function setUp() public {
        h = new GoldilocksHarness();
    }

    // ---------------------------------------------------------------- helpers

    /// @dev Maps a fuzz input to a canonical element, biased towards the top of the field
    ///      (where wrap-around bugs live) when the input is not canonical already.
    function fe(uint256 x) internal pure returns (uint256) {
        if (x < P) return x;
        uint256 r = x % P;
        return (x >> 255) == 1 ? P - 1 - (r % 1024) : r;
    }

    function assertCanonical(uint256 x) internal pure {
        assertLt(x, P, "result not canonical");
    }

    /// @dev Schoolbook extension multiplication through base-field calls: an implementation
    ///      independent of the library's lazily reduced one.
    function refExtMul(uint256 a0, uint256 a1, uint256 b0, uint256 b1) internal pure returns (uint256, uint256) {
        uint256 c0 = (a0 * b0 % P + 7 * (a1 * b1 % P)) % P;
        uint256 c1 = (a0 * b1 % P + a1 * b0 % P) % P;
        return (c0, c1);
    }

    // ---------------------------------------------------------------- constants

    function test_constants() public pure {
        assertEq(Goldilocks.P, 2 ** 64 - 2 ** 32 + 1);
        assertEq(Goldilocks.P_MINUS_ONE, Goldilocks.P - 1);
        assertEq(GoldilocksExt2.P, Goldilocks.P);
        assertEq(GoldilocksExt2.W, 7);
    }

    // ---------------------------------------------------------------- base field: known answers

    function test_isCanonical_boundaries() public view {
        assertTrue(h.isCanonical(0));
        assertTrue(h.isCanonical(P - 1));
        assertFalse(h.isCanonical(P));
        assertFalse(h.isCanonical(type(uint256).max));
    }

    function test_reduce_knownValues() public view {
        assertEq(h.reduce(P), 0);
        assertEq(h.reduce(P + 5), 5);
        assertEq(h.reduce(2 ** 64), 2 ** 32 - 1); // 2^64 = 2^32 - 1 (mod p)
        assertEq(h.reduce(type(uint256).max), 4294967294); // 2^256 - 1 = 2^32 - 2 (mod p)
        assertEq(h.reduce(2 ** 255), 9223372036854775808); // = 2^63 (2^192 = 1)
    }

    function test_add_sub_neg_knownValues() public view {
        assertEq(h.add(P - 1, 1), 0);
        assertEq(h.add(P - 1, P - 1), P - 2);
        assertEq(h.sub(0, 1), P - 1);
        assertEq(h.sub(5, 7), P - 2);
        assertEq(h.sub(7, 5), 2);
        assertEq(h.sub(3, 0), 3);
        assertEq(h.neg(0), 0);
        assertEq(h.neg(1), P - 1);
        assertEq(h.neg(P - 1), 1);
    }

    function test_mul_knownValues() public view {
        assertEq(h.mul(P - 1, P - 1), 1);
        assertEq(h.mul(2 ** 32, 2 ** 32), 2 ** 32 - 1);
        assertEq(h.mul(0x1234567890abcdef, 0xfedcba0987654321), 7330873412539399799);
        assertEq(h.square(P - 1), 1);
        assertEq(h.mulAdd(P - 1, P - 1, P - 1), 0);
    }

    function test_pow_knownValues() public view {
        // 2^96 = -1 and 2^192 = 1 (mod p)
        assertEq(h.pow(2, 96), P - 1);
        assertEq(h.pow(2, 192), 1);
        assertEq(h.powSmall(2, 96), P - 1);
        assertEq(h.powPrecompile(2, 192), 1);
        // 7 is a quadratic non-residue and generates F_p^*
        assertEq(h.pow(7, (P - 1) / 2), P - 1);
        assertEq(h.pow(7, P - 1), 1);
        // plonky2 POWER_OF_TWO_GENERATOR has order exactly 2^32
        uint256 g = Goldilocks.POWER_OF_TWO_GENERATOR;
        assertEq(h.pow(g, 2 ** 31), P - 1);
        assertEq(h.pow(g, 2 ** 32), 1);
        assertEq(h.expPowerOf2(g, 31), P - 1);
        assertEq(h.expPowerOf2(g, 32), 1);
        assertEq(h.pow(0x1234567890abcdef, 0xdeadbeef), 8263723017494324861);
        assertEq(h.powSmall(0x1234567890abcdef, 0xdeadbeef), 8263723017494324861);
        // edge exponents and bases
        assertEq(h.pow(0, 0), 1);
        assertEq(h.powSmall(0, 0), 1);
        assertEq(h.powPrecompile(0, 0), 1);
        assertEq(h.pow(0, 5), 0);
        assertEq(h.pow(P - 1, 1), P - 1);
        assertEq(h.pow(P - 1, 255), P - 1);
        assertEq(h.pow(P - 1, 256), 1);
        assertEq(h.powSmall(P, 3), 0);
        assertEq(h.expPowerOf2(5, 0), 5);
        assertEq(h.expPowerOf2(P + 5, 0), 5);
    }

    function test_inv_knownValues() public view {
        assertEq(h.inv(1), 1);
        assertEq(h.inv(2), 9223372034707292161); // (p + 1) / 2
        assertEq(h.inv(3), 12297829379609722881);
        assertEq(h.inv(7), 2635249152773512046);
        assertEq(h.inv(P - 1), P - 1);
        assertEq(h.inv(P + 2), 9223372034707292161); // non-canonical input is reduced first
        assertEq(h.div(1, 2), 9223372034707292161);
        assertEq(h.div(6, 3), 2);
    }

    function test_inv_zeroReverts() public {
        vm.expectRevert(Goldilocks.ZeroInverse.selector);
        h.inv(0);
        vm.expectRevert(Goldilocks.ZeroInverse.selector);
        h.inv(P); // P = 0 (mod p)
        vm.expectRevert(Goldilocks.ZeroInverse.selector);
        h.div(1, 0);
    }

    function test_batchInv_knownValues() public view {
        uint256[] memory a = new uint256[](4);
        a[0] = 2;
        a[1] = 3;
        a[2] = 7;
        a[3] = P - 1;
        uint256[] memory r = h.batchInv(a);
        assertEq(r.length, 4);
        assertEq(r[0], 9223372034707292161);
        assertEq(r[1], 12297829379609722881);
        assertEq(r[2], 2635249152773512046);
        assertEq(r[3], P - 1);
        assertEq(h.batchInv(new uint256[](0)).length, 0);
        uint256[] memory one = new uint256[](1);
        one[0] = 3;
        assertEq(h.batchInv(one)[0], 12297829379609722881);
    }

    function test_batchInv_zeroReverts() public {
        uint256[] memory a = new uint256[](3);
        a[0] = 2;
        a[1] = 0;
        a[2] = 7;
        vm.expectRevert(Goldilocks.ZeroInverse.selector);
        h.batchInv(a);
    }

    // ---------------------------------------------------------------- base field: fuzz

    function testFuzz_add_matchesReference(uint256 a, uint256 b) public view {
        (a, b) = (fe(a), fe(b));
        uint256 r = h.add(a, b);
        assertEq(r, (a + b) % P);
        assertCanonical(r);
    }

    function testFuzz_add_acceptsAnyInput(uint256 a, uint256 b) public view {
        assertEq(h.add(a, b), (a % P + b % P) % P);
    }

    function testFuzz_sub_matchesReference(uint256 a, uint256 b) public view {
        (a, b) = (fe(a), fe(b));
        uint256 r = h.sub(a, b);
        assertEq(r, (a + P - b) % P);
        assertEq(h.add(r, b), a);
        assertCanonical(r);
    }

    function testFuzz_neg(uint256 a) public view {
        a = fe(a);
        uint256 r = h.neg(a);
        assertCanonical(r);
        assertEq(h.add(a, r), 0);
        assertEq(h.neg(r), a);
        assertEq(h.sub(0, a), r);
    }

    function testFuzz_mul_matchesReference(uint256 a, uint256 b) public view {
        (a, b) = (fe(a), fe(b));
        uint256 r = h.mul(a, b);
        // a, b < 2^64: the checked product cannot overflow; no mulmod involved.
        assertEq(r, (a * b) % P);
        assertCanonical(r);
        assertEq(h.square(a), (a * a) % P);
    }

    function testFuzz_mul_acceptsAnyInput(uint256 a, uint256 b) public view {
        assertEq(h.mul(a, b), ((a % P) * (b % P)) % P);
    }

    function testFuzz_mulAdd(uint256 a, uint256 b, uint256 c) public view {
        (a, b, c) = (fe(a), fe(b), fe(c));
        uint256 r = h.mulAdd(a, b, c);
        assertEq(r, (a * b + c) % P);
        assertCanonical(r);
    }

    function testFuzz_ring_axioms(uint256 a, uint256 b, uint256 c) public view {
        (a, b, c) = (fe(a), fe(b), fe(c));
        // distributivity
        assertEq(h.mul(a, h.add(b, c)), h.add(h.mul(a, b), h.mul(a, c)));
        assertEq(h.mul(a, h.sub(b, c)), h.sub(h.mul(a, b), h.mul(a, c)));
        // associativity and commutativity
        assertEq(h.mul(h.mul(a, b), c), h.mul(a, h.mul(b, c)));
        assertEq(h.add(h.add(a, b), c), h.add(a, h.add(b, c)));
        assertEq(h.mul(a, b), h.mul(b, a));
    }

    function testFuzz_inv(uint256 a) public view {
        a = fe(a);
        vm.assume(a != 0);
        uint256 r = h.inv(a);
        assertCanonical(r);
        assertEq(h.mul(a, r), 1, "a * inv(a) != 1");
        assertEq(h.inv(r), a);
        // Fermat through the EVM's own MODEXP as an independent reference
        assertEq(r, h.powPrecompile(a, P - 2));
    }

    function testFuzz_inv_acceptsAnyInput(uint256 a) public view {
        vm.assume(a % P != 0);
        assertEq(h.inv(a), h.inv(a % P));
    }

    function testFuzz_div(uint256 a, uint256 b) public view {
        (a, b) = (fe(a), fe(b));
        vm.assume(b != 0);
        uint256 q = h.div(a, b);
        assertCanonical(q);
        assertEq(h.mul(q, b), a);
    }

    function testFuzz_pow_agrees(uint256 a, uint256 e) public view {
        uint256 r = h.powPrecompile(a, e);
        assertCanonical(r);
        assertEq(h.powSmall(a, e), r);
        assertEq(h.pow(a, e), r);
        // also across the small/precompile switch
        uint256 es = e % 1024;
        assertEq(h.pow(a, es), h.powPrecompile(a, es));
    }

    function testFuzz_pow_exponentLaws(uint256 a, uint64 e1, uint64 e2) public view {
        a = fe(a);
        assertEq(h.pow(a, uint256(e1) + e2), h.mul(h.pow(a, e1), h.pow(a, e2)));
        assertEq(h.pow(a, uint256(e1) * e2), h.pow(h.pow(a, e1), e2));
    }

    function testFuzz_expPowerOf2(uint256 a, uint256 k) public view {
        k = bound(k, 0, 255);
        uint256 r = h.expPowerOf2(a, k);
        assertCanonical(r);
        assertEq(r, h.powPrecompile(a, 2 ** k));
    }

    function testFuzz_batchInv(uint256[] memory xs) public view {
        uint256 n = xs.length > 24 ? 24 : xs.length;
        uint256[] memory a = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            a[i] = fe(xs[i]);
            if (a[i] == 0) a[i] = 1;
        }
        uint256[] memory r = h.batchInv(a);
        assertEq(r.length, n);
        for (uint256 i = 0; i < n; i++) {
            assertEq(r[i], h.inv(a[i]));
        }
    }

    // ---------------------------------------------------------------- extension: known answers

    function test_ext_knownValues() public view {
        uint256 c0;
        uint256 c1;
        // X * X = W = 7
        (c0, c1) = h.extMul(0, 1, 0, 1);
        assertEq(c0, 7);
        assertEq(c1, 0);
        (c0, c1) = h.extSquare(0, 1);
        assertEq(c0, 7);
        assertEq(c1, 0);
        // X^-1 = X / 7
        (c0, c1) = h.extInv(0, 1);
        assertEq(c0, 0);
        assertEq(c1, 2635249152773512046);
        // (3 + 5X)^-1
        (c0, c1) = h.extInv(3, 5);
        assertEq(c0, 9445621963254455827);
        assertEq(c1, 15001870176933547490);
        // b * c, b^0xdeadbeef, b^-1 for b = 0x1234567890abcdef + 0xfedcba0987654321 X
        (c0, c1) = h.extMul(0x1234567890abcdef, 0xfedcba0987654321, P - 2, 12345678901234567890);
        assertEq(c0, 4599432903700346531);
        assertEq(c1, 6696903082276709878);
        (c0, c1) = h.extPow(0x1234567890abcdef, 0xfedcba0987654321, 0xdeadbeef);
        assertEq(c0, 5911327264175885930);
        assertEq(c1, 734213635421116588);
        (c0, c1) = h.extInv(0x1234567890abcdef, 0xfedcba0987654321);
        assertEq(c0, 3708693829733316204);
        assertEq(c1, 1381241639492117789);
        // edge values
        (c0, c1) = h.extMul(P - 1, P - 1, P - 1, P - 1);
        assertEq(c0, 8); // 1 + 7
        assertEq(c1, 2);
        (c0, c1) = h.extNeg(0, P - 1);
        assertEq(c0, 0);
        assertEq(c1, 1);
        (c0, c1) = h.extSub(0, 0, 1, 1);
        assertEq(c0, P - 1);
        assertEq(c1, P - 1);
        (c0, c1) = h.extPow(5, 6, 0);
        assertEq(c0, 1);
        assertEq(c1, 0);
    }

    function test_ext_twoAdicGenerator() public view {
        // plonky2 EXT_POWER_OF_TWO_GENERATOR = 0 + g X has order exactly 2^33
        uint256 g = GoldilocksExt2.POWER_OF_TWO_GENERATOR_1;
        (uint256 c0, uint256 c1) = h.extExpPowerOf2(0, g, 32);
        assertEq(c0, P - 1);
        assertEq(c1, 0);
        (c0, c1) = h.extExpPowerOf2(0, g, 33);
        assertEq(c0, 1);
        assertEq(c1, 0);
        (c0, c1) = h.extPow(0, g, 2 ** 33);
        assertEq(c0, 1);
        assertEq(c1, 0);
    }

    function test_ext_invZeroReverts() public {
        vm.expectRevert(Goldilocks.ZeroInverse.selector);
        h.extInv(0, 0);
        vm.expectRevert(Goldilocks.ZeroInverse.selector);
        h.extDiv(1, 1, 0, 0);
    }

    // ---------------------------------------------------------------- extension: fuzz

    function testFuzz_ext_mul_matchesReference(uint256 a0, uint256 a1, uint256 b0, uint256 b1) public view {
        (a0, a1, b0, b1) = (fe(a0), fe(a1), fe(b0), fe(b1));
        (uint256 c0, uint256 c1) = h.extMul(a0, a1, b0, b1);
        (uint256 r0, uint256 r1) = refExtMul(a0, a1, b0, b1);
        assertEq(c0, r0);
        assertEq(c1, r1);
        assertCanonical(c0);
        assertCanonical(c1);
        (c0, c1) = h.extMul(b0, b1, a0, a1);
        assertEq(c0, r0, "not commutative");
        assertEq(c1, r1, "not commutative");
        (c0, c1) = h.extSquare(a0, a1);
        (r0, r1) = refExtMul(a0, a1, a0, a1);
        assertEq(c0, r0);
        assertEq(c1, r1);
    }

    function testFuzz_ext_embedsBaseField(uint256 a, uint256 b) public view {
        (a, b) = (fe(a), fe(b));
        (uint256 c0, uint256 c1) = h.extMul(a, 0, b, 0);
        assertEq(c0, h.mul(a, b));
        assertEq(c1, 0);
        (c0, c1) = h.extMulBase(a, b, 7);
        assertEq(c0, h.mul(a, 7));
        assertEq(c1, h.mul(b, 7));
    }

    function testFuzz_ext_distributive(uint256 a0, uint256 a1, uint256 b0, uint256 b1, uint256 c0, uint256 c1)
        public
        view
    {
        (a0, a1, b0, b1, c0, c1) = (fe(a0), fe(a1), fe(b0), fe(b1), fe(c0), fe(c1));
        (uint256 s0, uint256 s1) = h.extAdd(b0, b1, c0, c1);
        (uint256 l0, uint256 l1) = h.extMul(a0, a1, s0, s1); // a (b + c)
        (uint256 x0, uint256 x1) = h.extMul(a0, a1, b0, b1);
        (s0, s1) = h.extMul(a0, a1, c0, c1);
        (x0, x1) = h.extAdd(x0, x1, s0, s1); // a b + a c
        assertEq(l0, x0);
        assertEq(l1, x1);
    }

    function testFuzz_ext_associative(uint256 a0, uint256 a1, uint256 b0, uint256 b1, uint256 c0, uint256 c1)
        public
        view
    {
        (a0, a1, b0, b1, c0, c1) = (fe(a0), fe(a1), fe(b0), fe(b1), fe(c0), fe(c1));
        (uint256 l0, uint256 l1) = h.extMul(a0, a1, b0, b1);
        (l0, l1) = h.extMul(l0, l1, c0, c1); // (a b) c
        (uint256 r0, uint256 r1) = h.extMul(b0, b1, c0, c1);
        (r0, r1) = h.extMul(a0, a1, r0, r1); // a (b c)
        assertEq(l0, r0);
        assertEq(l1, r1);
    }

    function testFuzz_ext_addSub(uint256 a0, uint256 a1, uint256 b0, uint256 b1) public view {
        (a0, a1, b0, b1) = (fe(a0), fe(a1), fe(b0), fe(b1));
        (uint256 s0, uint256 s1) = h.extSub(a0, a1, b0, b1);
        assertEq(s0, h.sub(a0, b0));
        assertEq(s1, h.sub(a1, b1));
        (s0, s1) = h.extAdd(s0, s1, b0, b1);
        assertEq(s0, a0);
        assertEq(s1, a1);
    }

    function testFuzz_ext_inv(uint256 a0, uint256 a1) public view {
        (a0, a1) = (fe(a0), fe(a1));
        vm.assume(a0 != 0 || a1 != 0);
        (uint256 i0, uint256 i1) = h.extInv(a0, a1);
        assertCanonical(i0);
        assertCanonical(i1);
        (uint256 c0, uint256 c1) = h.extMul(a0, a1, i0, i1);
        assertEq(c0, 1, "a * inv(a) != 1");
        assertEq(c1, 0, "a * inv(a) != 1");
        (c0, c1) = h.extInv(i0, i1);
        assertEq(c0, a0);
        assertEq(c1, a1);
        // Fermat in F_{p^2}: a^(p^2 - 2) = a^-1
        (c0, c1) = h.extPow(a0, a1, P * P - 2);
        assertEq(c0, i0);
        assertEq(c1, i1);
    }

    function testFuzz_ext_div(uint256 a0, uint256 a1, uint256 b0, uint256 b1) public view {
        (a0, a1, b0, b1) = (fe(a0), fe(a1), fe(b0), fe(b1));
        vm.assume(b0 != 0 || b1 != 0);
        (uint256 q0, uint256 q1) = h.extDiv(a0, a1, b0, b1);
        (uint256 c0, uint256 c1) = h.extMul(q0, q1, b0, b1);
        assertEq(c0, a0);
        assertEq(c1, a1);
    }

    function testFuzz_ext_neg(uint256 a0, uint256 a1) public view {
        (a0, a1) = (fe(a0), fe(a1));
        (uint256 n0, uint256 n1) = h.extNeg(a0, a1);
        assertCanonical(n0);
        assertCanonical(n1);
        (uint256 c0, uint256 c1) = h.extAdd(a0, a1, n0, n1);
        assertEq(c0, 0);
        assertEq(c1, 0);
    }

    function testFuzz_ext_pow(uint256 a0, uint256 a1, uint64 e1, uint64 e2) public view {
        (a0, a1) = (fe(a0), fe(a1));
        (uint256 x0, uint256 x1) = h.extPow(a0, a1, e1);
        (uint256 y0, uint256 y1) = h.extPow(a0, a1, e2);
        (uint256 l0, uint256 l1) = h.extPow(a0, a1, uint256(e1) + e2);
        (uint256 r0, uint256 r1) = h.extMul(x0, x1, y0, y1);
        assertEq(l0, r0);
        assertEq(l1, r1);
        assertCanonical(l0);
        assertCanonical(l1);
    }

    function testFuzz_ext_pow_smallExponents(uint256 a0, uint256 a1, uint8 e) public view {
        (a0, a1) = (fe(a0), fe(a1));
        e = e % 9;
        (uint256 r0, uint256 r1) = (uint256(1), uint256(0));
        for (uint256 i = 0; i < e; i++) {
            (r0, r1) = refExtMul(r0, r1, a0, a1);
        }
        (uint256 l0, uint256 l1) = h.extPow(a0, a1, e);
        assertEq(l0, r0);
        assertEq(l1, r1);
    }

    function testFuzz_ext_expPowerOf2(uint256 a0, uint256 a1, uint256 k) public view {
        (a0, a1) = (fe(a0), fe(a1));
        k = bound(k, 0, 40);
        (uint256 l0, uint256 l1) = h.extExpPowerOf2(a0, a1, k);
        (uint256 r0, uint256 r1) = h.extPow(a0, a1, 2 ** k);
        assertEq(l0, r0);
        assertEq(l1, r1);
    }
}
