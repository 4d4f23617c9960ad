// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {console} from "./Test.sol";
import {RollupBase} from "./RollupBase.sol";
import {QuireVerifier} from "../../src/verifier/QuireVerifier.sol";

/// @dev What the gas tests share: each measured call charged as Ethereum charges a
///      transaction since Pectra (EIP-7623, see test/RollupGas.t.sol for the method), the
///      real verifier's cost on its fixture proof, and the isolation-mode guard.
abstract contract GasMeter is RollupBase {
    /// @dev The prover service's largest batch (prover/src/config.rs MAX_CAPACITY).
    uint256 internal constant MAX_BATCH = 16_384;
    /// @dev EIP-7825: no transaction may have a gas limit above 2^24.
    uint256 internal constant TX_GAS_CAP = 1 << 24;

    struct Cost {
        uint256 calldataBytes;
        uint256 tokens;
        uint256 execution;
        uint256 charged;
    }

    // Real verifier, measured once per test.
    bytes internal realProof;
    uint256 internal realVerifyGas;

    /// @dev EIP-7623 tokens of `data`: zero bytes count 1, nonzero bytes 4.
    function _tokens(bytes memory data) internal pure returns (uint256 tokens) {
        assembly ("memory-safe") {
            let p := add(data, 0x20)
            let len := mload(data)
            let zeros := 0
            for { let i := 0 } lt(i, len) { i := add(i, 1) } {
                zeros := add(zeros, iszero(byte(0, mload(add(p, i)))))
            }
            tokens := sub(mul(4, len), mul(3, zeros))
        }
    }

    function _price(uint256 tokens, uint256 execution) internal pure returns (uint256) {
        uint256 standard = 4 * tokens + execution;
        uint256 floor = 10 * tokens;
        return 21000 + (standard > floor ? standard : floor);
    }

    function _charge(bytes memory data) internal returns (Cost memory c) {
        c.calldataBytes = data.length;
        c.tokens = _tokens(data);
        // Each measured call is its own L1 transaction: start from cold accounts and slots.
        vm.cool(address(rollup));
        vm.cool(address(verifier));
        // The call straight from `data` in memory: a Solidity `.call(data)` would first copy
        // the calldata to fresh memory inside the measured span, and this contract's memory
        // (several large batches) makes that copy cost more with every measurement.
        address target = address(rollup);
        bool ok;
        uint256 g = gasleft();
        assembly ("memory-safe") {
            ok := call(gas(), target, 0, add(data, 0x20), mload(data), 0, 0)
        }
        c.execution = g - gasleft();
        require(ok, "call failed");
        c.charged = _price(c.tokens, c.execution);
    }

    /// @dev Whether forge runs top-level calls as separate transactions (`--isolate`, which
    ///      `--gas-report` turns on): a measured call then also carries its transaction's
    ///      intrinsic gas, and the figures here would count it twice.
    function _isolated() internal returns (bool) {
        bytes memory data = abi.encodeWithSignature("tokenCount()");
        address target = address(rollup);
        uint256 g = gasleft();
        assembly ("memory-safe") {
            pop(call(gas(), target, 0, add(data, 0x20), mload(data), 0, 0))
        }
        return g - gasleft() >= 21000;
    }

    function _skipIfIsolated() internal returns (bool skip) {
        skip = _isolated();
        if (skip) {
            console.log(
                "isolation mode (--isolate / --gas-report): not measured; run `npx forge test --match-test Gas -vv`"
            );
        }
    }

    /// @dev Deploys the real verifier and measures one cold verification of the fixture proof.
    function _realVerifier() internal {
        if (realVerifyGas != 0) return;
        string memory json = vm.readFile("test/fixtures/verifier/proof_0.json");
        bytes memory proof = vm.parseJsonBytes(json, ".proof");
        uint256[] memory pis = vm.parseJsonUintArray(json, ".public_inputs");
        QuireVerifier real = new QuireVerifier();
        vm.cool(address(real));
        vm.cool(address(real.GATES()));
        vm.cool(address(real.FRI()));
        uint256 g = gasleft();
        bool ok = real.verify(proof, pis);
        realVerifyGas = g - gasleft();
        assertTrue(ok, "the real verifier rejects its fixture");
        realProof = proof;
    }

    function _logCost(string memory name, Cost memory c) internal view {
        console.log(
            string.concat(
                name,
                "calldata_bytes=",
                vm.toString(c.calldataBytes),
                " execution=",
                vm.toString(c.execution),
                " floor=",
                vm.toString(21000 + 10 * c.tokens),
                " charged=",
                vm.toString(c.charged)
            )
        );
    }

    /// @dev The gas limit the transaction needs: at the verifier call, 63/64 of what is left
    ///      must cover the verification (EIP-150), so the limit exceeds the gas used by about
    ///      a 63rd of it; under floor pricing the limit must cover the floor as well.
    function _gasLimitNeeded(uint256 tokens, uint256 execution) internal view returns (uint256) {
        uint256 standard = 21000 + 4 * tokens + execution + realVerifyGas + realVerifyGas / 63 + 1;
        uint256 floor = 21000 + 10 * tokens;
        return standard > floor ? standard : floor;
    }
}
