// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

/// @title Roles
/// @notice Governance (one address, two-step transfer) and operators (set by governance), and
///         the emergency pause governance controls.
/// @dev What the pause covers is up to the inheriting contract (the rollup pauses deposits
///      and commits only: claims, full-exit requests, proving, executing and exodus stay open,
///      so a pause can never lock funds, and a pause longer than the priority deadline lets
///      anyone activate exodus).
abstract contract Roles {
    /// @notice The governance address: registers tokens, appoints operators, pauses.
    address public governance;
    /// @notice Whether deposits and commits are paused.
    bool public paused;
    /// @notice The address `transferGovernance` nominated; it becomes governance on accepting.
    address public pendingGovernance;
    /// @notice Operators: the addresses allowed to commit and revert batches.
    mapping(address => bool) public isOperator;

    event GovernanceTransferStarted(address indexed from, address indexed to);
    event GovernanceTransferred(address indexed from, address indexed to);
    event OperatorSet(address indexed operator, bool active);
    event PausedSet(bool paused);

    error NotGovernance();
    error NotPendingGovernance();
    error NotOperator();
    error Paused();
    error ZeroAddress();

    modifier onlyGovernance() {
        if (msg.sender != governance) revert NotGovernance();
        _;
    }

    modifier onlyOperator() {
        if (!isOperator[msg.sender]) revert NotOperator();
        _;
    }

    modifier whenNotPaused() {
        if (paused) revert Paused();
        _;
    }

    constructor(address governance_) {
        if (governance_ == address(0)) revert ZeroAddress();
        governance = governance_;
        emit GovernanceTransferred(address(0), governance_);
    }

    /// @notice Nominates a new governance (zero cancels a nomination).
    function transferGovernance(address to) external onlyGovernance {
        pendingGovernance = to;
        emit GovernanceTransferStarted(msg.sender, to);
    }

    /// @notice Completes a governance transfer; called by the nominee.
    function acceptGovernance() external {
        if (msg.sender != pendingGovernance) revert NotPendingGovernance();
        emit GovernanceTransferred(governance, msg.sender);
        governance = msg.sender;
        pendingGovernance = address(0);
    }

    /// @notice Appoints or removes an operator.
    function setOperator(address operator, bool active) external onlyGovernance {
        if (operator == address(0)) revert ZeroAddress();
        isOperator[operator] = active;
        emit OperatorSet(operator, active);
    }

    /// @notice Pauses or resumes deposits and commits.
    function setPaused(bool paused_) external onlyGovernance {
        paused = paused_;
        emit PausedSet(paused_);
    }
}
