// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title SafeTransfer
/// @notice ETH and ERC-20 transfers that tolerate tokens returning nothing (USDT-style) and
///         revert on every failure.
/// @dev A token call succeeds iff it does not revert and either returns nothing or returns
///      an ABI `true`; a call to an address without code fails (otherwise an EOA "token"
///      would appear to transfer).
library SafeTransfer {
    error ETHTransferFailed();
    error TokenTransferFailed();
    error TokenTransferFromFailed();
    error BalanceQueryFailed();

    /// @notice Sends `amount` wei to `to` with all remaining gas; reverts if the call fails.
    function sendETH(address to, uint256 amount) internal {
        assembly ("memory-safe") {
            if iszero(call(gas(), to, amount, 0, 0, 0, 0)) {
                mstore(0x00, 0xb12d13eb) // ETHTransferFailed()
                revert(0x1c, 0x04)
            }
        }
    }

    /// @notice `token.transfer(to, amount)`.
    function safeTransfer(address token, address to, uint256 amount) internal {
        if (!_call(token, abi.encodeWithSelector(0xa9059cbb, to, amount))) revert TokenTransferFailed();
    }

    /// @notice `token.transferFrom(from, to, amount)`.
    function safeTransferFrom(address token, address from, address to, uint256 amount) internal {
        if (!_call(token, abi.encodeWithSelector(0x23b872dd, from, to, amount))) revert TokenTransferFromFailed();
    }

    /// @notice `token.balanceOf(account)`; reverts unless the call returns at least 32 bytes.
    function balanceOf(address token, address account) internal view returns (uint256 bal) {
        bool ok;
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, account)
            ok := and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))
            bal := mload(0x00)
        }
        if (!ok) revert BalanceQueryFailed();
    }

    function _call(address token, bytes memory data) private returns (bool ok) {
        assembly ("memory-safe") {
            ok := call(gas(), token, 0, add(data, 0x20), mload(data), 0x00, 0x20)
            // Success: no revert, and either no return data (from a contract) or a `true` word.
            switch returndatasize()
            case 0 { ok := and(ok, gt(extcodesize(token), 0)) }
            default { ok := and(ok, and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))) }
        }
    }
}
