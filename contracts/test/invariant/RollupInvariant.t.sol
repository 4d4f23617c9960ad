// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "../utils/Test.sol";
import {Rollup} from "../../src/Rollup.sol";
import {IRollup} from "../../src/interfaces/IRollup.sol";
import {TestBatchVerifier} from "../mocks/TestBatchVerifier.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {RollupHandler} from "./RollupHandler.sol";

/// @notice Invariant tests: forge calls RollupHandler's actions in random order (256 runs of
///         64 calls; FOUNDRY_PROFILE=ci: 512 × 128) and checks after every call:
///         - solvency: per token, holdings cover what is claimable plus what is locked on L2
///           (queued deposits minus payouts, × scale), exactly, with no donations;
///         - the contract's books equal the model's (claimable per owner, L2 supply);
///         - nothing pays twice: paid <= credited per owner and token, repeated claims and
///           reclaims fail, total paid <= total deposited;
///         - batches finalize in order and only with a valid proof: executed <= proven <=
///           committed, every proven batch was proven with its exact proof (by proveBatch or
///           commitAndProveBatch), no wrong proof was ever accepted, and commitAndProveBatch
///           never committed past an unproven batch;
///         - exodus starts only after a priority op's deadline;
///         - every queued request paid the priority fee exactly once, the fee recipient is
///           owed (or was paid) exactly fee × requests, and no request with a wrong fee was
///           accepted. The fee is not a multiple of 1 gwei: fees are L1 wei, never L2 units;
///         - with exits from a real state in the mix (the handler's `endgame`): AMM pools are
///           settled once, share balances exit pro rata (the books above must still match the
///           model's floor(shares · reserve / supply) to the unit), and what share exits paid
///           never exceeds the settled reserves of their pool.
contract RollupInvariantTest is Test {
    Rollup internal rollup;
    TestBatchVerifier internal verifier;
    MockERC20 internal usdc;
    MockERC20 internal dai;
    RollupHandler internal handler;
    uint256 internal constant FEE = 0.001 ether + 1;
    address internal constant FEE_RECIPIENT = address(0xFEE);

    function setUp() public {
        vm.warp(1_700_000_000);
        address gov = address(0x60);
        address operator = address(0x0B);
        verifier = new TestBatchVerifier();
        IRollup.GenesisPool[] memory pools = new IRollup.GenesisPool[](2);
        pools[0] = IRollup.GenesisPool({tokenA: 0, tokenB: 1});
        pools[1] = IRollup.GenesisPool({tokenA: 2, tokenB: 0});
        rollup = new Rollup(gov, verifier, bytes32(uint256(0x1234)), 3 days, FEE, FEE_RECIPIENT, pools);
        usdc = new MockERC20("USDC", 6);
        dai = new MockERC20("DAI", 18);
        vm.startPrank(gov);
        rollup.setOperator(operator, true);
        rollup.registerToken(address(usdc), 1);
        rollup.registerToken(address(dai), 1e9);
        vm.stopPrank();
        handler = new RollupHandler(rollup, verifier, operator, usdc, dai);
    }

    /// @dev forge's invariant runner reads the contracts to call from here.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function _held(uint256 t) internal view returns (uint256) {
        return t == 0 ? address(rollup).balance : (t == 1 ? usdc : dai).balanceOf(address(rollup));
    }

    function invariant_solvency() public view {
        for (uint8 t; t < 3; ++t) {
            (uint64 l2Supply, uint256 claimable) = rollup.tokenTotals(t);
            (, uint256 scale) = rollup.tokens(t);
            uint256 owed = claimable + uint256(l2Supply) * scale;
            assertGe(_held(t), owed, "holdings cover claimable + locked on L2");
            // No donations in this model, so the books balance exactly.
            assertEq(_held(t), owed, "holdings == claimable + locked");
            assertLe(uint256(l2Supply), uint256(type(uint64).max >> 1), "D1 supply cap");
        }
    }

    function invariant_booksMatchModel() public view {
        for (uint256 t; t < 3; ++t) {
            (uint64 l2Supply, uint256 totalClaimable) = rollup.tokenTotals(uint8(t));
            assertEq(uint256(l2Supply), handler.ghostSupply(t), "l2Supply");
            uint256 sum;
            for (uint256 i; i < 5; ++i) {
                address a = handler.holder(i);
                assertEq(rollup.claimable(a, t), handler.ghostClaimable(a, t), "claimable");
                sum += rollup.claimable(a, t);
            }
            assertEq(totalClaimable, sum, "totalClaimable = sum of claimables");
        }
    }

    function invariant_noDoublePayment() public view {
        assertEq(handler.doubleSpendsAccepted(), 0, "a second claim or reclaim paid");
        for (uint256 t; t < 3; ++t) {
            assertLe(handler.ghostPaid(t), handler.ghostDeposited(t), "paid <= deposited");
            for (uint256 i; i < 5; ++i) {
                address a = handler.holder(i);
                assertEq(
                    handler.ghostPaidTo(a, t) + rollup.claimable(a, t),
                    handler.ghostCredited(a, t),
                    "paid + claimable == credited"
                );
            }
        }
    }

    function invariant_batchesInOrderWithValidProofs() public view {
        uint256 committed = rollup.totalBatchesCommitted();
        uint256 proven = rollup.totalBatchesProven();
        uint256 executed = rollup.totalBatchesExecuted();
        assertLe(executed, proven, "executed <= proven");
        assertLe(proven, committed, "proven <= committed");
        assertEq(committed, handler.tip(), "committed == model tip");
        for (uint256 n = 1; n <= proven; ++n) {
            assertTrue(handler.provenWithValidProof(n), "proven only with the valid proof");
            assertTrue(rollup.storedBatchHash(n) != bytes32(0));
        }
        assertEq(handler.invalidProofsAccepted(), 0, "a wrong proof was accepted");
        assertEq(handler.unprovenSkipsAccepted(), 0, "commitAndProve over an unproven batch");
        assertLe(uint256(rollup.totalPriorityOpsExecuted()), uint256(rollup.totalPriorityOps()));
    }

    function invariant_shareExitsWithinSettledReserves() public view {
        for (uint256 pool; pool < 2; ++pool) {
            (bool settled, uint64 ra, uint64 rb,) = rollup.poolSettlement(uint8(pool));
            assertEq(settled, handler.poolSettled(pool), "settled as the model says");
            if (!settled) {
                assertEq(handler.sharePaid(pool, 0) + handler.sharePaid(pool, 1), 0, "no payout before settlement");
                continue;
            }
            (uint256 a, uint256 b) = handler.finalReserves(pool);
            assertEq(uint256(ra), a, "settled reserve A");
            assertEq(uint256(rb), b, "settled reserve B");
            assertLe(handler.sharePaid(pool, 0), a, "share exits paid at most reserve A");
            assertLe(handler.sharePaid(pool, 1), b, "share exits paid at most reserve B");
        }
    }

    /// @dev The exodus paths the invariants rely on are reachable: after some traffic the
    ///      handler's endgame makes a real root final, pools settle, LPs exit shares (one
    ///      pays, one rounds to zero and is refused), keyless accounts are refused.
    function test_handlerReachesShareExits() public {
        handler.depositETH(0, 5e9);
        handler.depositToken(1, 0, 1e12);
        handler.commitBatch(1);
        handler.proveBatch(true);
        handler.requestFullExit(2, 9, 0);
        handler.commitBatch(7);
        handler.endgame(2);
        assertTrue(handler.endgameReached());
        assertTrue(rollup.exodusMode());
        handler.exitBalances(0, 14); // LP 0: pool 0 shares and USDC, before settlement: refused
        assertEq(handler.shareExits(), 0);
        handler.settlePool(0);
        handler.settlePool(1);
        handler.settlePool(1);
        handler.exitBalances(0, 30); // LP 0: everything
        handler.exitBalances(3, 8); // LP 3: its one share of pool 1 rounds to zero: refused
        handler.exitBalances(2, 30); // LP 2: everything, shares of both pools
        handler.exitKeyless(1);
        handler.claim(0, 0);
        assertEq(handler.shareExits(), 4);
        assertEq(handler.doubleSpendsAccepted(), 0);
        invariant_solvency();
        invariant_booksMatchModel();
        invariant_noDoublePayment();
        invariant_shareExitsWithinSettledReserves();
    }

    function invariant_exodusOnlyAfterDeadline() public view {
        assertEq(handler.exodusWronglyActivated(), 0);
    }

    function invariant_PriorityFeePaidPerRequest() public view {
        uint256 requests = rollup.totalPriorityOps();
        assertEq(handler.paidRequests(), requests, "every queued op is a paid request");
        assertEq(handler.ghostFees(), requests * FEE, "fees in = fee x requests");
        assertEq(
            rollup.claimable(FEE_RECIPIENT, 0) + handler.ghostPaidTo(FEE_RECIPIENT, 0),
            requests * FEE,
            "the recipient is owed or was paid exactly fee x requests"
        );
        assertEq(handler.wrongFeesAccepted(), 0, "a request with a wrong fee was accepted");
    }
}
