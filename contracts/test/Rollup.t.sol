// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Vm} from "./utils/Test.sol";
import {RollupBase} from "./utils/RollupBase.sol";
import {Rollup} from "../src/Rollup.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {IBatchVerifier} from "../src/interfaces/IBatchVerifier.sol";
import {Roles} from "../src/utils/Roles.sol";
import {ReentrancyGuard} from "../src/utils/ReentrancyGuard.sol";
import {SafeTransfer} from "../src/lib/SafeTransfer.sol";
import {StateProof} from "../src/lib/StateProof.sol";
import {PayoutPages} from "./utils/PayoutPages.sol";
import {TestBatchVerifier, RevertingVerifier} from "./mocks/TestBatchVerifier.sol";
import {MockERC20, FeeOnTransferERC20, NoReturnERC20, FalseReturnERC20, ReentrantERC20} from "./mocks/Tokens.sol";
import {RejectETH, ReenteringReceiver} from "./mocks/Actors.sol";

/// @notice Unit tests of every entry point of Rollup, each success path and each revert.
contract RollupTest is RollupBase {
    uint256 internal constant P = 0xFFFFFFFF00000001;

    /// @dev Deposit encoding written out independently of PriorityOps (core's codec layout).
    function encDeposit(uint64 id, address from, bytes memory key, uint8 token, uint64 amount)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(uint8(1), id, from, key, token, amount);
    }

    // =================================================================== deployment & roles

    function test_constructor_initialState() public view {
        assertEq(rollup.governance(), gov);
        assertEq(address(rollup.verifier()), address(verifier));
        assertEq(uint256(rollup.priorityDeadline()), uint256(DEADLINE));
        assertEq(uint256(rollup.tokenCount()), 3);
        (address t, uint256 scale) = rollup.tokens(ETH);
        assertEq(t, address(0));
        assertEq(scale, 1e9);
        assertEq(rollup.storedBatchHash(0), keccak256(abi.encode(batchInfo[0])));
        assertEq(uint256(rollup.totalBatchesCommitted()), 0);
        assertFalse(rollup.exodusMode());
        assertTrue(rollup.isOperator(operator));
        assertEq(rollup.priorityFee(), PRIORITY_FEE);
        assertEq(rollup.feeRecipient(), feeRecipient);
    }

    function test_constructor_reverts() public {
        vm.expectRevert(Roles.ZeroAddress.selector);
        new Rollup(address(0), verifier, GENESIS_ROOT, DEADLINE, PRIORITY_FEE, feeRecipient, genesisPools);
        vm.expectRevert(Roles.ZeroAddress.selector);
        new Rollup(gov, IBatchVerifier(address(0)), GENESIS_ROOT, DEADLINE, PRIORITY_FEE, feeRecipient, genesisPools);
        vm.expectRevert(IRollup.InvalidDeadline.selector);
        new Rollup(gov, verifier, GENESIS_ROOT, 1 hours - 1, PRIORITY_FEE, feeRecipient, genesisPools);
        vm.expectRevert(IRollup.InvalidDeadline.selector);
        new Rollup(gov, verifier, GENESIS_ROOT, 30 days + 1, PRIORITY_FEE, feeRecipient, genesisPools);
        vm.expectRevert(IRollup.InvalidStateRoot.selector);
        new Rollup(gov, verifier, bytes32(uint256(P)), DEADLINE, PRIORITY_FEE, feeRecipient, genesisPools);
    }

    function test_registerToken() public {
        MockERC20 t = new MockERC20("T", 8);
        vm.prank(gov);
        uint8 id = rollup.registerToken(address(t), 100);
        assertEq(uint256(id), 3);
        assertEq(uint256(rollup.tokenIdOf(address(t))), 3);
        (address a, uint256 s) = rollup.tokens(3);
        assertEq(a, address(t));
        assertEq(s, 100);
    }

    function test_registerToken_reverts() public {
        vm.expectRevert(Roles.NotGovernance.selector);
        rollup.registerToken(address(1), 1);
        vm.startPrank(gov);
        vm.expectRevert(Roles.ZeroAddress.selector);
        rollup.registerToken(address(0), 1);
        vm.expectRevert(IRollup.InvalidScale.selector);
        rollup.registerToken(address(1), 0);
        vm.expectRevert(IRollup.TokenAlreadyRegistered.selector);
        rollup.registerToken(address(usdc), 1);
        // Fill ids 3..127, then the 129th asset is refused (D2: ids 0..127).
        for (uint160 i = 3; i < 128; ++i) {
            rollup.registerToken(address(0x1000 + i), 1);
        }
        assertEq(uint256(rollup.tokenCount()), 128);
        vm.expectRevert(IRollup.TooManyTokens.selector);
        rollup.registerToken(address(0x9999), 1);
        vm.stopPrank();
        vm.expectRevert(IRollup.UnknownToken.selector);
        rollup.tokenIdOf(address(0x9999));
    }

    function test_governance_twoStepTransfer() public {
        vm.expectRevert(Roles.NotGovernance.selector);
        rollup.transferGovernance(alice);
        vm.prank(gov);
        rollup.transferGovernance(alice);
        assertEq(rollup.pendingGovernance(), alice);
        vm.expectRevert(Roles.NotPendingGovernance.selector);
        vm.prank(bob);
        rollup.acceptGovernance();
        vm.prank(alice);
        rollup.acceptGovernance();
        assertEq(rollup.governance(), alice);
        assertEq(rollup.pendingGovernance(), address(0));
        vm.expectRevert(Roles.NotGovernance.selector);
        vm.prank(gov);
        rollup.setPaused(true);
    }

    function test_setOperator() public {
        vm.expectRevert(Roles.NotGovernance.selector);
        rollup.setOperator(alice, true);
        vm.startPrank(gov);
        vm.expectRevert(Roles.ZeroAddress.selector);
        rollup.setOperator(address(0), true);
        rollup.setOperator(alice, true);
        assertTrue(rollup.isOperator(alice));
        rollup.setOperator(operator, false);
        vm.stopPrank();
        vm.expectRevert(Roles.NotOperator.selector);
        vm.prank(operator);
        rollup.commitBatch(batchInfo[0], IRollup.CommitBatchInfo(1, uint64(block.timestamp), root(1)), "");
    }

    function test_pause_blocksDepositsAndCommitsOnly() public {
        uint64 id = depositEth(alice, 1 ether, KEY_A);
        vm.expectRevert(Roles.NotGovernance.selector);
        rollup.setPaused(true);
        vm.prank(gov);
        rollup.setPaused(true);
        assertTrue(rollup.paused());

        vm.deal(alice, 1 ether);
        vm.expectRevert(Roles.Paused.selector);
        vm.prank(alice);
        rollup.depositETH{value: 1 ether}(KEY_A);
        usdc.mint(alice, 10);
        vm.startPrank(alice);
        usdc.approve(address(rollup), 10);
        vm.expectRevert(Roles.Paused.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(usdc), 10, KEY_A);
        vm.stopPrank();
        vm.expectRevert(Roles.Paused.selector);
        vm.prank(operator);
        rollup.commitBatch(batchInfo[0], IRollup.CommitBatchInfo(1, uint64(block.timestamp), root(1)), "");

        // Full exits stay open (they are the users' escape hatch).
        requestExit(bob, 3, ETH);

        vm.prank(gov);
        rollup.setPaused(false);
        commit(bytes.concat(pdDeposit(3, ETH, 1e9, true), pdFullExit(3, ETH, 0, bob)));
        // Proving and executing do not depend on the pause either.
        vm.prank(gov);
        rollup.setPaused(true);
        prove(1);
        execute(1);
        assertEq(uint256(rollup.totalPriorityOpsExecuted()), uint256(id) + 2);
    }

    // =================================================================== deposits

    function test_depositETH_queuesOp() public {
        vm.deal(alice, 2 ether);
        vm.recordLogs();
        vm.prank(alice);
        uint64 id = rollup.depositETH{value: 1.5 ether + PRIORITY_FEE}(KEY_A);
        assertEq(uint256(id), 0);
        assertEq(uint256(rollup.totalPriorityOps()), 1);
        (IRollup.PriorityOp memory op, uint64 deadline) = rollup.priorityOp(0);
        bytes32 expected = keccak256(encDeposit(0, alice, KEY_A, ETH, 1.5e9));
        assertEq(op.opHash, expected);
        assertEq(op.owner, alice);
        assertEq(uint256(op.amount), 1.5e9);
        assertEq(uint256(op.token), 0);
        assertEq(uint256(op.kind), 1);
        assertEq(uint256(deadline), block.timestamp + DEADLINE);
        assertEq(uint256(supply(ETH)), 1.5e9);
        assertEq(address(rollup).balance, 1.5 ether + PRIORITY_FEE);
        assertEq(rollup.claimable(feeRecipient, ETH), PRIORITY_FEE);
        _checkDepositEvent(vm.getRecordedLogs(), expected, deadline);
    }

    function _checkDepositEvent(Vm.Log[] memory logs, bytes32 expected, uint64 deadline) internal pure {
        assertEq(logs.length, 1);
        assertEq(logs[0].topics[0], IRollup.DepositQueued.selector);
        assertEq(uint256(logs[0].topics[1]), 0);
        assertEq(address(uint160(uint256(logs[0].topics[2]))), address(0xA11CE));
        assertEq(uint256(logs[0].topics[3]), ETH);
        (uint64 amount, bytes memory key, bytes32 h, uint64 d) =
            abi.decode(logs[0].data, (uint64, bytes, bytes32, uint64));
        assertEq(uint256(amount), 1.5e9);
        assertEq(key, KEY_A);
        assertEq(h, expected);
        assertEq(uint256(d), uint256(deadline));
    }

    function test_depositERC20_queuesOp() public {
        uint64 id0 = depositToken(usdc, alice, 123_456, KEY_B);
        uint64 id1 = depositToken(dai, bob, 5e18, KEY_C);
        assertEq(uint256(id1), uint256(id0) + 1);
        (IRollup.PriorityOp memory op,) = rollup.priorityOp(id1);
        assertEq(op.opHash, keccak256(encDeposit(1, bob, KEY_C, DAI_ID, 5e9)));
        assertEq(uint256(op.amount), 5e9);
        assertEq(uint256(supply(USDC_ID)), 123_456);
        assertEq(uint256(supply(DAI_ID)), 5e9);
        assertEq(usdc.balanceOf(address(rollup)), 123_456);
        assertEq(dai.balanceOf(address(rollup)), 5e18);
    }

    function test_deposit_amountChecks() public {
        vm.deal(alice, 100 ether);
        vm.startPrank(alice);
        vm.expectRevert(IRollup.AmountNotMultipleOfScale.selector);
        rollup.depositETH{value: PRIORITY_FEE + 1e9 + 1}(KEY_A);
        vm.expectRevert(IRollup.AmountOutOfRange.selector);
        rollup.depositETH{value: PRIORITY_FEE}(KEY_A);
        vm.stopPrank();

        // L2 amount 2^63 is out of range; 2^63 - 1 is the largest deposit.
        uint256 tooBig = (uint256(MAX_AMOUNT) + 1) * 1e9;
        dai.mint(alice, tooBig + uint256(MAX_AMOUNT) * 1e9);
        vm.startPrank(alice);
        dai.approve(address(rollup), type(uint256).max);
        vm.expectRevert(IRollup.AmountOutOfRange.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(dai), tooBig, KEY_A);
        vm.expectRevert(IRollup.AmountNotMultipleOfScale.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(dai), 1e9 - 1, KEY_A);
        rollup.depositERC20{value: PRIORITY_FEE}(address(dai), uint256(MAX_AMOUNT) * 1e9, KEY_A);
        assertEq(uint256(supply(DAI_ID)), uint256(MAX_AMOUNT));
        // D1: the per-token L2 supply is capped at 2^63 - 1.
        vm.expectRevert(IRollup.SupplyCapExceeded.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(dai), 1e9, KEY_A);
        vm.stopPrank();
    }

    function test_deposit_keyChecks() public {
        vm.deal(alice, 10 ether);
        vm.startPrank(alice);
        vm.expectRevert(IRollup.InvalidPublicKey.selector);
        rollup.depositETH{value: 1 ether}(new bytes(40)); // neutral
        vm.expectRevert(IRollup.InvalidPublicKey.selector);
        rollup.depositETH{value: 1 ether}(bytes.concat(KEY_A, hex"00")); // 41 bytes
        vm.expectRevert(IRollup.InvalidPublicKey.selector);
        rollup.depositETH{value: 1 ether}(
            hex"c5ec451f0bd6916c8de7e5cec6c21e8693098a29f80c969ecff292d6e4f3fb960010af5adef1c7"
        ); // 39
        bytes memory nonCanonical = KEY_A;
        // limb 4 = 2^64 - 1
        for (uint256 i = 32; i < 40; ++i) {
            nonCanonical[i] = 0xff;
        }
        vm.expectRevert(IRollup.InvalidPublicKey.selector);
        rollup.depositETH{value: 1 ether}(nonCanonical);
        // w = 1 is canonical and nonzero but not on the curve (core refuses it too).
        bytes memory offCurve = new bytes(40);
        offCurve[0] = 0x01;
        vm.expectRevert(IRollup.InvalidPublicKey.selector);
        rollup.depositETH{value: 1 ether}(offCurve);
        vm.stopPrank();
    }

    function test_depositERC20_tokenChecks() public {
        vm.expectRevert(IRollup.UnknownToken.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(0x1234), 1, KEY_A);
        vm.expectRevert(IRollup.UnknownToken.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(0), 1e9, KEY_A); // ETH is not an ERC-20

        FeeOnTransferERC20 fot = new FeeOnTransferERC20();
        vm.prank(gov);
        rollup.registerToken(address(fot), 1);
        fot.mint(alice, 1000);
        vm.deal(alice, 1 ether);
        vm.startPrank(alice);
        fot.approve(address(rollup), 1000);
        vm.expectRevert(IRollup.FeeOnTransferToken.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(fot), 1000, KEY_A);
        vm.stopPrank();

        FalseReturnERC20 f = new FalseReturnERC20();
        vm.prank(gov);
        rollup.registerToken(address(f), 1);
        f.mint(alice, 1000);
        f.setFail(true);
        vm.startPrank(alice);
        f.approve(address(rollup), 1000);
        vm.expectRevert(SafeTransfer.TokenTransferFromFailed.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(f), 1000, KEY_A);
        vm.stopPrank();

        // Without allowance the token reverts: the deposit reverts too.
        usdc.mint(bob, 5);
        vm.deal(bob, PRIORITY_FEE);
        vm.expectRevert(SafeTransfer.TokenTransferFromFailed.selector);
        vm.prank(bob);
        rollup.depositERC20{value: PRIORITY_FEE}(address(usdc), 5, KEY_A);
    }

    function test_depositERC20_noReturnToken() public {
        NoReturnERC20 t = new NoReturnERC20();
        vm.prank(gov);
        uint8 id = rollup.registerToken(address(t), 1);
        t.mint(alice, 50);
        vm.deal(alice, PRIORITY_FEE);
        vm.startPrank(alice);
        t.approve(address(rollup), 50);
        rollup.depositERC20{value: PRIORITY_FEE}(address(t), 50, KEY_A);
        vm.stopPrank();
        assertEq(uint256(supply(id)), 50);
        // And it pays out: refund the deposit in a batch, then withdraw.
        commitProveExecute(pdDeposit(0, id, 50, false));
        vm.prank(alice);
        rollup.withdraw(id);
        assertEq(t.balanceOf(alice), 50);
    }

    function test_depositERC20_reentrancyBlocked() public {
        ReentrantERC20 t = new ReentrantERC20();
        vm.prank(gov);
        rollup.registerToken(address(t), 1);
        t.mint(alice, 100);
        vm.prank(alice);
        t.approve(address(rollup), 100);
        t.arm(address(rollup), abi.encodeCall(Rollup.withdraw, (ETH)));
        vm.deal(alice, PRIORITY_FEE);
        vm.prank(alice);
        rollup.depositERC20{value: PRIORITY_FEE}(address(t), 100, KEY_A);
        assertFalse(t.lastCallOk());
        assertEq(t.lastReturn(), abi.encodeWithSelector(ReentrancyGuard.Reentrancy.selector));
    }

    // =================================================================== full exits

    function test_requestFullExit() public {
        vm.recordLogs();
        uint64 id = requestExit(bob, 77, USDC_ID);
        (IRollup.PriorityOp memory op, uint64 deadline) = rollup.priorityOp(id);
        assertEq(op.opHash, keccak256(abi.encodePacked(uint8(7), uint64(0), uint32(77), bob, USDC_ID)));
        assertEq(op.owner, bob);
        assertEq(uint256(op.amount), 77);
        assertEq(uint256(op.kind), 7);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs[0].topics[0], IRollup.FullExitQueued.selector);
        assertEq(uint256(logs[0].topics[2]), 77);
        assertEq(address(uint160(uint256(logs[0].topics[3]))), bob);
        (uint8 token, bytes32 h, uint64 d) = abi.decode(logs[0].data, (uint8, bytes32, uint64));
        assertEq(uint256(token), USDC_ID);
        assertEq(h, op.opHash);
        assertEq(uint256(d), uint256(deadline));
        // Supply is untouched: a full exit carries no funds in.
        assertEq(uint256(supply(USDC_ID)), 0);
    }

    function test_requestFullExit_reverts() public {
        vm.expectRevert(IRollup.InvalidAccountId.selector);
        rollup.requestFullExit{value: PRIORITY_FEE}(1 << 24, ETH);
        vm.expectRevert(IRollup.UnknownToken.selector);
        rollup.requestFullExit{value: PRIORITY_FEE}(5, 3);
        rollup.requestFullExit{value: PRIORITY_FEE}((1 << 24) - 1, DAI_ID);
    }

    // =================================================================== commit

    /// @dev A batch with every op type, priority ops interleaved with L2 ops.
    function _mixedBatch() internal returns (bytes memory pubdata, bytes memory payouts, bytes32 commitment) {
        depositEth(alice, 2 ether, KEY_A); // 0: credited to account 3
        depositToken(usdc, bob, 500, KEY_B); // 1: refunded
        requestExit(alice, 3, ETH); // 2: exits 0.5 ETH to alice
        requestExit(bob, 3, USDC_ID); // 3: not the owner: exits 0
        pubdata = bytes.concat(
            pdDeposit(3, ETH, 2e9, true), pdTransfer(3, 4, ETH, 1e9, 0x7d00), pdDeposit(0, USDC_ID, 500, false)
        );
        pubdata = bytes.concat(pubdata, pdSwap(3, 2, ETH, 1e8, 777, 1), pdAddLiquidity(3, 2, 5, 6, 7, 0));
        pubdata =
            bytes.concat(pubdata, pdRemoveLiquidity(3, 2, 7, 5, 6, 0), pdWithdraw(4, ETH, 4e8, 3, address(0xD00D)));
        pubdata = bytes.concat(pubdata, pdFullExit(3, ETH, 5e8, alice), pdFullExit(3, USDC_ID, 0, bob));
        payouts = bytes.concat(payout(bob, USDC_ID, 500), payout(address(0xD00D), ETH, 4e8), payout(alice, ETH, 5e8));
        for (uint64 i; i < 4; ++i) {
            (IRollup.PriorityOp memory op,) = rollup.priorityOp(i);
            commitment = keccak256(abi.encodePacked(commitment, op.opHash));
        }
    }

    function test_commitBatch_everyOpType() public {
        (bytes memory pubdata, bytes memory payouts, bytes32 commitment) = _mixedBatch();
        vm.warp(block.timestamp + 10);
        IRollup.StoredBatchInfo memory info = commit(pubdata);
        assertEq(uint256(info.batchNumber), 1);
        assertEq(uint256(info.timestamp), block.timestamp);
        assertEq(uint256(info.firstPriorityId), 0);
        assertEq(uint256(info.priorityOpsCount), 4);
        assertEq(info.prevStateRoot, GENESIS_ROOT);
        assertEq(info.stateRoot, root(1));
        assertEq(info.pubdataCommitment, keccak256(pubdata));
        assertEq(info.priorityCommitment, commitment);
        assertEq(batchPayouts[1], payouts);
        assertEq(info.payoutsHash, PayoutPages.head(payouts));
        assertEq(rollup.storedBatchHash(1), keccak256(abi.encode(info)));
        assertEq(uint256(rollup.totalBatchesCommitted()), 1);
    }

    function test_commitBatch_emptyAndChained() public {
        IRollup.StoredBatchInfo memory b1 = commit("");
        assertEq(uint256(b1.priorityOpsCount), 0);
        assertEq(b1.priorityCommitment, bytes32(0));
        assertEq(b1.pubdataCommitment, keccak256(""));
        depositEth(alice, 1 ether, KEY_A);
        depositEth(alice, 2 ether, KEY_A);
        depositEth(alice, 3 ether, KEY_A);
        IRollup.StoredBatchInfo memory b2 = commit(pdDeposit(3, ETH, 1e9, true));
        IRollup.StoredBatchInfo memory b3 = commit(
            bytes.concat(pdDeposit(3, ETH, 2e9, true), pdTransfer(3, 3, ETH, 1, 0), pdDeposit(3, ETH, 3e9, true))
        );
        assertEq(uint256(b2.firstPriorityId), 0);
        assertEq(uint256(b2.priorityOpsCount), 1);
        assertEq(uint256(b3.firstPriorityId), 1);
        assertEq(uint256(b3.priorityOpsCount), 2);
        assertEq(b3.prevStateRoot, b2.stateRoot);
        // A batch that consumes nothing is fine while ops wait.
        depositEth(alice, 4 ether, KEY_A);
        IRollup.StoredBatchInfo memory b4 = commit(pdTransfer(1, 2, 0, 1, 0));
        assertEq(uint256(b4.firstPriorityId), 3);
        assertEq(uint256(b4.priorityOpsCount), 0);
    }

    function test_commitBatch_headerChecks() public {
        commit("");
        IRollup.StoredBatchInfo memory last = batchInfo[1];
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo(2, uint64(block.timestamp), root(2));
        vm.startPrank(operator);
        // Stale tip, or a tip with any field changed.
        vm.expectRevert(IRollup.LastBatchMismatch.selector);
        rollup.commitBatch(batchInfo[0], next, "");
        last.stateRoot = root(99);
        vm.expectRevert(IRollup.LastBatchMismatch.selector);
        rollup.commitBatch(last, next, "");
        last = batchInfo[1];
        next.batchNumber = 3;
        vm.expectRevert(IRollup.BatchNumberMismatch.selector);
        rollup.commitBatch(last, next, "");
        next.batchNumber = 2;
        next.timestamp = last.timestamp - 1;
        vm.expectRevert(IRollup.InvalidTimestamp.selector);
        rollup.commitBatch(last, next, "");
        next.timestamp = uint64(block.timestamp + 1);
        vm.expectRevert(IRollup.InvalidTimestamp.selector);
        rollup.commitBatch(last, next, "");
        next.timestamp = uint64(block.timestamp);
        next.newStateRoot = bytes32(uint256(P) << 64);
        vm.expectRevert(IRollup.InvalidStateRoot.selector);
        rollup.commitBatch(last, next, "");
        vm.stopPrank();
        vm.expectRevert(Roles.NotOperator.selector);
        rollup.commitBatch(last, IRollup.CommitBatchInfo(2, uint64(block.timestamp), root(2)), "");
    }

    function _expectCommitRevert(bytes memory pubdata, bytes memory err) internal {
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo(tip + 1, uint64(block.timestamp), root(tip + 1));
        vm.expectRevert(err);
        vm.prank(operator);
        rollup.commitBatch(batchInfo[tip], next, pubdata);
    }

    function test_commitBatch_rejectsMalformedPubdata() public {
        bytes memory t = pdTransfer(1, 2, 0, 5, 0);
        _expectCommitRevert(hex"00", abi.encodeWithSelector(IRollup.UnknownOpType.selector, 0));
        _expectCommitRevert(bytes.concat(t, hex"08"), abi.encodeWithSelector(IRollup.UnknownOpType.selector, 18));
        _expectCommitRevert(bytes.concat(t, t, hex"ff"), abi.encodeWithSelector(IRollup.UnknownOpType.selector, 36));
        // Every type cut one byte short.
        bytes[7] memory ops = [
            pdDeposit(3, 0, 1, true),
            t,
            pdWithdraw(1, 0, 1, 0, alice),
            pdSwap(1, 2, 0, 1, 1, 0),
            pdAddLiquidity(1, 2, 1, 1, 1, 0),
            pdRemoveLiquidity(1, 2, 1, 1, 1, 0),
            pdFullExit(1, 0, 0, alice)
        ];
        depositEth(alice, 1e9, KEY_A);
        requestExit(alice, 1, ETH);
        for (uint256 i; i < 7; ++i) {
            bytes memory cut = new bytes(ops[i].length - 1);
            for (uint256 j; j < cut.length; ++j) {
                cut[j] = ops[i][j];
            }
            _expectCommitRevert(bytes.concat(t, cut), abi.encodeWithSelector(IRollup.TruncatedPubdata.selector));
        }
    }

    function test_commitBatch_priorityOpChecks() public {
        // Nothing queued yet.
        _expectCommitRevert(pdDeposit(3, 0, 1e9, true), abi.encodeWithSelector(IRollup.PriorityOpNotQueued.selector, 0));
        _expectCommitRevert(pdFullExit(3, 0, 0, alice), abi.encodeWithSelector(IRollup.PriorityOpNotQueued.selector, 0));
        depositEth(alice, 1 ether, KEY_A); // 0
        requestExit(alice, 3, USDC_ID); // 1
        bytes memory mismatch0 = abi.encodeWithSelector(IRollup.PriorityOpMismatch.selector, 0);
        bytes memory mismatch1 = abi.encodeWithSelector(IRollup.PriorityOpMismatch.selector, 1);
        bytes memory d = pdDeposit(3, 0, 1e9, true);
        _expectCommitRevert(pdDeposit(3, 1, 1e9, true), mismatch0); // token
        _expectCommitRevert(pdDeposit(3, 0, 1e9 - 1, true), mismatch0); // amount
        _expectCommitRevert(pdFullExit(3, 0, 0, alice), mismatch0); // kind
        _expectCommitRevert(bytes.concat(d, pdDeposit(3, 0, 1e9, true)), mismatch1); // kind
        _expectCommitRevert(bytes.concat(d, pdFullExit(4, USDC_ID, 0, alice)), mismatch1); // account
        _expectCommitRevert(bytes.concat(d, pdFullExit(3, DAI_ID, 0, alice)), mismatch1); // token
        _expectCommitRevert(bytes.concat(d, pdFullExit(3, USDC_ID, 0, bob)), mismatch1); // owner
        _expectCommitRevert(
            bytes.concat(d, pdFullExit(3, USDC_ID, 0, alice), pdFullExit(3, USDC_ID, 0, alice)),
            abi.encodeWithSelector(IRollup.PriorityOpNotQueued.selector, 2)
        );
        bytes memory badFlag = pdDeposit(3, 0, 1e9, true);
        badFlag[13] = 0x02;
        _expectCommitRevert(badFlag, abi.encodeWithSelector(IRollup.InvalidCreditedFlag.selector));
        // The right ops, in order, commit.
        commit(bytes.concat(d, pdFullExit(3, USDC_ID, 0, alice)));
    }

    function test_commitBatch_withdrawOfUnknownTokenRejected() public {
        _expectCommitRevert(pdWithdraw(3, 3, 1, 0, alice), abi.encodeWithSelector(IRollup.UnknownToken.selector));
        _expectCommitRevert(pdWithdraw(3, 200, 1, 0, alice), abi.encodeWithSelector(IRollup.UnknownToken.selector));
    }

    // =================================================================== prove

    function test_proveBatch_inOrder() public {
        commit("");
        commit(pdTransfer(1, 2, 0, 1, 0));
        commit("");
        bytes memory proof2 = proofFor(batchInfo[2]);
        vm.expectRevert(IRollup.BatchNumberMismatch.selector);
        rollup.proveBatch(batchInfo[2], proof2);
        prove(1);
        prove(2);
        assertEq(uint256(rollup.totalBatchesProven()), 2);
        vm.expectRevert(IRollup.BatchNumberMismatch.selector);
        rollup.proveBatch(batchInfo[2], proof2);
        prove(3);
        // Nothing left to prove.
        IRollup.StoredBatchInfo memory ghost = batchInfo[3];
        ghost.batchNumber = 4;
        bytes memory ghostProof = proofFor(ghost);
        vm.expectRevert(IRollup.BatchNotCommitted.selector);
        rollup.proveBatch(ghost, ghostProof);
    }

    function test_proveBatch_onlyValidProof() public {
        commit("");
        commit(pdTransfer(1, 2, 0, 1, 0));
        IRollup.StoredBatchInfo memory b = batchInfo[1];
        vm.expectRevert(IRollup.InvalidProof.selector);
        rollup.proveBatch(b, "");
        bytes memory other = proofFor(batchInfo[2]);
        vm.expectRevert(IRollup.InvalidProof.selector);
        rollup.proveBatch(b, other); // a proof of another batch
        bytes memory proof = proofFor(b);
        proof[31] ^= 0x01;
        vm.expectRevert(IRollup.InvalidProof.selector);
        rollup.proveBatch(b, proof);
        // A tampered header is caught before the verifier: it is not the committed batch.
        IRollup.StoredBatchInfo memory forged = b;
        forged.stateRoot = root(77);
        bytes memory forgedProof = proofFor(forged);
        vm.expectRevert(IRollup.BatchMismatch.selector);
        rollup.proveBatch(forged, forgedProof);
        prove(1);
    }

    function test_proveBatch_revertingVerifierIsInvalidProof() public {
        verifier = TestBatchVerifier(address(new RevertingVerifier()));
        _deploy(GENESIS_ROOT);
        commit("");
        vm.expectRevert(IRollup.InvalidProof.selector);
        rollup.proveBatch(batchInfo[1], "");
    }

    function test_batchPublicInputs_layout() public view {
        IRollup.StoredBatchInfo memory b;
        b.prevStateRoot = 0x0000000000000001000000000000000200000000000000030000000000000004;
        b.stateRoot = 0xfffffffe00000000000000000000000500000000000000060000000000000007;
        b.pubdataCommitment = 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20;
        b.priorityCommitment = bytes32(type(uint256).max);
        uint256[] memory pi = rollup.batchPublicInputs(b);
        assertEq(pi.length, 24);
        assertEq(pi[0], 1);
        assertEq(pi[3], 4);
        assertEq(pi[4], 0xfffffffe00000000);
        assertEq(pi[7], 7);
        assertEq(pi[8], 0x01020304);
        assertEq(pi[15], 0x1d1e1f20);
        for (uint256 i = 16; i < 24; ++i) {
            assertEq(pi[i], 0xffffffff);
        }
        for (uint256 i; i < 24; ++i) {
            assertLt(pi[i], P);
        }
    }

    // =================================================================== commit and prove

    function test_commitAndProveBatch_commitsAndProves() public {
        (bytes memory pubdata, bytes memory payouts, bytes32 commitment) = _mixedBatch();
        vm.warp(block.timestamp + 10);
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo(1, uint64(block.timestamp), root(1));
        bytes memory proof = proofForNext(pubdata, root(1), 4);
        vm.recordLogs();
        vm.prank(operator);
        rollup.commitAndProveBatch(batchInfo[0], next, pubdata, proof);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        // BatchCommitted (the whole info and the records), then BatchProven, nothing else.
        assertEq(logs.length, 2);
        assertEq(logs[0].topics[0], IRollup.BatchCommitted.selector);
        assertEq(logs[1].topics[0], IRollup.BatchProven.selector);
        assertEq(uint256(logs[0].topics[1]), 1);
        assertEq(uint256(logs[1].topics[1]), 1);
        (bytes32 h, IRollup.StoredBatchInfo memory info, bytes memory emitted) =
            abi.decode(logs[0].data, (bytes32, IRollup.StoredBatchInfo, bytes));
        assertEq(abi.decode(logs[1].data, (bytes32)), h);
        assertEq(h, keccak256(abi.encode(info)));
        assertEq(uint256(info.batchNumber), 1);
        assertEq(uint256(info.timestamp), block.timestamp);
        assertEq(uint256(info.firstPriorityId), 0);
        assertEq(uint256(info.priorityOpsCount), 4);
        assertEq(info.prevStateRoot, GENESIS_ROOT);
        assertEq(info.stateRoot, root(1));
        assertEq(info.pubdataCommitment, keccak256(pubdata));
        assertEq(info.priorityCommitment, commitment);
        assertEq(emitted, payouts);
        assertEq(info.payoutsHash, PayoutPages.head(payouts));
        assertEq(rollup.storedBatchHash(1), h);
        assertEq(uint256(rollup.totalBatchesCommitted()), 1);
        assertEq(uint256(rollup.totalBatchesProven()), 1);
        assertEq(uint256(rollup.totalBatchesExecuted()), 0);
        // Proven already: proving it again is refused, executing it works.
        vm.expectRevert(IRollup.BatchNumberMismatch.selector);
        rollup.proveBatch(info, proof);
        rollup.executeBatch(info, payouts, bytes32(0));
        assertEq(uint256(rollup.totalBatchesExecuted()), 1);
        assertEq(uint256(rollup.totalPriorityOpsExecuted()), 4);
        assertEq(rollup.claimable(bob, USDC_ID), 500);
        assertEq(rollup.claimable(address(0xD00D), ETH), 0.4 ether);
        assertEq(rollup.claimable(alice, ETH), 0.5 ether);
        assertEq(totalClaimable(ETH), 0.9 ether + 4 * PRIORITY_FEE, "payouts + the four requests' fees");
    }

    function test_commitAndProveBatch_chainsWithTheSeparateCalls() public {
        depositEth(alice, 1 ether, KEY_A);
        depositEth(alice, 2 ether, KEY_A);
        // Combined, combined, then separate calls, then combined again.
        commitAndProve("", 0);
        commitAndProve(pdDeposit(3, ETH, 1e9, true), 1);
        commit(pdTransfer(3, 4, ETH, 5, 0));
        prove(3);
        IRollup.StoredBatchInfo memory b4 =
            commitAndProve(bytes.concat(pdDeposit(0, ETH, 2e9, false), pdWithdraw(3, ETH, 7, 0, bob)), 1);
        assertEq(uint256(b4.firstPriorityId), 1);
        assertEq(uint256(b4.priorityOpsCount), 1);
        assertEq(b4.prevStateRoot, root(3));
        assertEq(uint256(rollup.totalBatchesCommitted()), 4);
        assertEq(uint256(rollup.totalBatchesProven()), 4);
        for (uint64 n = 1; n <= 4; ++n) {
            execute(n);
        }
        assertEq(rollup.claimable(alice, ETH), 2 ether);
        assertEq(rollup.claimable(bob, ETH), 7e9);
        assertEq(uint256(rollup.totalPriorityOpsExecuted()), 2);
    }

    /// @dev One path on a fresh deployment: the mixed batch committed and proven, combined or
    ///      as two calls; returns the data of BatchCommitted and of BatchProven.
    function _commitAndProveLogs(bool combined) internal returns (bytes memory committed, bytes memory proven) {
        (bytes memory pubdata,,) = _mixedBatch();
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo(1, uint64(block.timestamp), root(1));
        bytes memory proof = proofForNext(pubdata, root(1), 4);
        vm.recordLogs();
        vm.prank(operator);
        if (combined) {
            rollup.commitAndProveBatch(batchInfo[0], next, pubdata, proof);
        } else {
            rollup.commitBatch(batchInfo[0], next, pubdata);
        }
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs[0].topics[0], IRollup.BatchCommitted.selector);
        committed = logs[0].data;
        if (!combined) {
            (, IRollup.StoredBatchInfo memory info,) = abi.decode(committed, (bytes32, IRollup.StoredBatchInfo, bytes));
            vm.recordLogs();
            rollup.proveBatch(info, proof);
            logs = vm.getRecordedLogs();
            assertEq(logs.length, 1);
            assertEq(logs[0].topics[0], IRollup.BatchProven.selector);
            proven = logs[0].data;
        } else {
            assertEq(logs.length, 2);
            assertEq(logs[1].topics[0], IRollup.BatchProven.selector);
            proven = logs[1].data;
        }
        assertEq(uint256(rollup.totalBatchesCommitted()), 1);
        assertEq(uint256(rollup.totalBatchesProven()), 1);
    }

    /// @dev The combined call stores and emits exactly what commitBatch then proveBatch do
    ///      (two identical deployments, one per path).
    function test_commitAndProveBatch_sameAsCommitThenProve() public {
        (bytes memory committed, bytes memory proven) = _commitAndProveLogs(false);
        bytes32 h = rollup.storedBatchHash(1);
        _deploy(GENESIS_ROOT);
        (bytes memory committed2, bytes memory proven2) = _commitAndProveLogs(true);
        assertEq(committed2, committed);
        assertEq(proven2, proven);
        assertEq(rollup.storedBatchHash(1), h);
    }

    function test_commitAndProveBatch_reverts() public {
        depositEth(alice, 1 ether, KEY_A);
        bytes memory pubdata = pdDeposit(3, ETH, 1e9, true);
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo(1, uint64(block.timestamp), root(1));
        bytes memory proof = proofForNext(pubdata, root(1), 1);

        // Operator only.
        vm.expectRevert(Roles.NotOperator.selector);
        rollup.commitAndProveBatch(batchInfo[0], next, pubdata, proof);
        vm.expectRevert(Roles.NotOperator.selector);
        vm.prank(alice);
        rollup.commitAndProveBatch(batchInfo[0], next, pubdata, proof);

        // Paused (like commitBatch).
        vm.prank(gov);
        rollup.setPaused(true);
        vm.expectRevert(Roles.Paused.selector);
        vm.prank(operator);
        rollup.commitAndProveBatch(batchInfo[0], next, pubdata, proof);
        vm.prank(gov);
        rollup.setPaused(false);

        vm.startPrank(operator);
        // The tip must be the last committed batch, unchanged; the header is checked as at commit.
        IRollup.StoredBatchInfo memory stale = batchInfo[0];
        stale.stateRoot = root(99);
        vm.expectRevert(IRollup.LastBatchMismatch.selector);
        rollup.commitAndProveBatch(stale, next, pubdata, proof);
        stale = batchInfo[0];
        stale.batchNumber = 1;
        vm.expectRevert(IRollup.LastBatchMismatch.selector);
        rollup.commitAndProveBatch(stale, next, pubdata, proof);
        vm.expectRevert(IRollup.BatchNumberMismatch.selector);
        rollup.commitAndProveBatch(batchInfo[0], IRollup.CommitBatchInfo(2, next.timestamp, root(1)), pubdata, proof);
        vm.expectRevert(IRollup.InvalidTimestamp.selector);
        rollup.commitAndProveBatch(
            batchInfo[0], IRollup.CommitBatchInfo(1, uint64(block.timestamp + 1), root(1)), pubdata, proof
        );
        // The pubdata is walked as at commit.
        vm.expectRevert(abi.encodeWithSelector(IRollup.PriorityOpMismatch.selector, 0));
        rollup.commitAndProveBatch(batchInfo[0], next, pdDeposit(3, ETH, 2e9, true), proof);
        vm.stopPrank();

        // An invalid proof reverts everything: nothing is committed.
        _expectInvalidCombinedProof(next, pubdata, ""); // empty
        _expectInvalidCombinedProof(next, pubdata, proofForNext(pubdata, root(2), 1)); // another root
        _expectInvalidCombinedProof(next, pubdata, proofForNext(pdDeposit(3, ETH, 1e9, false), root(1), 1)); // another pubdata
        _expectInvalidCombinedProof(next, pubdata, proofForNext(pubdata, root(1), 0)); // priority ops not bound
        bytes memory flipped = bytes.concat(proof);
        flipped[0] ^= 0x80;
        _expectInvalidCombinedProof(next, pubdata, flipped);

        // With the valid proof it goes through.
        vm.prank(operator);
        rollup.commitAndProveBatch(batchInfo[0], next, pubdata, proof);
        assertEq(uint256(rollup.totalBatchesProven()), 1);
    }

    function _expectInvalidCombinedProof(IRollup.CommitBatchInfo memory next, bytes memory pubdata, bytes memory proof)
        internal
    {
        uint64 committed = rollup.totalBatchesCommitted();
        vm.expectRevert(IRollup.InvalidProof.selector);
        vm.prank(operator);
        rollup.commitAndProveBatch(batchInfo[tip], next, pubdata, proof);
        assertEq(uint256(rollup.totalBatchesCommitted()), uint256(committed), "nothing committed");
        assertEq(uint256(rollup.totalBatchesProven()), uint256(committed));
        assertEq(rollup.storedBatchHash(uint256(committed) + 1), bytes32(0), "no batch hash stored");
    }

    function test_commitAndProveBatch_unprovenBatchesPending() public {
        commit("");
        // Batch 1 is committed but not proven: the next batch cannot be proven before it.
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo(2, uint64(block.timestamp), root(2));
        bytes memory proof = proofForNext("", root(2), 0);
        vm.expectRevert(IRollup.UnprovenBatchesPending.selector);
        vm.prank(operator);
        rollup.commitAndProveBatch(batchInfo[1], next, "", proof);
        prove(1);
        commitAndProve("", 0);
        assertEq(uint256(rollup.totalBatchesProven()), 2);
        // A reverted (never proven) batch is gone: the tip is proven again.
        commit("");
        next = IRollup.CommitBatchInfo(4, uint64(block.timestamp), root(4));
        proof = proofForNext("", root(4), 0);
        vm.expectRevert(IRollup.UnprovenBatchesPending.selector);
        vm.prank(operator);
        rollup.commitAndProveBatch(batchInfo[3], next, "", proof);
        vm.prank(operator);
        rollup.revertBatches(2);
        tip = 2;
        commitAndProve("", 0);
        assertEq(uint256(rollup.totalBatchesProven()), 3);
    }

    function test_commitAndProveBatch_revertingVerifierIsInvalidProof() public {
        verifier = TestBatchVerifier(address(new RevertingVerifier()));
        _deploy(GENESIS_ROOT);
        _expectInvalidCombinedProof(IRollup.CommitBatchInfo(1, uint64(block.timestamp), root(1)), "", "");
    }

    function test_commitAndProveBatch_exodus() public {
        depositEth(alice, 1 ether, KEY_A);
        commitAndProve(pdDeposit(3, ETH, 1e9, true), 1);
        _enterExodus();
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo(2, uint64(block.timestamp), root(2));
        bytes memory proof = proofForNext("", root(2), 0);
        vm.expectRevert(IRollup.ExodusActive.selector);
        vm.prank(operator);
        rollup.commitAndProveBatch(batchInfo[1], next, "", proof);
    }

    // =================================================================== execute

    function test_executeBatch_creditsPayouts() public {
        (bytes memory pubdata,,) = _mixedBatch();
        uint64 ethSupply = supply(ETH);
        commit(pubdata);
        prove(1);
        vm.recordLogs();
        execute(1);
        assertEq(uint256(rollup.totalBatchesExecuted()), 1);
        assertEq(uint256(rollup.totalPriorityOpsExecuted()), 4);
        assertEq(rollup.claimable(bob, USDC_ID), 500);
        assertEq(rollup.claimable(address(0xD00D), ETH), 0.4 ether);
        assertEq(rollup.claimable(alice, ETH), 0.5 ether);
        assertEq(uint256(supply(ETH)), ethSupply - 9e8);
        assertEq(uint256(supply(USDC_ID)), 0);
        assertEq(totalClaimable(ETH), 0.9 ether + 4 * PRIORITY_FEE, "payouts + the four requests' fees");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs[logs.length - 1].topics[0], IRollup.BatchExecuted.selector);
    }

    function test_executeBatch_orderAndChecks() public {
        depositEth(alice, 1 ether, KEY_A);
        depositEth(alice, 1 ether, KEY_A);
        commit(bytes.concat(pdDeposit(3, ETH, 1e9, true), pdWithdraw(3, ETH, 1, 0, alice)));
        commit(pdDeposit(0, ETH, 1e9, false));
        vm.expectRevert(IRollup.BatchNotProven.selector);
        execute(1);
        prove(1);
        prove(2);
        vm.expectRevert(IRollup.BatchNumberMismatch.selector);
        execute(2);
        vm.expectRevert(IRollup.PayoutsMismatch.selector);
        rollup.executeBatch(batchInfo[1], "", bytes32(0));
        vm.expectRevert(IRollup.PayoutsMismatch.selector);
        rollup.executeBatch(batchInfo[1], payout(bob, ETH, 1), bytes32(0));
        // The right page with a made-up rest of the chain.
        vm.expectRevert(IRollup.PayoutsMismatch.selector);
        rollup.executeBatch(batchInfo[1], batchPayouts[1], keccak256("more"));
        IRollup.StoredBatchInfo memory forged = batchInfo[1];
        forged.payoutsHash = PayoutPages.head(payout(bob, ETH, 1e9));
        vm.expectRevert(IRollup.BatchMismatch.selector);
        rollup.executeBatch(forged, payout(bob, ETH, 1e9), bytes32(0));
        vm.expectRevert(IRollup.NoPayoutsPending.selector);
        rollup.executePayouts(batchPayouts[1], bytes32(0));
        execute(1);
        vm.expectRevert(IRollup.BatchNumberMismatch.selector);
        execute(1);
        execute(2);
        assertEq(rollup.claimable(alice, ETH), 1e9 + 1 ether); // 1 gwei withdrawn + 1 ETH refunded
        assertEq(uint256(supply(ETH)), 1e9 - 1);
    }

    /// @dev A payout larger than the L2 supply can only come from a broken proof system; the
    ///      contract refuses to pay it rather than become insolvent.
    function test_executeBatch_refusesToExceedSupply() public {
        depositEth(alice, 1 ether, KEY_A);
        commit(bytes.concat(pdDeposit(3, ETH, 1e9, true), pdWithdraw(3, ETH, 1e9 + 1, 0, alice)));
        prove(1);
        vm.expectRevert();
        execute(1);
    }

    // =================================================================== revert batches

    function test_revertBatches() public {
        depositEth(alice, 1 ether, KEY_A);
        commit("");
        commit(pdDeposit(3, ETH, 1e9, true));
        commit(pdTransfer(3, 4, ETH, 1, 0));
        prove(1);
        vm.expectRevert(Roles.NotOperator.selector);
        rollup.revertBatches(1);
        vm.startPrank(operator);
        vm.expectRevert(IRollup.CannotRevert.selector);
        rollup.revertBatches(0); // batch 1 is proven
        vm.expectRevert(IRollup.CannotRevert.selector);
        rollup.revertBatches(3); // nothing after 3
        vm.recordLogs();
        rollup.revertBatches(1);
        vm.stopPrank();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs[0].topics[0], IRollup.BatchesReverted.selector);
        (uint64 first, uint64 last) = abi.decode(logs[0].data, (uint64, uint64));
        assertEq(uint256(first), 2);
        assertEq(uint256(last), 3);
        assertEq(uint256(rollup.totalBatchesCommitted()), 1);
        assertEq(rollup.storedBatchHash(2), bytes32(0));
        assertEq(rollup.storedBatchHash(3), bytes32(0));
        // The reverted deposit is consumed again by the replacement batch 2.
        tip = 1;
        IRollup.StoredBatchInfo memory b2 = commitWithRoot(pdDeposit(3, ETH, 1e9, true), root(222));
        assertEq(uint256(b2.firstPriorityId), 0);
        assertEq(uint256(b2.priorityOpsCount), 1);
        prove(2);
        execute(1);
        execute(2);
        assertEq(uint256(rollup.totalPriorityOpsExecuted()), 1);
    }

    // =================================================================== claims

    function _creditEthAndUsdc(address who) internal {
        depositEth(who, 3 ether, KEY_A);
        depositToken(usdc, who, 700, KEY_A);
        commitProveExecute(bytes.concat(pdDeposit(0, ETH, 3e9, false), pdDeposit(0, USDC_ID, 700, false)));
    }

    function test_withdraw_paysOnce() public {
        _creditEthAndUsdc(alice);
        assertEq(rollup.claimable(alice, ETH), 3 ether);
        uint256 before = alice.balance;
        vm.recordLogs();
        vm.prank(alice);
        assertEq(rollup.withdraw(ETH), 3 ether);
        assertEq(alice.balance, before + 3 ether);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs[0].topics[0], IRollup.Withdrawn.selector);
        assertEq(rollup.claimable(alice, ETH), 0);
        assertEq(totalClaimable(ETH), 2 * PRIORITY_FEE, "the two deposits' fees");
        vm.expectRevert(IRollup.NothingToClaim.selector);
        vm.prank(alice);
        rollup.withdraw(ETH);
        // claim() pays the owner whoever calls.
        vm.prank(bob);
        assertEq(rollup.claim(alice, USDC_ID), 700);
        assertEq(usdc.balanceOf(alice), 700);
        vm.expectRevert(IRollup.NothingToClaim.selector);
        rollup.claim(alice, USDC_ID);
        assertEq(address(rollup).balance, 2 * PRIORITY_FEE, "what is left is the fees, claimable");
        assertEq(usdc.balanceOf(address(rollup)), 0);
    }

    function test_withdrawTo_paysElsewhere() public {
        RejectETH r = new RejectETH();
        _creditEthAndUsdc(address(r));
        vm.startPrank(address(r));
        vm.expectRevert(SafeTransfer.ETHTransferFailed.selector);
        rollup.withdraw(ETH);
        vm.expectRevert(Roles.ZeroAddress.selector);
        rollup.withdrawTo(ETH, address(0));
        vm.recordLogs();
        assertEq(rollup.withdrawTo(ETH, bob), 3 ether);
        vm.stopPrank();
        assertEq(bob.balance, 3 ether);
        assertEq(rollup.claimable(address(r), ETH), 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(address(uint160(uint256(logs[0].topics[1]))), address(r));
        (address to, uint256 amount) = abi.decode(logs[0].data, (address, uint256));
        assertEq(to, bob);
        assertEq(amount, 3 ether);
        vm.expectRevert(IRollup.NothingToClaim.selector);
        vm.prank(address(r));
        rollup.withdrawTo(ETH, bob);
    }

    function test_withdraw_failedPaymentKeepsClaim() public {
        RejectETH r = new RejectETH();
        _creditEthAndUsdc(address(r));
        vm.expectRevert(SafeTransfer.ETHTransferFailed.selector);
        rollup.claim(address(r), ETH);
        assertEq(rollup.claimable(address(r), ETH), 3 ether);
        // Tokens still pay.
        rollup.claim(address(r), USDC_ID);
        assertEq(usdc.balanceOf(address(r)), 700);

        FalseReturnERC20 f = new FalseReturnERC20();
        vm.prank(gov);
        uint8 id = rollup.registerToken(address(f), 1);
        f.mint(alice, 10);
        vm.deal(alice, PRIORITY_FEE);
        vm.startPrank(alice);
        f.approve(address(rollup), 10);
        rollup.depositERC20{value: PRIORITY_FEE}(address(f), 10, KEY_A);
        vm.stopPrank();
        commitProveExecute(pdDeposit(0, id, 10, false));
        f.setFail(true);
        vm.expectRevert(SafeTransfer.TokenTransferFailed.selector);
        rollup.claim(alice, id);
        assertEq(rollup.claimable(alice, id), 10);
    }

    function test_withdraw_reentrancyBlocked() public {
        ReenteringReceiver r = new ReenteringReceiver();
        _creditEthAndUsdc(address(r));
        r.arm(address(rollup), abi.encodeCall(Rollup.withdraw, (USDC_ID)));
        r.call(address(rollup), abi.encodeCall(Rollup.withdraw, (ETH)));
        assertEq(address(r).balance, 3 ether);
        assertFalse(r.lastCallOk());
        assertEq(r.lastReturn(), abi.encodeWithSelector(ReentrancyGuard.Reentrancy.selector));
        assertEq(rollup.claimable(address(r), USDC_ID), 700);
        // Re-entering the same claim would also be refused; balance is zeroed before paying.
        assertEq(rollup.claimable(address(r), ETH), 0);
    }

    // =================================================================== exodus

    function test_activateExodusMode_deadline() public {
        vm.expectRevert(IRollup.NoExpiredPriorityOp.selector);
        rollup.activateExodusMode();
        depositEth(alice, 1 ether, KEY_A); // id 0, deadline t0 + 3 days
        uint256 t0 = block.timestamp;
        vm.warp(t0 + 1 days);
        depositEth(alice, 1 ether, KEY_A); // id 1, deadline t0 + 4 days
        vm.warp(t0 + DEADLINE);
        vm.expectRevert(IRollup.NoExpiredPriorityOp.selector);
        rollup.activateExodusMode();
        // Op 0 is executed in time: the clock is now op 1's.
        commitProveExecute(pdDeposit(3, ETH, 1e9, true));
        vm.warp(t0 + DEADLINE + 1);
        vm.expectRevert(IRollup.NoExpiredPriorityOp.selector);
        rollup.activateExodusMode();
        // Committing (or proving) op 1 does not stop its clock: only execution does.
        commit(pdDeposit(3, ETH, 1e9, true));
        prove(2);
        vm.warp(t0 + 1 days + DEADLINE + 1);
        vm.recordLogs();
        rollup.activateExodusMode();
        assertTrue(rollup.exodusMode());
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs[0].topics[0], IRollup.ExodusActivated.selector);
        assertEq(abi.decode(logs[0].data, (uint64)), 1);
        vm.expectRevert(IRollup.ExodusActive.selector);
        rollup.activateExodusMode();
    }

    function _enterExodus() internal {
        vm.warp(block.timestamp + DEADLINE + 1);
        rollup.activateExodusMode();
    }

    function test_exodus_stopsEverythingButExits() public {
        depositEth(alice, 1 ether, KEY_A);
        commit(pdDeposit(3, ETH, 1e9, true));
        _enterExodus();
        vm.deal(alice, 1 ether);
        vm.startPrank(alice);
        vm.expectRevert(IRollup.ExodusActive.selector);
        rollup.depositETH{value: 1 ether}(KEY_A);
        vm.expectRevert(IRollup.ExodusActive.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(usdc), 1, KEY_A);
        vm.expectRevert(IRollup.ExodusActive.selector);
        rollup.requestFullExit{value: PRIORITY_FEE}(3, ETH);
        vm.stopPrank();
        vm.startPrank(operator);
        vm.expectRevert(IRollup.ExodusActive.selector);
        rollup.commitBatch(batchInfo[1], IRollup.CommitBatchInfo(2, uint64(block.timestamp), root(2)), "");
        vm.expectRevert(IRollup.ExodusActive.selector);
        rollup.revertBatches(0);
        vm.stopPrank();
        bytes memory proof = proofFor(batchInfo[1]);
        vm.expectRevert(IRollup.ExodusActive.selector);
        rollup.proveBatch(batchInfo[1], proof);
        // Execution stays open for batches proven before exodus; this one never was.
        vm.expectRevert(IRollup.BatchNotProven.selector);
        rollup.executeBatch(batchInfo[1], "", bytes32(0));
    }

    /// @dev Issue 14: exodus activated just ahead of the `executeBatch` of a proven batch
    ///      that consumes the expired op. The proven batch still executes (its withdrawal is
    ///      paid, its deposit stays on L2), exits and reclaims wait for it, and then exits
    ///      use its root. Before, the batch could never execute: its withdrawal was lost and
    ///      the deposit it credited on L2 was reclaimable on L1 as well.
    function test_exodus_provenBatchStillExecutes() public {
        depositEth(alice, 2 ether, KEY_A); // id 0
        bytes memory pd = bytes.concat(pdDeposit(3, ETH, 2e9, true), pdWithdraw(3, ETH, 5e8, 0, bob));
        commit(pd);
        prove(1);
        // The operator delays execution past op 0's deadline; exodus starts first.
        vm.warp(block.timestamp + DEADLINE + 1);
        rollup.activateExodusMode();
        vm.expectRevert(IRollup.ProvenBatchesPending.selector);
        rollup.reclaimDeposit(0);
        StateProof.AccountProof memory p;
        vm.expectRevert(IRollup.ProvenBatchesPending.selector);
        rollup.exit(batchInfo[0], p);
        // Anyone executes the proven batch.
        vm.prank(bob);
        execute(1);
        assertEq(rollup.totalBatchesExecuted(), 1);
        assertEq(rollup.claimable(bob, ETH), 0.5 ether, "the proven withdrawal is paid");
        // Its deposit was consumed: it is on L2 now, not reclaimable.
        vm.expectRevert(IRollup.DepositNotPending.selector);
        rollup.reclaimDeposit(0);
        // Exits now prove against batch 1's root.
        p.accountId = 3;
        p.owner = alice;
        p.balances = new StateProof.BalanceOpening[](1);
        p.balances[0].balance = 1;
        vm.expectRevert(IRollup.InvalidStateProof.selector);
        rollup.exit(batchInfo[1], p);
        vm.expectRevert(IRollup.BatchMismatch.selector);
        rollup.exit(batchInfo[0], p);
        assertEq(uint256(supply(ETH)), 1.5e9);
    }

    function test_reclaimDeposit() public {
        depositEth(alice, 1 ether, KEY_A); // 0: executed
        depositToken(usdc, bob, 900, KEY_B); // 1: committed and proven, not executed
        requestExit(bob, 4, USDC_ID); // 2: a full exit, nothing to reclaim
        depositToken(dai, alice, 4e9, KEY_A); // 3: never committed
        commitProveExecute(pdDeposit(3, ETH, 1e9, true));
        commit(pdDeposit(4, USDC_ID, 900, true));
        prove(2);

        vm.expectRevert(IRollup.NotInExodus.selector);
        rollup.reclaimDeposit(1);
        _enterExodus();
        // Batch 2 was proven before exodus: it executes first, so deposit 1 is on L2 and
        // deposit 3 is the one left pending.
        vm.expectRevert(IRollup.ProvenBatchesPending.selector);
        rollup.reclaimDeposit(3);
        execute(2);
        vm.expectRevert(IRollup.DepositNotPending.selector);
        rollup.reclaimDeposit(1); // executed by batch 2: its funds are on L2
        vm.expectRevert(IRollup.DepositNotPending.selector);
        rollup.reclaimDeposit(0); // executed: its funds are on L2 (exit them)
        vm.expectRevert(IRollup.DepositNotPending.selector);
        rollup.reclaimDeposit(2); // a full exit
        vm.expectRevert(IRollup.DepositNotPending.selector);
        rollup.reclaimDeposit(4); // not queued

        vm.recordLogs();
        rollup.reclaimDeposit(3);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs[0].topics[0], IRollup.DepositReclaimed.selector);
        assertEq(rollup.claimable(bob, USDC_ID), 0);
        assertEq(rollup.claimable(alice, DAI_ID), 4e9);
        assertEq(uint256(supply(USDC_ID)), 900, "deposit 1 is on L2 (exit it)");
        assertEq(uint256(supply(DAI_ID)), 0);
        vm.expectRevert(IRollup.AlreadyReclaimed.selector);
        rollup.reclaimDeposit(3);
        vm.prank(alice);
        rollup.withdraw(DAI_ID);
        assertEq(dai.balanceOf(alice), 4e9);
        // ETH of deposit 0 is still locked on L2 (exitable by Merkle proof).
        assertEq(uint256(supply(ETH)), 1e9);
    }

    function test_exit_requiresExodusAndLastExecutedBatch() public {
        StateProof.AccountProof memory p;
        vm.expectRevert(IRollup.NotInExodus.selector);
        rollup.exit(batchInfo[0], p);
        depositEth(alice, 1 ether, KEY_A);
        commitProveExecute("");
        commit(pdDeposit(3, ETH, 1e9, true));
        _enterExodus();
        vm.expectRevert(IRollup.BatchMismatch.selector);
        rollup.exit(batchInfo[0], p); // not the last executed
        vm.expectRevert(IRollup.BatchMismatch.selector);
        rollup.exit(batchInfo[2], p); // committed only
        p.accountId = 5;
        p.owner = alice;
        p.balances = new StateProof.BalanceOpening[](1);
        p.balances[0].balance = 1;
        vm.expectRevert(IRollup.InvalidStateProof.selector);
        rollup.exit(batchInfo[1], p);
    }
}
