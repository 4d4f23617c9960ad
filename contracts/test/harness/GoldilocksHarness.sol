// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Goldilocks, GoldilocksExt2} from "../../src/lib/Goldilocks.sol";

/// @dev Exposes the internal library functions as external calls, so that tests can expect
///      reverts and `forge test --gas-report` lists a per-function gas line. Gas-report
///      figures include the external call (ABI decoding, dispatch); GoldilocksGas.t.sol
///      measures the bare inlined costs.
contract GoldilocksHarness {
    function isCanonical(uint256 a) external pure returns (bool) {
        return Goldilocks.isCanonical(a);
    }

    function reduce(uint256 a) external pure returns (uint256) {
        return Goldilocks.reduce(a);
    }

    function add(uint256 a, uint256 b) external pure returns (uint256) {
        return Goldilocks.add(a, b);
    }

    function sub(uint256 a, uint256 b) external pure returns (uint256) {
        return Goldilocks.sub(a, b);
    }

    function neg(uint256 a) external pure returns (uint256) {
        return Goldilocks.neg(a);
    }

    function mul(uint256 a, uint256 b) external pure returns (uint256) {
        return Goldilocks.mul(a, b);
    }

    function square(uint256 a) external pure returns (uint256) {
        return Goldilocks.square(a);
    }

    function mulAdd(uint256 a, uint256 b, uint256 c) external pure returns (uint256) {
        return Goldilocks.mulAdd(a, b, c);
    }

    function expPowerOf2(uint256 a, uint256 k) external pure returns (uint256) {
        return Goldilocks.expPowerOf2(a, k);
    }

    function pow(uint256 a, uint256 e) external view returns (uint256) {
        return Goldilocks.pow(a, e);
    }

    function powSmall(uint256 a, uint256 e) external pure returns (uint256) {
        return Goldilocks.powSmall(a, e);
    }

    function powPrecompile(uint256 a, uint256 e) external view returns (uint256) {
        return Goldilocks.powPrecompile(a, e);
    }

    function inv(uint256 a) external pure returns (uint256) {
        return Goldilocks.inv(a);
    }

    function div(uint256 a, uint256 b) external pure returns (uint256) {
        return Goldilocks.div(a, b);
    }

    function batchInv(uint256[] memory a) external pure returns (uint256[] memory) {
        return Goldilocks.batchInv(a);
    }

    function extAdd(uint256 a0, uint256 a1, uint256 b0, uint256 b1) external pure returns (uint256, uint256) {
        return GoldilocksExt2.add(a0, a1, b0, b1);
    }

    function extSub(uint256 a0, uint256 a1, uint256 b0, uint256 b1) external pure returns (uint256, uint256) {
        return GoldilocksExt2.sub(a0, a1, b0, b1);
    }

    function extNeg(uint256 a0, uint256 a1) external pure returns (uint256, uint256) {
        return GoldilocksExt2.neg(a0, a1);
    }

    function extMul(uint256 a0, uint256 a1, uint256 b0, uint256 b1) external pure returns (uint256, uint256) {
        return GoldilocksExt2.mul(a0, a1, b0, b1);
    }

    function extSquare(uint256 a0, uint256 a1) external pure returns (uint256, uint256) {
        return GoldilocksExt2.square(a0, a1);
    }

    function extMulBase(uint256 a0, uint256 a1, uint256 s) external pure returns (uint256, uint256) {
        return GoldilocksExt2.mulBase(a0, a1, s);
    }

    function extExpPowerOf2(uint256 a0, uint256 a1, uint256 k) external pure returns (uint256, uint256) {
        return GoldilocksExt2.expPowerOf2(a0, a1, k);
    }

    function extPow(uint256 a0, uint256 a1, uint256 e) external pure returns (uint256, uint256) {
        return GoldilocksExt2.pow(a0, a1, e);
    }

    function extInv(uint256 a0, uint256 a1) external pure returns (uint256, uint256) {
        return GoldilocksExt2.inv(a0, a1);
    }

    function extDiv(uint256 a0, uint256 a1, uint256 b0, uint256 b1) external pure returns (uint256, uint256) {
        return GoldilocksExt2.div(a0, a1, b0, b1);
    }
}
