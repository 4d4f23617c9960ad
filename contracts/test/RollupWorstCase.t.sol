// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {console} from "./utils/Test.sol";
import {GasMeter} from "./utils/GasMeter.sol";
import {PayoutPages} from "./utils/PayoutPages.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";

/// @notice Every L1 transaction the operator must send for the worst batch the sequencer can
///         build fits EIP-7825's 2^24 gas cap with margin (≤ 15,000,000), charged as in
///         test/RollupGas.t.sol (EIP-7623 pricing, cold accounts, the real verifier's cost
///         swapped in for the test double's). Run with
///         `npx forge test --match-test WorstCase -vv`; each entry point logs
///         `worst_case_gas_<entry>=<n>`.
///
/// The worst batches: what the sequencer's batch builder admits under its budgets, the L1 gas
/// model of `quire_l1::gas` (read from test/fixtures/l1_gas_model.json, which that crate
/// writes and checks fresh) and `batch.max_pubdata_bytes` (340,000 bytes by default), with
/// every byte it can make nonzero nonzero (calldata is priced per byte):
/// - `MAX_PRIORITY_OPS_PER_BATCH` full exits, each paying a fresh L1 address (the dearest
///   priority operation), then withdrawals to fresh addresses up to the budget;
/// - withdrawals only, to fresh addresses (the dearest L2 operation), up to the budget.
/// Each maximizes what commitBatch walks and stores (priority ops read and folded, payout
/// records built) and what execution credits (one new `claimable` slot per record). The
/// largest transfer batch is test/RollupGas.t.sol's.
contract RollupWorstCaseTest is GasMeter {
    /// @dev The sequencer's default `batch.max_pubdata_bytes` (sequencer/src/config.rs).
    uint256 internal constant MAX_PUBDATA = 340_000;
    /// @dev Margin under EIP-7825's cap the operator's transactions must keep.
    uint256 internal constant LIMIT = 15_000_000;
    uint256 internal constant EXIT_BYTES = 33;
    uint256 internal constant WITHDRAW_BYTES = 35;
    /// @dev Every amount with seven nonzero bytes: the top one must be zero for thousands of
    ///      them to fit the L2 supply (below 2^63).
    uint64 internal constant AMOUNT = 0x0001010101010101;
    uint24 internal constant ACCOUNT = 0x010101;

    /// @dev The gas model: fixed and per-kind costs, standard and floor.
    struct Model {
        uint256 limit;
        uint256 fixedStandard;
        uint256 fixedFloor;
        uint256 exitStandard;
        uint256 exitFloor;
        uint256 withdrawStandard;
        uint256 withdrawFloor;
    }

    Model internal model;

    function setUp() public override {
        super.setUp();
        string memory json = vm.readFile("test/fixtures/l1_gas_model.json");
        model = Model({
            limit: vm.parseJsonUint(json, ".max_settlement_gas"),
            fixedStandard: vm.parseJsonUint(json, ".fixed.standard"),
            fixedFloor: vm.parseJsonUint(json, ".fixed.floor"),
            exitStandard: vm.parseJsonUint(json, ".full_exit.standard"),
            exitFloor: vm.parseJsonUint(json, ".full_exit.floor"),
            withdrawStandard: vm.parseJsonUint(json, ".withdraw.standard"),
            withdrawFloor: vm.parseJsonUint(json, ".withdraw.floor")
        });
        assertEq(model.limit, LIMIT);
    }

    /// @dev How many withdrawals the batch builder admits after `exits` full exits: the most
    ///      that keep both of the model's sums and the pubdata within budget.
    function _withdrawalsAdmitted(uint256 exits) internal view returns (uint256 w) {
        Model memory m = model;
        uint256 byStandard = (m.limit - m.fixedStandard - exits * m.exitStandard) / m.withdrawStandard;
        uint256 byFloor = (m.limit - m.fixedFloor - exits * m.exitFloor) / m.withdrawFloor;
        uint256 byBytes = (MAX_PUBDATA - exits * EXIT_BYTES) / WITHDRAW_BYTES;
        w = byStandard < byFloor ? byStandard : byFloor;
        if (byBytes < w) w = byBytes;
    }

    function _fresh(uint256 i) internal pure returns (address a) {
        // Nonzero in every byte, distinct per i.
        uint256 nonzero = uint256(type(uint160).max) / 0xff; // 0x0101…01, 20 bytes
        a = address(uint160(uint256(keccak256(abi.encode("fresh", i))) | nonzero));
    }

    /// @dev Appends `rec` (at most 64 bytes) at `off` of `buf`, which has room past its end.
    function _put(bytes memory buf, uint256 off, bytes memory rec) internal pure returns (uint256) {
        assembly ("memory-safe") {
            let dst := add(add(buf, 0x20), off)
            let src := add(rec, 0x20)
            mstore(dst, mload(src))
            mstore(add(dst, 0x20), mload(add(src, 0x20)))
        }
        return off + rec.length;
    }

    /// @dev Batch 1 credits one deposit that covers every payout of the worst batch.
    function _fund(uint256 units) internal {
        depositEth(alice, units * 1e9, KEY_A);
        commitProveExecute(pdDeposit(ACCOUNT, ETH, uint64(units), true));
    }

    /// @dev Queues `exits` full exits of account ACCOUNT's ETH, each from a fresh address,
    ///      and returns the worst batch's pubdata: those exits, each paying AMOUNT, then
    ///      withdrawals to fresh addresses up to MAX_PUBDATA bytes.
    function _worstBatch(uint256 exits) internal returns (bytes memory pubdata, uint256 payouts) {
        uint256 withdrawals = _withdrawalsAdmitted(exits);
        payouts = exits + withdrawals;
        pubdata = new bytes(exits * EXIT_BYTES + withdrawals * WITHDRAW_BYTES + 64);
        uint256 off = _queueExits(pubdata, exits);
        for (uint256 i = exits; i < payouts; ++i) {
            off = _put(pubdata, off, pdWithdraw(ACCOUNT, ETH, AMOUNT, 0x0101, _fresh(i)));
        }
        assembly ("memory-safe") {
            mstore(pubdata, off)
        }
    }

    /// @dev Queues `exits` full exits from fresh addresses and writes their pubdata.
    function _queueExits(bytes memory pubdata, uint256 exits) internal returns (uint256 off) {
        for (uint256 i; i < exits; ++i) {
            address owner = _fresh(i);
            requestExit(owner, ACCOUNT, ETH);
            off = _put(pubdata, off, pdFullExit(ACCOUNT, ETH, AMOUNT, owner));
        }
    }

    function _logWorst(string memory entry, uint256 gas) internal view {
        console.log(string.concat("worst_case_gas_", entry, "=", vm.toString(gas)));
    }

    /// @dev The worst batch with every priority slot a paying full exit, settled both ways the
    ///      operator can (commitBatch + proveBatch, commitAndProveBatch), then executeBatch and
    ///      every executePayouts page.
    function test_WorstCase_maxPriorityOpsThenWithdrawalsToFreshAddresses() public {
        _settleWorst(rollup.MAX_PRIORITY_OPS_PER_BATCH());
    }

    /// @dev The worst batch of withdrawals alone.
    function test_WorstCase_withdrawalsToFreshAddresses() public {
        _settleWorst(0);
    }

    function _settleWorst(uint256 exits) internal {
        if (_skipIfIsolated()) return;
        _fund((exits + _withdrawalsAdmitted(exits)) * uint256(AMOUNT));
        (bytes memory pubdata, uint256 payouts) = _worstBatch(exits);
        assertLe(pubdata.length, MAX_PUBDATA);
        _realVerifier();
        uint256 snap = vm.snapshotState();
        _commitAndProve(pubdata, exits);
        vm.revertToState(snap);
        (IRollup.StoredBatchInfo memory info, bytes memory records) = _commitThenProve(pubdata, exits);
        assertEq(records.length, payouts * 29);
        uint256 pages = _execute(info, records);
        assertEq(pages, (payouts + 255) / 256);
        assertEq(rollup.claimable(_fresh(0), ETH), uint256(AMOUNT) * 1e9);
        assertEq(rollup.claimable(_fresh(payouts - 1), ETH), uint256(AMOUNT) * 1e9);
        console.log(
            string.concat(
                "worst batch: priority_ops=",
                vm.toString(exits),
                " payouts=",
                vm.toString(payouts),
                " pages=",
                vm.toString(pages),
                " pubdata_bytes=",
                vm.toString(pubdata.length)
            )
        );
    }

    /// @dev commitAndProveBatch, the operator's path when the proof is ready first: measured
    ///      with the double, charged with the real proof's calldata and verification.
    function _commitAndProve(bytes memory pubdata, uint256 exits) internal {
        IRollup.CommitBatchInfo memory next = nextHeader();
        bytes memory proof = proofForNext(pubdata, next.newStateRoot, exits);
        vm.prank(operator);
        Cost memory c = _charge(abi.encodeCall(IRollup.commitAndProveBatch, (batchInfo[tip], next, pubdata, proof)));
        uint256 tokens =
            _tokens(abi.encodeCall(IRollup.commitAndProveBatch, (batchInfo[tip], next, pubdata, realProof)));
        uint256 charged = _price(tokens, c.execution + realVerifyGas);
        console.log(
            string.concat(
                "  commitAndProveBatch execution=",
                vm.toString(c.execution),
                " verify=",
                vm.toString(realVerifyGas),
                " calldata_tokens=",
                vm.toString(tokens)
            )
        );
        _logWorst("commitAndProveBatch", charged);
        assertLe(charged, LIMIT, "commitAndProveBatch over the limit");
        assertLe(_gasLimitNeeded(tokens, c.execution), LIMIT, "commitAndProveBatch's gas limit over the limit");
    }

    /// @dev commitBatch, then proveBatch charged with the real verifier.
    function _commitThenProve(bytes memory pubdata, uint256 exits)
        internal
        returns (IRollup.StoredBatchInfo memory info, bytes memory records)
    {
        IRollup.CommitBatchInfo memory next = nextHeader();
        vm.recordLogs();
        vm.prank(operator);
        Cost memory c = _charge(abi.encodeCall(IRollup.commitBatch, (batchInfo[tip], next, pubdata)));
        (info, records) = _committedFromLogs();
        tip += 1;
        batchInfo[tip] = info;
        batchPayouts[tip] = records;
        assertEq(uint256(info.priorityOpsCount), exits);
        _logWorst("commitBatch", c.charged);
        assertLe(c.charged, LIMIT, "commitBatch over the limit");
        Cost memory p = _charge(abi.encodeCall(IRollup.proveBatch, (info, proofFor(info))));
        uint256 real =
            _price(_tokens(abi.encodeCall(IRollup.proveBatch, (info, realProof))), p.execution + realVerifyGas);
        _logWorst("proveBatch", real);
        assertLe(real, LIMIT, "proveBatch over the limit");
    }

    /// @dev executeBatch with the first page, then every further page; returns the pages.
    function _execute(IRollup.StoredBatchInfo memory info, bytes memory records) internal returns (uint256) {
        (bytes[] memory pages, bytes32[] memory links) = PayoutPages.split(records);
        Cost memory c = _charge(abi.encodeCall(IRollup.executeBatch, (info, pages[0], links[0])));
        _logWorst("executeBatch", c.charged);
        assertLe(c.charged, LIMIT, "executeBatch over the limit");
        uint256 worst;
        for (uint256 j = 1; j < pages.length; ++j) {
            Cost memory pc = _charge(abi.encodeCall(IRollup.executePayouts, (pages[j], links[j])));
            if (pc.charged > worst) worst = pc.charged;
        }
        _logWorst("executePayouts", worst);
        assertLe(worst, LIMIT, "executePayouts over the limit");
        assertEq(rollup.pendingPayoutsLink(), bytes32(0), "every page credited");
        return pages.length;
    }

    /// @dev One more priority operation than the bound cannot be committed: the sequencer
    ///      never builds such a batch (its `batch.max_priority_ops` is checked against the
    ///      contract's bound at start-up).
    function test_WorstCase_priorityOpsAboveTheBoundAreRefused() public {
        uint256 bound = rollup.MAX_PRIORITY_OPS_PER_BATCH();
        _fund(bound + 1);
        bytes memory pubdata = new bytes((bound + 1) * EXIT_BYTES + 64);
        uint256 off;
        for (uint256 i; i <= bound; ++i) {
            requestExit(_fresh(i), ACCOUNT, ETH);
            off = _put(pubdata, off, pdFullExit(ACCOUNT, ETH, 1, _fresh(i)));
        }
        assembly ("memory-safe") {
            mstore(pubdata, off)
        }
        IRollup.CommitBatchInfo memory next = nextHeader();
        vm.prank(operator);
        vm.expectRevert(IRollup.TooManyPriorityOps.selector);
        rollup.commitBatch(batchInfo[tip], next, pubdata);
    }

    /// @dev A page is checked against the link the previous one left: pages out of order,
    ///      a page with a record changed, or a made-up rest of the chain are refused, and
    ///      the next batch waits until every page is credited.
    function test_WorstCase_payoutPagesInOrderOnly() public {
        uint256 n = 600; // three pages
        _fund(n);
        bytes memory pubdata = new bytes(n * WITHDRAW_BYTES + 64);
        uint256 off;
        for (uint256 i; i < n; ++i) {
            off = _put(pubdata, off, pdWithdraw(ACCOUNT, ETH, 1, 0, _fresh(i)));
        }
        assembly ("memory-safe") {
            mstore(pubdata, off)
        }
        commit(pubdata);
        prove(2);
        commit("");
        prove(3);
        (bytes[] memory pages, bytes32[] memory links) = PayoutPages.split(batchPayouts[2]);
        assertEq(pages.length, 3);
        rollup.executeBatch(batchInfo[2], pages[0], links[0]);
        assertEq(rollup.pendingPayoutsLink(), links[0]);
        vm.expectRevert(IRollup.PayoutsPending.selector);
        rollup.executeBatch(batchInfo[3], "", bytes32(0));
        vm.expectRevert(IRollup.PayoutsMismatch.selector);
        rollup.executePayouts(pages[2], links[2]);
        bytes memory tampered = bytes.concat(pages[1]);
        tampered[0] = bytes1(uint8(tampered[0]) ^ 1);
        vm.expectRevert(IRollup.PayoutsMismatch.selector);
        rollup.executePayouts(tampered, links[1]);
        vm.expectRevert(IRollup.PayoutsMismatch.selector);
        rollup.executePayouts(pages[1], bytes32(0));
        rollup.executePayouts(pages[1], links[1]);
        rollup.executePayouts(pages[2], links[2]);
        vm.expectRevert(IRollup.NoPayoutsPending.selector);
        rollup.executePayouts(pages[2], links[2]);
        for (uint256 i; i < n; i += 97) {
            assertEq(rollup.claimable(_fresh(i), ETH), 1e9);
        }
        execute(3);
        assertEq(uint256(rollup.totalBatchesExecuted()), 3);
    }
}
