// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {RollupBase} from "./utils/RollupBase.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {Roles} from "../src/utils/Roles.sol";
import {MockERC20} from "./mocks/Tokens.sol";

/// @notice Fuzz tests over amounts, scales and orderings (256 runs; FOUNDRY_PROFILE=ci: 2048).
contract RollupFuzzTest is RollupBase {
    // =================================================================== amounts and scales

    /// @dev Any amount and any registrable scale (10^0 .. 10^18): the deposit succeeds iff
    ///      amount is a multiple of scale with a quotient in 1..2^63-1, and then queues exactly
    ///      amount / scale L2 units.
    function testFuzz_depositAmountAndScale(uint256 amount, uint96 scale) public {
        scale = uint96(10 ** bound(scale, 0, 18));
        // Half the runs use an exact multiple, so both outcomes are common.
        if (amount % 2 == 0) amount = bound(amount, 0, uint256(MAX_AMOUNT) + 10) * scale;
        MockERC20 t = new MockERC20("T", 18);
        vm.prank(gov);
        uint8 id = rollup.registerToken(address(t), scale);
        t.mint(alice, amount);
        vm.deal(alice, PRIORITY_FEE);
        vm.startPrank(alice);
        t.approve(address(rollup), amount);
        uint256 l2 = amount / scale;
        if (amount % scale != 0) {
            vm.expectRevert(IRollup.AmountNotMultipleOfScale.selector);
        } else if (l2 == 0 || l2 > MAX_AMOUNT) {
            vm.expectRevert(IRollup.AmountOutOfRange.selector);
        }
        rollup.depositERC20{value: PRIORITY_FEE}(address(t), amount, KEY_A);
        vm.stopPrank();
        if (amount % scale == 0 && l2 >= 1 && l2 <= MAX_AMOUNT) {
            (IRollup.PriorityOp memory op,) = rollup.priorityOp(0);
            assertEq(uint256(op.amount), l2);
            assertEq(uint256(supply(id)), l2);
            assertEq(t.balanceOf(address(rollup)), amount);
        } else {
            assertEq(uint256(rollup.totalPriorityOps()), 0);
        }
    }

    /// @dev The deposit (what is paid beyond the fee) follows the scale rules; the fee itself
    ///      is fuzzed in RollupPriorityFee.t.sol.
    function testFuzz_depositETH(uint256 value) public {
        value = bound(value, 0, 1e30);
        vm.deal(alice, value + PRIORITY_FEE);
        vm.prank(alice);
        if (value % 1e9 != 0) {
            vm.expectRevert(IRollup.AmountNotMultipleOfScale.selector);
        } else if (value == 0 || value / 1e9 > MAX_AMOUNT) {
            vm.expectRevert(IRollup.AmountOutOfRange.selector);
        }
        rollup.depositETH{value: value + PRIORITY_FEE}(KEY_A);
        if (value % 1e9 == 0 && value > 0 && value / 1e9 <= MAX_AMOUNT) assertEq(uint256(supply(ETH)), value / 1e9);
    }

    /// @dev The supply cap holds over any sequence of deposits: the sum never passes 2^63 - 1.
    function testFuzz_supplyCap(uint64[4] memory amounts) public {
        dai.mint(alice, type(uint256).max / 2);
        vm.deal(alice, 4 * PRIORITY_FEE);
        vm.startPrank(alice);
        dai.approve(address(rollup), type(uint256).max);
        uint256 total;
        for (uint256 i; i < 4; ++i) {
            uint256 a = bound(amounts[i], 1, MAX_AMOUNT);
            if (total + a > MAX_AMOUNT) {
                vm.expectRevert(IRollup.SupplyCapExceeded.selector);
                rollup.depositERC20{value: PRIORITY_FEE}(address(dai), a * 1e9, KEY_A);
            } else {
                rollup.depositERC20{value: PRIORITY_FEE}(address(dai), a * 1e9, KEY_A);
                total += a;
            }
            assertEq(uint256(supply(DAI_ID)), total);
        }
        vm.stopPrank();
    }

    /// @dev A refunded deposit returns exactly what was paid, for any registrable scale and amount.
    function testFuzz_refundRoundTrip(uint64 l2Amount, uint96 scale) public {
        scale = uint96(10 ** bound(scale, 0, 18));
        l2Amount = uint64(bound(l2Amount, 1, MAX_AMOUNT));
        MockERC20 t = new MockERC20("T", 18);
        vm.prank(gov);
        uint8 id = rollup.registerToken(address(t), scale);
        uint256 l1 = uint256(l2Amount) * scale;
        depositToken(t, bob, l1, KEY_B);
        commitProveExecute(pdDeposit(0, id, l2Amount, false));
        assertEq(rollup.claimable(bob, id), l1);
        assertEq(uint256(supply(id)), 0);
        vm.prank(bob);
        rollup.withdraw(id);
        assertEq(t.balanceOf(bob), l1);
        assertEq(t.balanceOf(address(rollup)), 0);
    }

    /// @dev Withdrawals pay amount × scale to the pubdata's recipient, never more than locked.
    function testFuzz_withdrawPaysScaledAmount(uint64 deposited, uint64 withdrawn, address to) public {
        vm.assume(to != address(0) && to != address(rollup) && to.code.length == 0 && uint160(to) > 0x100);
        deposited = uint64(bound(deposited, 1, 1e12));
        withdrawn = uint64(bound(withdrawn, 1, deposited));
        depositToken(dai, alice, uint256(deposited) * 1e9, KEY_A);
        commitProveExecute(bytes.concat(pdDeposit(3, DAI_ID, deposited, true), pdWithdraw(3, DAI_ID, withdrawn, 0, to)));
        assertEq(rollup.claimable(to, DAI_ID), uint256(withdrawn) * 1e9);
        assertEq(uint256(supply(DAI_ID)), deposited - withdrawn);
        rollup.claim(to, DAI_ID);
        assertEq(dai.balanceOf(to), uint256(withdrawn) * 1e9);
        assertEq(dai.balanceOf(address(rollup)), uint256(deposited - withdrawn) * 1e9);
    }

    // =================================================================== orderings

    /// @dev A random queue of deposits and full exits, consumed by batches of random sizes with
    ///      L2 ops in between: in queue order every commit succeeds and each batch's priority
    ///      commitment is the fold of its own ops; swapping two different adjacent ops fails.
    function testFuzz_priorityOpsConsumedInOrder(uint256 seed) public {
        uint256 n = bound(seed, 1, 12);
        bytes[] memory ops = new bytes[](n);
        for (uint256 q; q < n; ++q) {
            uint256 r = uint256(keccak256(abi.encode(seed, q)));
            if (r % 3 == 0) {
                uint32 account = uint32(r >> 8) % (1 << 24);
                requestExit(bob, account, uint8((r >> 40) % 3));
                ops[q] = pdFullExit(uint24(account), uint8((r >> 40) % 3), 0, bob);
            } else {
                uint64 amount = uint64((r >> 8) % 1e6) + 1;
                depositToken(usdc, alice, amount, KEY_A);
                ops[q] = pdDeposit(uint24((r >> 80) % 100), USDC_ID, amount, (r >> 100) % 4 != 0);
            }
        }
        // A misordered batch is refused (when the first two ops differ).
        if (n >= 2 && keccak256(ops[0]) != keccak256(ops[1])) {
            IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo(1, uint64(block.timestamp), root(1));
            vm.expectRevert(abi.encodeWithSelector(IRollup.PriorityOpMismatch.selector, 0));
            vm.prank(operator);
            rollup.commitBatch(batchInfo[0], next, bytes.concat(ops[1], ops[0]));
        }
        uint256 i;
        for (uint256 round; i < n; ++round) {
            // Empty batches are allowed; every third round takes at least one op.
            uint256 k = bound(uint256(keccak256(abi.encode(seed, "split", round))), round % 3 == 2 ? 1 : 0, n - i);
            bytes memory pubdata = pdTransfer(1, 2, 0, 1, 0);
            bytes32 c;
            for (uint256 j = i; j < i + k; ++j) {
                pubdata = bytes.concat(pubdata, ops[j], pdSwap(1, 2, 0, 1, 1, 0));
                (IRollup.PriorityOp memory op,) = rollup.priorityOp(uint64(j));
                c = keccak256(abi.encodePacked(c, op.opHash));
            }
            IRollup.StoredBatchInfo memory b = commit(pubdata);
            assertEq(uint256(b.firstPriorityId), i);
            assertEq(uint256(b.priorityOpsCount), k);
            assertEq(b.priorityCommitment, c);
            i += k;
        }
        // Everything consumed; nothing more can be.
        assertEq(uint256(batchInfo[tip].firstPriorityId + batchInfo[tip].priorityOpsCount), n);
    }

    /// @dev Random bytes as pubdata never make commit fail other than with its own errors
    ///      (no panics, no out-of-bounds reads), and never consume a priority op that was
    ///      not queued.
    function testFuzz_commitArbitraryPubdata(bytes memory pubdata) public {
        depositEth(alice, 1 ether, KEY_A);
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo(1, uint64(block.timestamp), root(1));
        vm.prank(operator);
        try rollup.commitBatch(batchInfo[0], next, pubdata) {
            assertEq(uint256(rollup.totalBatchesCommitted()), 1);
        } catch (bytes memory err) {
            bytes4 sel = bytes4(err);
            assertTrue(
                sel == IRollup.UnknownOpType.selector || sel == IRollup.TruncatedPubdata.selector
                    || sel == IRollup.PriorityOpNotQueued.selector || sel == IRollup.PriorityOpMismatch.selector
                    || sel == IRollup.InvalidCreditedFlag.selector || sel == IRollup.UnknownToken.selector,
                "unexpected commit error"
            );
        }
    }

    /// @dev Only the exact proof of the batch's public inputs proves it.
    function testFuzz_onlyExactProofAccepted(bytes memory proof, bytes32 stateRoot) public {
        stateRoot &= 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff;
        IRollup.StoredBatchInfo memory b = commitWithRoot(pdTransfer(1, 2, 0, 1, 0), stateRoot);
        bytes memory valid = proofFor(b);
        if (keccak256(proof) != keccak256(valid)) {
            vm.expectRevert(IRollup.InvalidProof.selector);
            rollup.proveBatch(b, proof);
            assertEq(uint256(rollup.totalBatchesProven()), 0);
        }
        rollup.proveBatch(b, valid);
        assertEq(uint256(rollup.totalBatchesProven()), 1);
    }

    /// @dev Any interleaving of commit/prove/execute/revert keeps executed <= proven <=
    ///      committed, and each stage only ever advances by one batch in order.
    function testFuzz_pipelineOrdering(uint8[24] memory actions) public {
        for (uint256 i; i < actions.length; ++i) {
            uint64 c = rollup.totalBatchesCommitted();
            uint64 p = rollup.totalBatchesProven();
            uint64 e = rollup.totalBatchesExecuted();
            uint256 a = actions[i] % 5;
            if (a <= 1) {
                commit(pdTransfer(1, 2, 0, uint64(i) + 1, 0));
            } else if (a == 2 && p < c) {
                prove(p + 1);
            } else if (a == 3 && e < p) {
                execute(e + 1);
            } else if (a == 4 && p < c) {
                vm.prank(operator);
                rollup.revertBatches(p);
                tip = p;
            } else if (a == 3 && p < c) {
                // Executing an unproven batch fails.
                vm.expectRevert(IRollup.BatchNotProven.selector);
                rollup.executeBatch(batchInfo[e + 1], batchPayouts[e + 1], bytes32(0));
            }
            assertLe(uint256(rollup.totalBatchesExecuted()), uint256(rollup.totalBatchesProven()));
            assertLe(uint256(rollup.totalBatchesProven()), uint256(rollup.totalBatchesCommitted()));
        }
    }

    /// @dev Only governance registers, only operators commit, for any caller.
    function testFuzz_roles(address caller) public {
        vm.assume(caller != gov && caller != operator);
        vm.startPrank(caller);
        vm.expectRevert(Roles.NotGovernance.selector);
        rollup.registerToken(address(0x1234), 1);
        vm.expectRevert(Roles.NotGovernance.selector);
        rollup.setPaused(true);
        vm.expectRevert(Roles.NotOperator.selector);
        rollup.commitBatch(batchInfo[0], IRollup.CommitBatchInfo(1, uint64(block.timestamp), root(1)), "");
        vm.expectRevert(Roles.NotOperator.selector);
        rollup.revertBatches(0);
        vm.stopPrank();
    }
}
