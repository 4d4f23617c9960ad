// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {console} from "./utils/Test.sol";
import {GasMeter} from "./utils/GasMeter.sol";
import {Rollup} from "../src/Rollup.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {Roles} from "../src/utils/Roles.sol";

/// @notice Issue 14, part 4: the priority queue is priced. Every deposit and full-exit request
///         pays the flat `priorityFee` to the operator (credited as its claimable ETH), so
///         flooding the queue past the deadline to force exodus costs the fee per request
///         instead of gas alone. Attacks first: requests that do not pay, or pay the wrong
///         amount, are refused; then the fee's accounting and its claim; then the flood's
///         price and the gas of the priced entry points. `forge test --match-test
///         "PriorityFee|Flood"` runs these (and the invariant test's fee invariant).
contract RollupPriorityFeeTest is GasMeter {
    /// @dev A production-like fee: at 0.001 ETH, 100 ETH buys 100,000 requests, about 98
    ///      batches' worth of priority operations (MAX_PRIORITY_OPS_PER_BATCH = 1024).
    uint256 internal constant PRODUCTION_FEE = 0.001 ether;
    uint32 internal constant ACCOUNT = 3;

    address internal attacker = address(0xBAD);

    function _fees() internal view returns (uint256) {
        return rollup.claimable(feeRecipient, ETH);
    }

    /// @dev Holdings == total claimable + L2 supply × scale, for ETH (the fees included).
    function _assertEthBooksBalance() internal view {
        assertEq(address(rollup).balance, totalClaimable(ETH) + uint256(supply(ETH)) * 1e9, "ETH books balance");
    }

    // =================================================================== attacks

    /// @dev No request enters the queue without the fee: an ETH deposit paying less than
    ///      the fee, an ERC-20 deposit or a full exit paying anything but the fee exactly.
    function test_PriorityFee_requestsWithoutTheFeeRevert() public {
        vm.deal(attacker, 10 ether);
        usdc.mint(attacker, 1000);
        vm.startPrank(attacker);
        usdc.approve(address(rollup), type(uint256).max);
        uint256[3] memory below = [uint256(0), 1, PRIORITY_FEE - 1];
        for (uint256 i; i < below.length; ++i) {
            vm.expectRevert(IRollup.PriorityFeeNotPaid.selector);
            rollup.depositETH{value: below[i]}(KEY_A);
        }
        // The fee alone deposits nothing: refused as an empty deposit.
        vm.expectRevert(IRollup.AmountOutOfRange.selector);
        rollup.depositETH{value: PRIORITY_FEE}(KEY_A);
        uint256[5] memory wrong = [uint256(0), 1, PRIORITY_FEE - 1, PRIORITY_FEE + 1, 1 ether];
        for (uint256 i; i < wrong.length; ++i) {
            vm.expectRevert(IRollup.PriorityFeeNotPaid.selector);
            rollup.depositERC20{value: wrong[i]}(address(usdc), 1000, KEY_A);
            vm.expectRevert(IRollup.PriorityFeeNotPaid.selector);
            rollup.requestFullExit{value: wrong[i]}(ACCOUNT, ETH);
        }
        vm.stopPrank();
        assertEq(uint256(rollup.totalPriorityOps()), 0, "nothing queued");
        assertEq(_fees(), 0, "nothing credited");
        assertEq(address(rollup).balance, 0, "nothing kept");
        assertEq(attacker.balance, 10 ether);
        assertEq(usdc.balanceOf(attacker), 1000);
    }

    /// @dev The fee is checked first: an invalid full exit or ERC-20 deposit sent without it
    ///      fails on the fee.
    function test_PriorityFee_checkedFirst() public {
        vm.expectRevert(IRollup.PriorityFeeNotPaid.selector);
        rollup.requestFullExit(1 << 24, 200);
        vm.expectRevert(IRollup.PriorityFeeNotPaid.selector);
        rollup.depositERC20(address(0x1234), 1, KEY_A);
    }

    /// @dev Any `msg.value` for an ETH deposit: below the fee it reverts with
    ///      `PriorityFeeNotPaid`; otherwise the rest follows the deposit rules and, when
    ///      accepted, exactly `msg.value - fee` is queued and exactly the fee is credited.
    function testFuzz_PriorityFee_depositETH(uint256 value) public {
        // A third of the runs near the fee, a third at fee + a whole number of gwei.
        if (value % 3 == 0) value = bound(value, 0, 2 * PRIORITY_FEE);
        else if (value % 3 == 1) value = PRIORITY_FEE + bound(value, 0, 1e12) * 1e9;
        else value = bound(value, 0, 1e30);
        vm.deal(alice, value);
        uint256 rest = value >= PRIORITY_FEE ? value - PRIORITY_FEE : 0;
        bool accepted;
        if (value < PRIORITY_FEE) {
            vm.expectRevert(IRollup.PriorityFeeNotPaid.selector);
        } else if (rest % 1e9 != 0) {
            vm.expectRevert(IRollup.AmountNotMultipleOfScale.selector);
        } else if (rest == 0 || rest / 1e9 > MAX_AMOUNT) {
            vm.expectRevert(IRollup.AmountOutOfRange.selector);
        } else {
            accepted = true;
        }
        vm.prank(alice);
        rollup.depositETH{value: value}(KEY_A);
        if (accepted) {
            (IRollup.PriorityOp memory op,) = rollup.priorityOp(0);
            assertEq(uint256(op.amount), rest / 1e9, "queued msg.value - fee");
            assertEq(uint256(supply(ETH)), rest / 1e9);
            assertEq(_fees(), PRIORITY_FEE, "credited the fee");
            assertEq(address(rollup).balance, value);
        } else {
            assertEq(uint256(rollup.totalPriorityOps()), 0);
            assertEq(_fees(), 0);
            assertEq(address(rollup).balance, 0);
        }
        _assertEthBooksBalance();
    }

    /// @dev ERC-20 deposits and full exits take exactly the fee, no more (no stray ETH is
    ///      ever stuck) and no less.
    function testFuzz_PriorityFee_exactForErc20AndFullExit(uint256 value, bool exit) public {
        value = value % 2 == 0 ? bound(value, 0, 2 * PRIORITY_FEE) : PRIORITY_FEE;
        vm.deal(alice, value);
        usdc.mint(alice, 10);
        vm.startPrank(alice);
        usdc.approve(address(rollup), 10);
        if (value != PRIORITY_FEE) vm.expectRevert(IRollup.PriorityFeeNotPaid.selector);
        if (exit) rollup.requestFullExit{value: value}(ACCOUNT, USDC_ID);
        else rollup.depositERC20{value: value}(address(usdc), 10, KEY_A);
        vm.stopPrank();
        uint256 queued = value == PRIORITY_FEE ? 1 : 0;
        assertEq(uint256(rollup.totalPriorityOps()), queued);
        assertEq(_fees(), queued * PRIORITY_FEE);
        assertEq(address(rollup).balance, queued * PRIORITY_FEE);
        _assertEthBooksBalance();
    }

    // =================================================================== accounting and claim

    /// @dev Each kind of request credits exactly the fee to the recipient (and to the ETH
    ///      total claimable), the deposit queues what is paid beyond it, and the recipient
    ///      claims the sum with the ordinary `claim`.
    function test_PriorityFee_creditedPerRequestAndClaimable() public {
        vm.recordLogs();
        uint64 id = depositEth(alice, 2 ether, KEY_A);
        assertEq(_fees(), PRIORITY_FEE);
        assertEq(totalClaimable(ETH), PRIORITY_FEE);
        (IRollup.PriorityOp memory op,) = rollup.priorityOp(id);
        assertEq(uint256(op.amount), 2e9, "the deposit is what was paid beyond the fee");
        (uint64 logged,,,) = abi.decode(vm.getRecordedLogs()[0].data, (uint64, bytes, bytes32, uint64));
        assertEq(uint256(logged), 2e9, "DepositQueued carries the deposit alone");
        _assertEthBooksBalance();

        depositToken(dai, bob, 5e18, KEY_B);
        assertEq(_fees(), 2 * PRIORITY_FEE);
        requestExit(bob, ACCOUNT, DAI_ID);
        assertEq(_fees(), 3 * PRIORITY_FEE);
        assertEq(totalClaimable(ETH), 3 * PRIORITY_FEE);
        assertEq(address(rollup).balance, 2 ether + 3 * PRIORITY_FEE);
        _assertEthBooksBalance();

        // Anyone may trigger the claim; the recipient is paid the sum of the fees.
        vm.recordLogs();
        vm.prank(alice);
        assertEq(rollup.claim(feeRecipient, ETH), 3 * PRIORITY_FEE);
        assertEq(feeRecipient.balance, 3 * PRIORITY_FEE);
        assertEq(vm.getRecordedLogs()[0].topics[0], IRollup.Withdrawn.selector);
        assertEq(_fees(), 0);
        assertEq(totalClaimable(ETH), 0);
        assertEq(address(rollup).balance, 2 ether, "what is left is alice's deposit");
        _assertEthBooksBalance();
        vm.expectRevert(IRollup.NothingToClaim.selector);
        rollup.claim(feeRecipient, ETH);
        // Later fees accrue again; the recipient can also withdraw them itself.
        requestExit(alice, ACCOUNT, ETH);
        vm.prank(feeRecipient);
        assertEq(rollup.withdraw(ETH), PRIORITY_FEE);
        assertEq(feeRecipient.balance, 4 * PRIORITY_FEE);
    }

    /// @dev The fee is the price of the request, not a deposit: a refunded deposit and a
    ///      reclaimed one (exodus) return what was deposited, and the fee stays the
    ///      recipient's; the books still balance.
    function test_PriorityFee_notRefundedWithTheDeposit() public {
        depositEth(alice, 1 ether, KEY_A); // 0: refunded by the L2
        depositEth(bob, 3 ether, KEY_B); // 1: never committed, reclaimed in exodus
        commitProveExecute(pdDeposit(0, ETH, 1e9, false));
        assertEq(rollup.claimable(alice, ETH), 1 ether);
        vm.warp(block.timestamp + DEADLINE + 1);
        rollup.activateExodusMode();
        rollup.reclaimDeposit(1);
        assertEq(rollup.claimable(bob, ETH), 3 ether);
        assertEq(_fees(), 2 * PRIORITY_FEE);
        assertEq(totalClaimable(ETH), 4 ether + 2 * PRIORITY_FEE);
        _assertEthBooksBalance();
        rollup.claim(alice, ETH);
        rollup.claim(bob, ETH);
        rollup.claim(feeRecipient, ETH);
        assertEq(address(rollup).balance, 0, "everything paid out, nothing stuck");
    }

    /// @dev Paused deposits and exodus refuse requests even when they pay: the fee never buys
    ///      a way around either.
    function test_PriorityFee_doesNotBypassPauseOrExodus() public {
        vm.prank(gov);
        rollup.setPaused(true);
        vm.deal(alice, 10 ether);
        vm.startPrank(alice);
        vm.expectRevert(Roles.Paused.selector);
        rollup.depositETH{value: 1 ether + PRIORITY_FEE}(KEY_A);
        vm.expectRevert(Roles.Paused.selector);
        rollup.depositERC20{value: PRIORITY_FEE}(address(usdc), 1, KEY_A);
        vm.stopPrank();
        // Full exits stay open under a pause, and pay.
        requestExit(alice, ACCOUNT, ETH);
        assertEq(_fees(), PRIORITY_FEE);
        vm.warp(block.timestamp + DEADLINE + 1);
        rollup.activateExodusMode();
        vm.prank(alice);
        vm.expectRevert(IRollup.ExodusActive.selector);
        rollup.requestFullExit{value: PRIORITY_FEE}(ACCOUNT, ETH);
        assertEq(_fees(), PRIORITY_FEE);
        // The recipient's fees are claimable in exodus like any balance.
        rollup.claim(feeRecipient, ETH);
        assertEq(feeRecipient.balance, PRIORITY_FEE);
    }

    // =================================================================== deployment

    function test_PriorityFee_constructorBounds() public {
        uint256 max = rollup.MAX_PRIORITY_FEE();
        assertEq(max, 0.1 ether);
        vm.expectRevert(IRollup.InvalidPriorityFee.selector);
        new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, max + 1, feeRecipient, genesisPools);
        vm.expectRevert(IRollup.InvalidPriorityFee.selector);
        new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, type(uint256).max, feeRecipient, genesisPools);
        vm.expectRevert(Roles.ZeroAddress.selector);
        new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, PRIORITY_FEE, address(0), genesisPools);
        vm.expectRevert(Roles.ZeroAddress.selector);
        new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, 0, address(0), genesisPools);
        Rollup top = new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, max, feeRecipient, genesisPools);
        assertEq(top.priorityFee(), max);
        assertEq(top.feeRecipient(), feeRecipient);
        Rollup free = new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, 0, feeRecipient, genesisPools);
        assertEq(free.priorityFee(), 0);
    }

    /// @dev Fee 0 (test deployments only): requests are free apart from gas, nothing is
    ///      credited, and ERC-20 deposits and full exits still refuse any ETH sent with them.
    function test_PriorityFee_zeroFeeDeployment() public {
        Rollup free = new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, 0, feeRecipient, genesisPools);
        vm.deal(alice, 2 ether);
        vm.startPrank(alice);
        free.depositETH{value: 1 ether}(KEY_A);
        (IRollup.PriorityOp memory op,) = free.priorityOp(0);
        assertEq(uint256(op.amount), 1e9, "the whole msg.value is deposited");
        free.requestFullExit(ACCOUNT, ETH);
        vm.expectRevert(IRollup.PriorityFeeNotPaid.selector);
        free.requestFullExit{value: 1}(ACCOUNT, ETH);
        vm.stopPrank();
        assertEq(free.claimable(feeRecipient, ETH), 0);
        (, uint256 claimableEth) = free.tokenTotals(ETH);
        assertEq(claimableEth, 0);
        assertEq(address(free).balance, 1 ether);
    }

    // =================================================================== the scale bound

    /// @dev Issue 14 part 3: scales are powers of ten up to 10^18, so an L2 unit is a whole
    ///      number of decimal digits and never more than one whole 18-decimal token.
    function test_registerToken_scaleIsAPowerOfTenUpTo1e18() public {
        assertEq(rollup.MAX_TOKEN_SCALE(), 1e18);
        uint96[7] memory bad = [uint96(0), 7, 20, 1e18 + 1, 2e18, 1e19, uint96(2 ** 95)];
        vm.startPrank(gov);
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(IRollup.InvalidScale.selector);
            rollup.registerToken(address(uint160(0x5000 + i)), bad[i]);
        }
        vm.expectRevert(IRollup.InvalidScale.selector);
        rollup.registerToken(address(0x5100), type(uint96).max);
        uint96[4] memory good = [uint96(1), 10, 1e6, 1e18];
        for (uint256 i; i < good.length; ++i) {
            uint8 id = rollup.registerToken(address(uint160(0x6000 + i)), good[i]);
            (, uint256 s) = rollup.tokens(id);
            assertEq(s, good[i]);
        }
        vm.stopPrank();
    }

    /// @dev Every scale registers iff it is 10^k for k in 0..18.
    function testFuzz_registerToken_scaleBound(uint96 scale) public {
        if (scale % 2 == 0) scale = uint96(10 ** bound(scale, 0, 20));
        bool power;
        for (uint256 k; k <= 18; ++k) {
            if (scale == 10 ** k) power = true;
        }
        vm.prank(gov);
        if (!power) vm.expectRevert(IRollup.InvalidScale.selector);
        rollup.registerToken(address(0x7000), scale);
        assertEq(uint256(rollup.tokenCount()), power ? 4 : 3);
    }

    // =================================================================== the flood

    /// @dev Measures one call as a transaction would pay for it (GasMeter's EIP-7623 price of
    ///      its calldata and execution). The execution is the gas the call cost this contract
    ///      minus the CALL's own charges, which a transaction does not pay: the target's
    ///      access (2,600 cold after `vm.cool`, 100 warm) and, with value, the 9,000 transfer
    ///      charge less the 2,300 stipend the callee gets for free. `cold`: a new transaction
    ///      (every account and slot cold); otherwise a further call in the same transaction
    ///      (e.g. a flood batched through a contract).
    function _txGas(address from, bytes memory data, uint256 value, bool cold) internal returns (uint256) {
        if (cold) vm.cool(address(rollup));
        address target = address(rollup);
        vm.prank(from);
        bool ok;
        uint256 g = gasleft();
        assembly ("memory-safe") {
            ok := call(gas(), target, value, add(data, 0x20), mload(data), 0, 0)
        }
        uint256 used = g - gasleft();
        require(ok, "measured call failed");
        return _price(_tokens(data), used - (cold ? 2600 : 100) - (value > 0 ? 6700 : 0));
    }

    function _logGas(string memory entry, uint256 gas) internal view {
        console.log(string.concat("flood_gas_", entry, "=", vm.toString(gas)));
    }

    /// @dev The flood issue 14 part 4 prices: one address queues 64 full exits with a
    ///      production-like fee. It pays exactly 64 × fee beyond gas, all of it claimable by
    ///      the operator; forcing exodus takes more requests than the operator executes within
    ///      the deadline, each paying the fee. Logs the gas of the priced entry points, per
    ///      transaction (first request on a fresh rollup, a later one) and warm (further calls
    ///      in one transaction, the cheapest way to flood); under `--gas-report` / `--isolate`
    ///      it checks the fees only (see GasMeter).
    function test_Flood_costsTheFeePerRequest() public {
        bool isolated = _skipIfIsolated();
        rollup = new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, PRODUCTION_FEE, feeRecipient, genesisPools);
        uint256 n = 64;
        vm.deal(attacker, 1000 ether);
        uint256 before = attacker.balance;
        bytes memory exit = abi.encodeCall(Rollup.requestFullExit, (ACCOUNT, ETH));
        uint256 exitFirst = _txGas(attacker, exit, PRODUCTION_FEE, true);
        uint256 exitNext = _txGas(attacker, exit, PRODUCTION_FEE, true);
        uint256 exitWarm;
        for (uint256 i = 2; i < n; ++i) {
            exitWarm = _txGas(attacker, exit, PRODUCTION_FEE, false);
        }
        assertEq(uint256(rollup.totalPriorityOps()), n);
        assertEq(before - attacker.balance, n * PRODUCTION_FEE, "paid exactly n x fee beyond gas");
        assertEq(rollup.claimable(feeRecipient, ETH), n * PRODUCTION_FEE, "all of it the operator's");
        assertEq(address(rollup).balance, n * PRODUCTION_FEE);

        // ETH deposits on the same rollup: a new depositor, then the same one again.
        vm.deal(alice, 10 ether);
        bytes memory deposit = abi.encodeCall(Rollup.depositETH, (KEY_A));
        uint256 value = 1 ether + PRODUCTION_FEE;
        uint256 depositFirst = _txGas(alice, deposit, value, true);
        uint256 depositNext = _txGas(alice, deposit, value, true);
        uint256 depositWarm = _txGas(alice, deposit, value, false);
        assertEq(rollup.claimable(feeRecipient, ETH), (n + 3) * PRODUCTION_FEE);

        console.log(string.concat("flood_fee_wei=", vm.toString(PRODUCTION_FEE)));
        console.log(string.concat("flood_requests_per_100_eth=", vm.toString(uint256(100 ether) / PRODUCTION_FEE)));
        if (isolated) return;
        _logGas("requestFullExit_first", exitFirst);
        _logGas("requestFullExit_next", exitNext);
        _logGas("requestFullExit_warm", exitWarm);
        _logGas("depositETH_first", depositFirst);
        _logGas("depositETH_next", depositNext);
        _logGas("depositETH_warm", depositWarm);
        // Gas stays modest: the fee adds two storage updates to each request.
        assertLe(exitNext, 100_000);
        assertLe(depositNext, 150_000);
    }
}
