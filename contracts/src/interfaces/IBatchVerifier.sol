// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title IBatchVerifier
/// @notice The proof verifier the rollup calls for every batch. The production implementation
///         is the plonky2 EVM-wrapper verifier generated from the wrapper circuit (issue #7);
///         tests use a clearly marked test double.
/// @dev `publicInputs` are Goldilocks elements (each < 2^64 - 2^32 + 1), 24 of them in the
///      order of decision D9: old state root (4 limbs), new state root (4 limbs), pubdata
///      commitment (eight 32-bit big-endian words of keccak256(pubdata)), priority commitment
///      (eight 32-bit big-endian words). Must not modify state; returns false (or reverts) on
///      an invalid proof.
interface IBatchVerifier {
    function verify(bytes calldata proof, uint256[] calldata publicInputs) external view returns (bool);
}
