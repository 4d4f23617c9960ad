// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Test, Vm} from "./Test.sol";
import {Rollup} from "../../src/Rollup.sol";
import {IRollup} from "../../src/interfaces/IRollup.sol";
import {TestBatchVerifier} from "../mocks/TestBatchVerifier.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {PubdataBuilder} from "./PubdataBuilder.sol";
import {PayoutPages} from "./PayoutPages.sol";
import {StateProof} from "../../src/lib/StateProof.sol";

/// @dev Shared setup and helpers for the rollup tests: a deployed rollup with a test verifier,
///      USDC (6 decimals, scale 1) and DAI (18 decimals, scale 10^9), valid L2 keys, pubdata
///      builders for every op type (core/src/tx/pubdata.rs layout) and a batch pipeline that
///      reads each committed batch back from its `BatchCommitted` event. The rollup charges a
///      nonzero priority fee (`PRIORITY_FEE`, credited to `feeRecipient`), so every test runs
///      the paying path; the queue helpers pay it and deal it to the payer first.
abstract contract RollupBase is Test {
    // Real EcGFp5 keys (alice, bob, carol of test/fixtures/l1_vectors.json).
    bytes internal constant KEY_A =
        hex"c5ec451f0bd6916c8de7e5cec6c21e8693098a29f80c969ecff292d6e4f3fb960010af5adef1c729";
    bytes internal constant KEY_B =
        hex"a58649ae81b254cfcafa68457036e34acaa78b80f192fe8422a1680494edaa78fe6164bde250fb70";
    bytes internal constant KEY_C =
        hex"01f63c9c283df7d134e10cd1621637fb239733970d3e0597d52dd1c47621743c3762617a3dc27a5d";

    uint64 internal constant DEADLINE = 3 days;
    uint64 internal constant MAX_AMOUNT = type(uint64).max >> 1;
    bytes32 internal constant GENESIS_ROOT = bytes32(uint256(0x1234));
    uint8 internal constant ETH = 0;
    uint8 internal constant USDC_ID = 1;
    uint8 internal constant DAI_ID = 2;
    /// @dev Wei per priority request in these tests (a multiple of 1 gwei is not required).
    uint256 internal constant PRIORITY_FEE = 0.001 ether;

    address internal gov = address(0x60);
    address internal operator = address(0x0B);
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);
    address internal feeRecipient = address(0xFEE);

    Rollup internal rollup;
    TestBatchVerifier internal verifier;
    /// @dev The genesis pools `_deploy` passes to the constructor (none unless a test sets them).
    IRollup.GenesisPool[] internal genesisPools;
    MockERC20 internal usdc;
    MockERC20 internal dai;

    /// @dev Committed batches as emitted, and their payout records, by number.
    mapping(uint64 => IRollup.StoredBatchInfo) internal batchInfo;
    mapping(uint64 => bytes) internal batchPayouts;
    uint64 internal tip;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        verifier = new TestBatchVerifier();
        _deploy(GENESIS_ROOT);
    }

    function _deploy(bytes32 genesisRoot) internal {
        rollup = new Rollup(gov, verifier, genesisRoot, DEADLINE, PRIORITY_FEE, feeRecipient, genesisPools);
        // The test contract pays the fee of the requests it makes itself.
        vm.deal(address(this), 1000 ether);
        batchInfo[0] = IRollup.StoredBatchInfo({
            batchNumber: 0,
            timestamp: uint64(block.timestamp),
            firstPriorityId: 0,
            priorityOpsCount: 0,
            prevStateRoot: bytes32(0),
            stateRoot: genesisRoot,
            pubdataCommitment: bytes32(0),
            priorityCommitment: bytes32(0),
            payoutsHash: PayoutPages.head("")
        });
        tip = 0;
        vm.prank(gov);
        rollup.setOperator(operator, true);
        usdc = new MockERC20("USDC", 6);
        dai = new MockERC20("DAI", 18);
        vm.startPrank(gov);
        rollup.registerToken(address(usdc), 1);
        rollup.registerToken(address(dai), 1e9);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ pubdata builders

    function pdDeposit(uint24 account, uint8 token, uint64 amount, bool credited) internal pure returns (bytes memory) {
        return PubdataBuilder.deposit(account, token, amount, credited);
    }

    function pdTransfer(uint24 from, uint24 to, uint8 token, uint64 amount, uint16 fee)
        internal
        pure
        returns (bytes memory)
    {
        return PubdataBuilder.transfer(from, to, token, amount, fee);
    }

    function pdWithdraw(uint24 from, uint8 token, uint64 amount, uint16 fee, address to)
        internal
        pure
        returns (bytes memory)
    {
        return PubdataBuilder.withdraw(from, token, amount, fee, to);
    }

    function pdSwap(uint24 account, uint24 pool, uint8 tokenIn, uint64 amountIn, uint64 amountOut, uint16 fee)
        internal
        pure
        returns (bytes memory)
    {
        return PubdataBuilder.swap(account, pool, tokenIn, amountIn, amountOut, fee);
    }

    function pdAddLiquidity(uint24 account, uint24 pool, uint64 a, uint64 b, uint64 shares, uint16 fee)
        internal
        pure
        returns (bytes memory)
    {
        return PubdataBuilder.addLiquidity(account, pool, a, b, shares, fee);
    }

    function pdRemoveLiquidity(uint24 account, uint24 pool, uint64 shares, uint64 a, uint64 b, uint16 fee)
        internal
        pure
        returns (bytes memory)
    {
        return PubdataBuilder.removeLiquidity(account, pool, shares, a, b, fee);
    }

    function pdFullExit(uint24 account, uint8 token, uint64 amount, address owner)
        internal
        pure
        returns (bytes memory)
    {
        return PubdataBuilder.fullExit(account, token, amount, owner);
    }

    function payout(address to, uint8 token, uint64 amount) internal pure returns (bytes memory) {
        return PubdataBuilder.payout(to, token, amount);
    }

    /// @dev A balance proof as core's l1_vectors writes one (core's `BalanceProof`, what the
    ///      sequencer's API serves), at JSON path prefix `k` (ending in a dot), as the
    ///      one-opening account proof L1 takes (core: `AccountProof::from(BalanceProof)`).
    function parseBalanceProof(string memory json, string memory k)
        internal
        pure
        returns (StateProof.AccountProof memory p)
    {
        _parseRecord(json, k, p);
        p.balances = new StateProof.BalanceOpening[](1);
        p.balances[0].token = uint8(vm.parseJsonUint(json, string.concat(k, "token")));
        p.balances[0].balance = uint64(vm.parseJsonUint(json, string.concat(k, "balance")));
        bytes32[] memory bp = vm.parseJsonBytes32Array(json, string.concat(k, "balance_path"));
        for (uint256 j; j < 8; ++j) {
            p.balances[0].path[j] = bp[j];
        }
    }

    /// @dev An account proof as core's l1_vectors writes one (core's `AccountProof`), at JSON
    ///      path prefix `k` (ending in a dot).
    function parseAccountProof(string memory json, string memory k)
        internal
        view
        returns (StateProof.AccountProof memory p)
    {
        _parseRecord(json, k, p);
        uint256 n;
        while (vm.keyExistsJson(json, string.concat(k, "openings[", vm.toString(n), "]"))) {
            ++n;
        }
        p.balances = new StateProof.BalanceOpening[](n);
        for (uint256 i; i < n; ++i) {
            string memory o = string.concat(k, "openings[", vm.toString(i), "].");
            p.balances[i].token = uint8(vm.parseJsonUint(json, string.concat(o, "token")));
            p.balances[i].balance = uint64(vm.parseJsonUint(json, string.concat(o, "balance")));
            bytes32[] memory path = vm.parseJsonBytes32Array(json, string.concat(o, "path"));
            for (uint256 j; j < 8; ++j) {
                p.balances[i].path[j] = path[j];
            }
        }
    }

    function _parseRecord(string memory json, string memory k, StateProof.AccountProof memory p) private pure {
        p.accountId = uint32(vm.parseJsonUint(json, string.concat(k, "account")));
        p.pubkeyHash = vm.parseJsonBytes32(json, string.concat(k, "pubkey_hash"));
        p.owner = vm.parseJsonAddress(json, string.concat(k, "owner"));
        p.nonce = uint32(vm.parseJsonUint(json, string.concat(k, "nonce")));
        bytes32[] memory ap = vm.parseJsonBytes32Array(json, string.concat(k, "account_path"));
        for (uint256 j; j < 24; ++j) {
            p.accountPath[j] = ap[j];
        }
    }

    /// @dev A deep copy (tests tamper with copies of a genuine proof).
    function copyProof(StateProof.AccountProof memory p) internal pure returns (StateProof.AccountProof memory) {
        return abi.decode(abi.encode(p), (StateProof.AccountProof));
    }

    // ------------------------------------------------------------ queue helpers

    /// @dev Deposits `weiAmount` from `from`, which pays `weiAmount` + the fee (dealt first).
    function depositEth(address from, uint256 weiAmount, bytes memory key) internal returns (uint64 id) {
        vm.deal(from, from.balance + weiAmount + PRIORITY_FEE);
        vm.prank(from);
        id = rollup.depositETH{value: weiAmount + PRIORITY_FEE}(key);
    }

    function depositToken(MockERC20 token, address from, uint256 amount, bytes memory key)
        internal
        returns (uint64 id)
    {
        token.mint(from, amount);
        vm.deal(from, from.balance + PRIORITY_FEE);
        vm.startPrank(from);
        token.approve(address(rollup), amount);
        id = rollup.depositERC20{value: PRIORITY_FEE}(address(token), amount, key);
        vm.stopPrank();
    }

    /// @dev `requestFullExit(account, token)` from `from`, which pays the fee (dealt first).
    function requestExit(address from, uint32 account, uint8 token) internal returns (uint64 id) {
        vm.deal(from, from.balance + PRIORITY_FEE);
        vm.prank(from);
        id = rollup.requestFullExit{value: PRIORITY_FEE}(account, token);
    }

    // ------------------------------------------------------------ batch pipeline

    function root(uint256 n) internal pure returns (bytes32) {
        return bytes32(
            uint256(keccak256(abi.encode("root", n)))
                & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
        );
    }

    /// @dev Commits `pubdata` on top of the current tip as the operator and returns the
    ///      batch as the contract emitted it.
    function commit(bytes memory pubdata) internal returns (IRollup.StoredBatchInfo memory info) {
        return commitWithRoot(pubdata, root(tip + 1));
    }

    /// @dev The operator's header of the batch after the tip, with the test root `root(tip + 1)`.
    function nextHeader() internal view returns (IRollup.CommitBatchInfo memory) {
        return IRollup.CommitBatchInfo({
            batchNumber: tip + 1, timestamp: uint64(block.timestamp), newStateRoot: root(tip + 1)
        });
    }

    function commitWithRoot(bytes memory pubdata, bytes32 newRoot)
        internal
        returns (IRollup.StoredBatchInfo memory info)
    {
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo({
            batchNumber: tip + 1, timestamp: uint64(block.timestamp), newStateRoot: newRoot
        });
        vm.recordLogs();
        vm.prank(operator);
        rollup.commitBatch(batchInfo[tip], next, pubdata);
        bytes memory payouts;
        (info, payouts) = _committedFromLogs();
        tip += 1;
        batchInfo[tip] = info;
        batchPayouts[tip] = payouts;
    }

    function _committedFromLogs() internal returns (IRollup.StoredBatchInfo memory info, bytes memory payouts) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IRollup.BatchCommitted.selector) {
                bytes32 h;
                (h, info, payouts) = abi.decode(logs[i].data, (bytes32, IRollup.StoredBatchInfo, bytes));
                assertEq(h, keccak256(abi.encode(info)), "event hash");
                assertEq(uint256(logs[i].topics[1]), uint256(info.batchNumber), "event batch number");
                return (info, payouts);
            }
        }
        revert("no BatchCommitted event");
    }

    function proofFor(IRollup.StoredBatchInfo memory info) internal view returns (bytes memory) {
        return verifier.proofFor(rollup.batchPublicInputs(info));
    }

    function prove(uint64 n) internal {
        rollup.proveBatch(batchInfo[n], proofFor(batchInfo[n]));
    }

    /// @dev Executes batch `n` with its first payout page, then credits the other pages.
    function execute(uint64 n) internal {
        PayoutPages.executeAll(rollup, batchInfo[n], batchPayouts[n]);
    }

    /// @dev The test verifier's proof for the batch `pubdata` would become on top of the tip
    ///      with `newRoot`, consuming the next `priorityOps` queued ops (what the proof binds:
    ///      the roots, keccak256(pubdata) and the fold of the consumed ops' hashes).
    function proofForNext(bytes memory pubdata, bytes32 newRoot, uint256 priorityOps)
        internal
        view
        returns (bytes memory)
    {
        IRollup.StoredBatchInfo memory last = batchInfo[tip];
        IRollup.StoredBatchInfo memory b;
        b.prevStateRoot = last.stateRoot;
        b.stateRoot = newRoot;
        b.pubdataCommitment = keccak256(pubdata);
        uint64 first = last.firstPriorityId + last.priorityOpsCount;
        for (uint64 i; i < priorityOps; ++i) {
            (IRollup.PriorityOp memory op,) = rollup.priorityOp(first + i);
            b.priorityCommitment = keccak256(abi.encodePacked(b.priorityCommitment, op.opHash));
        }
        return proofFor(b);
    }

    /// @dev Commits and proves `pubdata` in one call (`commitAndProveBatch`) as the operator,
    ///      with the valid proof; records the batch as `commit` does.
    function commitAndProve(bytes memory pubdata, uint256 priorityOps)
        internal
        returns (IRollup.StoredBatchInfo memory info)
    {
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo({
            batchNumber: tip + 1, timestamp: uint64(block.timestamp), newStateRoot: root(tip + 1)
        });
        bytes memory proof = proofForNext(pubdata, next.newStateRoot, priorityOps);
        vm.recordLogs();
        vm.prank(operator);
        rollup.commitAndProveBatch(batchInfo[tip], next, pubdata, proof);
        bytes memory payouts;
        (info, payouts) = _committedFromLogs();
        tip += 1;
        batchInfo[tip] = info;
        batchPayouts[tip] = payouts;
    }

    function commitProveExecute(bytes memory pubdata) internal returns (IRollup.StoredBatchInfo memory info) {
        info = commit(pubdata);
        prove(info.batchNumber);
        execute(info.batchNumber);
    }

    function supply(uint8 token) internal view returns (uint64 s) {
        (s,) = rollup.tokenTotals(token);
    }

    function totalClaimable(uint8 token) internal view returns (uint256 c) {
        (, c) = rollup.tokenTotals(token);
    }
}

