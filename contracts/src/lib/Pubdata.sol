// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title Pubdata
/// @notice Layout of Quire's per-operation pubdata (core/src/tx/pubdata.rs) and of the payout
///         records derived from it. All integers are big-endian; account ids take 3 bytes.
///
/// | op | type | bytes | layout |
/// |---|---|---|---|
/// | Deposit | 1 | 14 | `01 account:3 token:1 amount:8 credited:1` |
/// | Transfer | 2 | 18 | `02 from:3 to:3 token:1 amount:8 fee:2` |
/// | Withdraw | 3 | 35 | `03 from:3 token:1 amount:8 fee:2 to:20` |
/// | Swap | 4 | 26 | `04 account:3 pool:3 token_in:1 amount_in:8 amount_out:8 fee:2` |
/// | AddLiquidity | 5 | 33 | `05 account:3 pool:3 amount_a:8 amount_b:8 shares:8 fee:2` |
/// | RemoveLiquidity | 6 | 33 | `06 account:3 pool:3 shares:8 amount_a:8 amount_b:8 fee:2` |
/// | FullExit | 7 | 33 | `07 account:3 token:1 amount:8 owner:20` |
///
/// A payout record (what a batch makes claimable on L1 once executed) is
/// `recipient:20 token:1 amount:8` (29 bytes, amount in L2 units); a batch's payouts are the
/// records of its Withdraw ops, its FullExit ops with a nonzero amount and its deposits with
/// `credited = 0` (refunds to the depositor), in pubdata order.
/// @dev The pubdata is walked in memory (the contract copies it there anyway to hash it),
///      followed by SENTINEL_BYTES zero bytes. Readers take a memory offset and assume the
///      caller checked that the op lies inside the pubdata.
library Pubdata {
    uint256 internal constant DEPOSIT = 1;
    uint256 internal constant TRANSFER = 2;
    uint256 internal constant WITHDRAW = 3;
    uint256 internal constant SWAP = 4;
    uint256 internal constant ADD_LIQUIDITY = 5;
    uint256 internal constant REMOVE_LIQUIDITY = 6;
    uint256 internal constant FULL_EXIT = 7;

    uint256 internal constant DEPOSIT_BYTES = 14;
    uint256 internal constant TRANSFER_BYTES = 18;
    uint256 internal constant WITHDRAW_BYTES = 35;
    uint256 internal constant SWAP_BYTES = 26;
    uint256 internal constant LIQUIDITY_BYTES = 33;
    uint256 internal constant FULL_EXIT_BYTES = 33;

    /// @notice Byte t (from the most significant end) is the size of op type t; 0 marks an
    ///         unknown type. Read with the EVM's `byte(t, SIZES)`, which is 0 for t >= 32.
    uint256 internal constant SIZES = 0x000e12231a212121000000000000000000000000000000000000000000000000;
    /// @notice Like SIZES, but 0 also for the types L1 must look at (Deposit, Withdraw,
    ///         FullExit): the table of the skip loop, which stops on every 0.
    uint256 internal constant L2_ONLY_SIZES = 0x000012001a212100000000000000000000000000000000000000000000000000;

    /// @notice Size of a payout record.
    uint256 internal constant PAYOUT_BYTES = 29;
    /// @notice Zero bytes the caller must place right after the pubdata in memory: the skip
    ///         loop reads type 0 there and stops, even after a truncated op (ops are at most
    ///         35 bytes), so it needs no bounds check per op.
    uint256 internal constant SENTINEL_BYTES = 64;

    /// @notice Advances from memory offset `p` over ops that need no L1 processing (Transfer,
    ///         Swap, AddLiquidity, RemoveLiquidity), stopping at the first other type byte:
    ///         a Deposit/Withdraw/FullExit, an unknown type, or the sentinel after the pubdata.
    /// @dev ~60 gas per op (legacy codegen). The caller compares the result with the end.
    function skipL2Ops(uint256 p) internal pure returns (uint256 q) {
        assembly ("memory-safe") {
            for {} 1 {} {
                let size := byte(byte(0, mload(p)), L2_ONLY_SIZES)
                if iszero(size) { break }
                p := add(p, size)
            }
            q := p
        }
    }

    /// @notice The type byte at memory offset `p`.
    function opType(uint256 p) internal pure returns (uint256 t) {
        assembly ("memory-safe") {
            t := byte(0, mload(p))
        }
    }

    /// @notice Fields of the Deposit op at memory offset `p`.
    function readDeposit(uint256 p) internal pure returns (uint256 token, uint256 amount, uint256 credited) {
        assembly ("memory-safe") {
            let w := mload(p)
            token := byte(4, w)
            amount := and(shr(152, w), 0xffffffffffffffff)
            credited := byte(13, w)
        }
    }

    /// @notice Fields of the Withdraw op at memory offset `p`.
    function readWithdraw(uint256 p) internal pure returns (uint256 token, uint256 amount, address to) {
        assembly ("memory-safe") {
            let w := mload(p)
            token := byte(4, w)
            amount := and(shr(152, w), 0xffffffffffffffff)
            to := shr(96, mload(add(p, 15)))
        }
    }

    /// @notice Fields of the FullExit op at memory offset `p`.
    function readFullExit(uint256 p)
        internal
        pure
        returns (uint256 account, uint256 token, uint256 amount, address owner)
    {
        assembly ("memory-safe") {
            let w := mload(p)
            account := shr(232, shl(8, w))
            token := byte(4, w)
            amount := and(shr(152, w), 0xffffffffffffffff)
            owner := shr(96, mload(add(p, 13)))
        }
    }

    /// @notice Writes a payout record at memory `ptr` (32 bytes are written; the record is
    ///         the first 29, the caller advances by 29).
    function writePayout(uint256 ptr, address recipient, uint256 token, uint256 amount) internal pure {
        assembly ("memory-safe") {
            mstore(ptr, or(shl(96, recipient), or(shl(88, token), shl(24, amount))))
        }
    }

    /// @notice Reads the payout record at calldata offset `p`.
    function readPayout(uint256 p) internal pure returns (address recipient, uint256 token, uint256 amount) {
        assembly ("memory-safe") {
            let w := calldataload(p)
            recipient := shr(96, w)
            token := byte(20, w)
            amount := and(shr(24, w), 0xffffffffffffffff)
        }
    }
}
