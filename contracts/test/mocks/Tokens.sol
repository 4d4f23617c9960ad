// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @notice Minimal ERC-20 for tests (returns true, mintable by anyone).
contract MockERC20 {
    string public name;
    uint8 public immutable decimals;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;

    constructor(string memory name_, uint8 decimals_) {
        name = name_;
        decimals = decimals_;
    }

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        totalSupply += amount;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    function transfer(address to, uint256 amount) external virtual returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external virtual returns (bool) {
        _spend(from, amount);
        _move(from, to, amount);
        return true;
    }

    function _spend(address from, uint256 amount) internal {
        uint256 a = allowance[from][msg.sender];
        if (a != type(uint256).max) allowance[from][msg.sender] = a - amount;
    }

    function _move(address from, address to, uint256 amount) internal virtual {
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }
}

/// @notice Burns 1% of every transfer (a fee-on-transfer token).
contract FeeOnTransferERC20 is MockERC20("FEE", 18) {
    function _move(address from, address to, uint256 amount) internal override {
        uint256 fee = amount / 100;
        balanceOf[from] -= amount;
        balanceOf[to] += amount - fee;
        totalSupply -= fee;
    }
}

/// @notice USDT-style: transfer and transferFrom return nothing.
contract NoReturnERC20 {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }

    function transfer(address to, uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
    }

    function transferFrom(address from, address to, uint256 amount) external {
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }
}

/// @notice Returns false instead of reverting when a transfer fails.
contract FalseReturnERC20 is MockERC20("FALSE", 18) {
    bool public fail;

    function setFail(bool f) external {
        fail = f;
    }

    function transfer(address to, uint256 amount) external override returns (bool) {
        if (fail) return false;
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external override returns (bool) {
        if (fail) return false;
        _spend(from, amount);
        _move(from, to, amount);
        return true;
    }
}

/// @notice Calls `target` with `data` from inside transfer/transferFrom (a hook token).
contract ReentrantERC20 is MockERC20("REENTER", 18) {
    address public target;
    bytes public data;
    bool public lastCallOk;
    bytes public lastReturn;

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
    }

    function _move(address from, address to, uint256 amount) internal override {
        super._move(from, to, amount);
        address t = target;
        if (t != address(0)) {
            target = address(0);
            (lastCallOk, lastReturn) = t.call(data);
        }
    }
}
