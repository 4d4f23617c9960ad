// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @notice Refuses ETH.
contract RejectETH {
    receive() external payable {
        revert("no ETH");
    }
}

/// @notice On receiving ETH, calls `target` with `data` once and records the outcome.
contract ReenteringReceiver {
    address public target;
    bytes public data;
    bool public lastCallOk;
    bytes public lastReturn;

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
    }

    function call(address to, bytes calldata payload) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call{value: msg.value}(payload);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        address t = target;
        if (t != address(0)) {
            target = address(0);
            (lastCallOk, lastReturn) = t.call(data);
        }
    }
}
