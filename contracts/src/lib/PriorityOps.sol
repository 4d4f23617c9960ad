// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title PriorityOps
/// @notice Canonical binary encodings of the L1 priority operations, byte-identical to core's
///         codec (core/src/tx/codec.rs), and the priority commitment fold of decision D9.
///
/// | op | layout |
/// |---|---|
/// | Deposit | `01 priority_id:8 from:20 to:40 token:1 amount:8` (78 bytes) |
/// | FullExit | `07 priority_id:8 account:4 owner:20 token:1` (34 bytes) |
///
/// Integers are big-endian; `to` is the 40-byte EcGFp5 key encoding; `amount` is in L2 units.
library PriorityOps {
    /// @notice The canonical encoding of a Deposit.
    function encodeDeposit(uint64 priorityId, address from, bytes calldata l2Key, uint8 token, uint64 amount)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(uint8(1), priorityId, from, l2Key, token, amount);
    }

    /// @notice The canonical encoding of a FullExit.
    function encodeFullExit(uint64 priorityId, uint32 accountId, address owner, uint8 token)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(uint8(7), priorityId, accountId, owner, token);
    }

    /// @notice keccak256 of the Deposit's canonical encoding (what the queue stores).
    /// @dev Assembles the 78 bytes in scratch memory past the free pointer (not allocated).
    function hashDeposit(uint64 priorityId, address from, bytes calldata l2Key, uint8 token, uint64 amount)
        internal
        pure
        returns (bytes32 h)
    {
        assembly ("memory-safe") {
            let m := mload(0x40)
            // 01 | id:8 | from:20 (bytes 0..28), key:40 (29..68), token:1 (69), amount:8 (70..77)
            mstore(m, or(shl(248, 1), or(shl(184, priorityId), shl(24, from))))
            calldatacopy(add(m, 29), l2Key.offset, 40)
            mstore(add(m, 69), or(shl(248, token), shl(184, amount)))
            h := keccak256(m, 78)
        }
    }

    /// @notice keccak256 of the FullExit's canonical encoding.
    function hashFullExit(uint64 priorityId, uint32 accountId, address owner, uint8 token)
        internal
        pure
        returns (bytes32 h)
    {
        assembly ("memory-safe") {
            let m := mload(0x40)
            // 07 | id:8 | account:4 | owner:20 | token:1 = 34 bytes
            mstore(m, or(shl(248, 7), or(shl(184, priorityId), or(shl(152, accountId), shr(8, owner)))))
            mstore(add(m, 32), shl(240, or(shl(8, and(owner, 0xff)), token)))
            h := keccak256(m, 34)
        }
    }

    /// @notice One step of the priority commitment: keccak256(c ‖ opHash).
    function fold(bytes32 c, bytes32 opHash) internal pure returns (bytes32 r) {
        assembly ("memory-safe") {
            mstore(0x00, c)
            mstore(0x20, opHash)
            r := keccak256(0x00, 0x40)
        }
    }
}
