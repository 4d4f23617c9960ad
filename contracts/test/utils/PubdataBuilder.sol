// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @dev Builds pubdata in core's layout (core/src/tx/pubdata.rs), big-endian, for tests.
library PubdataBuilder {
    function deposit(uint24 account, uint8 token, uint64 amount, bool credited) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(1), account, token, amount, uint8(credited ? 1 : 0));
    }

    function transfer(uint24 from, uint24 to, uint8 token, uint64 amount, uint16 fee)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(uint8(2), from, to, token, amount, fee);
    }

    function withdraw(uint24 from, uint8 token, uint64 amount, uint16 fee, address to)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(uint8(3), from, token, amount, fee, to);
    }

    function swap(uint24 account, uint24 pool, uint8 tokenIn, uint64 amountIn, uint64 amountOut, uint16 fee)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(uint8(4), account, pool, tokenIn, amountIn, amountOut, fee);
    }

    function addLiquidity(uint24 account, uint24 pool, uint64 a, uint64 b, uint64 shares, uint16 fee)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(uint8(5), account, pool, a, b, shares, fee);
    }

    function removeLiquidity(uint24 account, uint24 pool, uint64 shares, uint64 a, uint64 b, uint16 fee)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(uint8(6), account, pool, shares, a, b, fee);
    }

    function fullExit(uint24 account, uint8 token, uint64 amount, address owner) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(7), account, token, amount, owner);
    }

    function payout(address to, uint8 token, uint64 amount) internal pure returns (bytes memory) {
        return abi.encodePacked(to, token, amount);
    }
}
