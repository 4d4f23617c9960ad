// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Test, console} from "./utils/Test.sol";
import {Goldilocks, GoldilocksExt2} from "../src/lib/Goldilocks.sol";

/// @dev Measures the bare (inlined, no external call) gas of the library operations and of
///      the alternatives that were considered, printing them with `forge test
///      --match-contract GoldilocksGas -vv`. Compare EVM versions with `--evm-version prague`.
///      Inputs are read from storage so the optimizer cannot constant-fold the operations.
contract GoldilocksGasTest is Test {
    uint256 internal constant P = 0xFFFFFFFF00000001;

    uint256 internal a = 0x1234567890abcdef;
    uint256 internal b = 0xfedcba0987654321;
    uint256 internal c = 12345678901234567890;
    uint256 internal d = 0xdeadbeefcafebabe;
    uint256 internal overhead;

    function setUp() public {
        uint256 g0 = gasleft();
        uint256 g1 = gasleft();
        overhead = g0 - g1;
    }

    /// @dev `g1` must be taken before the call: evaluating a string literal argument allocates memory.
    function report(string memory name, uint256 g0, uint256 g1) internal view returns (uint256 used) {
        used = g0 - g1 - overhead;
        console.log(name, used);
    }

    /// @dev Fermat by plain square-and-multiply over the bits of p - 2 (reference only).
    function invLoop(uint256 x) internal pure returns (uint256) {
        return Goldilocks.powSmall(x, P - 2);
    }

    /// @dev Fermat through the MODEXP precompile (reference only).
    function invPrecompile(uint256 x) internal view returns (uint256) {
        return Goldilocks.powPrecompile(x, P - 2);
    }

    function test_gas_base() public view {
        uint256 x = a;
        uint256 y = b;
        uint256 r;
        uint256 g;
        uint256 gEnd;
        g = gasleft();
        r = Goldilocks.add(x, y);
        gEnd = gasleft();
        report("add", g, gEnd);
        g = gasleft();
        r ^= Goldilocks.sub(x, y);
        gEnd = gasleft();
        report("sub", g, gEnd);
        g = gasleft();
        r ^= Goldilocks.neg(x);
        gEnd = gasleft();
        report("neg", g, gEnd);
        g = gasleft();
        r ^= Goldilocks.mul(x, y);
        gEnd = gasleft();
        report("mul", g, gEnd);
        g = gasleft();
        r ^= Goldilocks.mulAdd(x, y, r);
        gEnd = gasleft();
        report("mulAdd", g, gEnd);
        g = gasleft();
        r ^= Goldilocks.expPowerOf2(x, 20);
        gEnd = gasleft();
        report("expPowerOf2(k = 20)", g, gEnd);
        assertTrue(r != 0);
    }

    function test_gas_inverse() public view {
        uint256 x = a;
        uint256 g;
        uint256 gEnd;
        uint256 r1;
        uint256 r2;
        uint256 r3;
        g = gasleft();
        r1 = Goldilocks.inv(x);
        gEnd = gasleft();
        report("inv (addition chain, chosen)", g, gEnd);
        g = gasleft();
        r2 = invPrecompile(x);
        gEnd = gasleft();
        report("inv via MODEXP precompile", g, gEnd);
        g = gasleft();
        r3 = invLoop(x);
        gEnd = gasleft();
        report("inv via square-and-multiply loop", g, gEnd);
        assertEq(r1, r2);
        assertEq(r1, r3);
    }

    function test_gas_pow() public view {
        uint256 x = a;
        uint256 g;
        uint256 gEnd;
        uint256 r;
        uint256[6] memory exps = [uint256(7), 63, 255, 2 ** 20 - 1, 2 ** 32 - 1, P - 2];
        string[6] memory names = ["e = 7", "e = 2^6 - 1", "e = 2^8 - 1", "e = 2^20 - 1", "e = 2^32 - 1", "e = p - 2"];
        for (uint256 i = 0; i < exps.length; i++) {
            uint256 e = exps[i] ^ (d & 0); // runtime value
            console.log(names[i]);
            g = gasleft();
            r ^= Goldilocks.powSmall(x, e);
            gEnd = gasleft();
            report("  powSmall (loop)", g, gEnd);
            g = gasleft();
            r ^= Goldilocks.powPrecompile(x, e);
            gEnd = gasleft();
            report("  powPrecompile (MODEXP)", g, gEnd);
            g = gasleft();
            r ^= Goldilocks.pow(x, e);
            gEnd = gasleft();
            report("  pow (chosen)", g, gEnd);
        }
        assertTrue(r != 1);
    }

    function test_gas_ext() public view {
        uint256 x0 = a;
        uint256 x1 = b;
        uint256 y0 = c;
        uint256 y1 = d % P;
        uint256 g;
        uint256 gEnd;
        uint256 r0;
        uint256 r1;
        g = gasleft();
        (r0, r1) = GoldilocksExt2.add(x0, x1, y0, y1);
        gEnd = gasleft();
        report("ext add", g, gEnd);
        g = gasleft();
        (r0, r1) = GoldilocksExt2.mul(r0, r1, y0, y1);
        gEnd = gasleft();
        report("ext mul", g, gEnd);
        g = gasleft();
        (r0, r1) = GoldilocksExt2.square(r0, r1);
        gEnd = gasleft();
        report("ext square", g, gEnd);
        g = gasleft();
        (r0, r1) = GoldilocksExt2.mulBase(r0, r1, y0);
        gEnd = gasleft();
        report("ext mulBase", g, gEnd);
        g = gasleft();
        (r0, r1) = GoldilocksExt2.inv(r0, r1);
        gEnd = gasleft();
        report("ext inv", g, gEnd);
        g = gasleft();
        (r0, r1) = GoldilocksExt2.expPowerOf2(r0, r1, 20);
        gEnd = gasleft();
        report("ext expPowerOf2(k = 20)", g, gEnd);
        g = gasleft();
        (r0, r1) = GoldilocksExt2.pow(r0, r1, P - 2);
        gEnd = gasleft();
        report("ext pow (e = p - 2)", g, gEnd);
        assertTrue(r0 != 0 || r1 != 0);
    }

    function test_gas_batchInv() public view {
        uint256[] memory xs = new uint256[](16);
        for (uint256 i = 0; i < 16; i++) {
            xs[i] = Goldilocks.add(a, i);
        }
        uint256 gEnd;
        uint256 g = gasleft();
        uint256[] memory r = Goldilocks.batchInv(xs);
        gEnd = gasleft();
        report("batchInv (n = 16)", g, gEnd);
        assertEq(Goldilocks.mul(r[15], xs[15]), 1);
    }
}
