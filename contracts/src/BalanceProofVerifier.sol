// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {StateProof} from "./lib/StateProof.sol";

/// @title BalanceProofVerifier
/// @notice Recomputes Quire's state root from balances of one account and their Merkle paths
///         (plonky2 Poseidon, see StateProof and Poseidon). Stateless and pure.
/// @dev A contract of its own because the unrolled Poseidon permutation (~12 KB of code) does
///      not fit next to the rollup under the 24 KiB code-size limit. The rollup deploys it in
///      its constructor, so its address is fixed by the rollup's own code: there is no
///      separate deployment to trust or configure.
contract BalanceProofVerifier {
    /// @notice The state root `p` leads to (compare with a batch's `stateRoot`); reverts with
    ///         the rollup's error when `p` is malformed (see `StateProof.root`).
    function rootOf(StateProof.AccountProof calldata p) external pure returns (bytes32) {
        return StateProof.root(p);
    }
}
