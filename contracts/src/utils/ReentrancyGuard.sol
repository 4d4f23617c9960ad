// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title ReentrancyGuard
/// @notice A reentrancy lock in transient storage (EIP-1153): 100 gas to check and set, and it
///         resets itself at the end of the transaction.
abstract contract ReentrancyGuard {
    /// @notice Raised when a guarded function is entered while another one runs.
    error Reentrancy();

    /// @dev keccak256("quire.rollup.reentrancy") - 1: a transient slot no other code uses.
    uint256 private constant _LOCK_SLOT = 0x9b37eaa4850dad1fceffd78516b6b88748fbebcf2d655653e6af40bb861ed3a9;

    modifier nonReentrant() {
        assembly ("memory-safe") {
            if tload(_LOCK_SLOT) {
                mstore(0x00, 0xab143c06) // Reentrancy()
                revert(0x1c, 0x04)
            }
            tstore(_LOCK_SLOT, 1)
        }
        _;
        assembly ("memory-safe") {
            tstore(_LOCK_SLOT, 0)
        }
    }
}
