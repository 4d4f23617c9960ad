// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {IBatchVerifier} from "../../src/interfaces/IBatchVerifier.sol";

/// @title TestBatchVerifier — TEST DOUBLE, NEVER DEPLOY
/// @notice Stands in for the plonky2 verifier (issue #7) in forge tests. It accepts a "proof"
///         iff `proof == abi.encode(keccak256(abi.encode(publicInputs)))`, so a proof is bound
///         to exactly one set of 24 public inputs: tests of "finalizes only with a valid proof"
///         stay meaningful (a proof for other inputs, a truncated one or garbage is refused).
contract TestBatchVerifier is IBatchVerifier {
    /// @notice The proof this double accepts for `publicInputs`.
    function proofFor(uint256[] memory publicInputs) public pure returns (bytes memory) {
        return abi.encode(keccak256(abi.encode(publicInputs)));
    }

    function verify(bytes calldata proof, uint256[] calldata publicInputs) external pure returns (bool) {
        if (publicInputs.length != 24) return false;
        return keccak256(proof) == keccak256(proofFor(publicInputs));
    }
}

/// @notice A verifier that reverts (e.g. a malformed proof tripping the real verifier).
contract RevertingVerifier is IBatchVerifier {
    function verify(bytes calldata, uint256[] calldata) external pure returns (bool) {
        revert("boom");
    }
}
