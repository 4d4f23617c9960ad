// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {RollupBase} from "./utils/RollupBase.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {StateProof} from "../src/lib/StateProof.sol";
import {TestBatchVerifier} from "./mocks/TestBatchVerifier.sol";

/// @notice Issue 14's first-deposit front-run, on L1, fed with the pubdata core's own
///         `State::apply` produced for it (`front_run` in test/fixtures/l1_vectors.json).
///         The attacker sees a new user's first `depositETH{10 ether}(K)` pending, deposits
///         1 gwei to `K` ahead of it and asks for a full exit right after it. Before accounts
///         were (key, L1 owner) pairs, core credited the victim's 10 ETH to the account the
///         attacker's deposit opened and the exit paid the attacker 10 ETH + 1 gwei: with that
///         fixture these tests fail. Now the attacker gets its own gwei back and nothing else,
///         and the victim's funds stay exitable by the victim alone.
/// @dev Regenerate the fixture with
///      `cargo run -p quire-core --example l1_vectors > contracts/test/fixtures/l1_vectors.json`.
contract RollupFrontRunTest is RollupBase {
    string internal json;
    bytes internal key;
    address internal attacker;
    address internal victim;
    uint32 internal attackersAccount;
    uint32 internal victimsAccount;

    function setUp() public override {
        vm.warp(1_700_000_000);
        json = vm.readFile("test/fixtures/l1_vectors.json");
        verifier = new TestBatchVerifier();
        _deploy(vm.parseJsonBytes32(json, ".front_run.genesis_root"));
        key = vm.parseJsonBytes(json, ".front_run.key");
        attacker = vm.parseJsonAddress(json, ".front_run.attacker.l1");
        victim = vm.parseJsonAddress(json, ".front_run.victim.l1");
        attackersAccount = uint32(vm.parseJsonUint(json, ".front_run.attacker.account"));
        victimsAccount = uint32(vm.parseJsonUint(json, ".front_run.victim.account"));
    }

    function _opHash(uint256 i) internal view returns (bytes32) {
        return vm.parseJsonBytes32(json, string.concat(".front_run.priority_ops[", vm.toString(i), "].hash"));
    }

    /// @dev The three operations in the attacker's order, each queued op equal to core's,
    ///      then core's batch of them committed, proven (test verifier) and executed.
    function _attack() internal {
        uint64 a = depositEth(attacker, 1 gwei, key);
        uint64 v = depositEth(victim, 10 ether, key);
        uint64 e = requestExit(attacker, attackersAccount, ETH);
        uint64[3] memory ids = [a, v, e];
        for (uint256 i; i < 3; ++i) {
            assertEq(uint256(ids[i]), i);
            (IRollup.PriorityOp memory op,) = rollup.priorityOp(ids[i]);
            assertEq(op.opHash, _opHash(i), "queued op = core's op");
        }
        IRollup.StoredBatchInfo memory info = commitWithRoot(
            vm.parseJsonBytes(json, ".front_run.batch.pubdata"), vm.parseJsonBytes32(json, ".front_run.batch.new_root")
        );
        assertEq(info.priorityCommitment, vm.parseJsonBytes32(json, ".front_run.priority_commitment"));
        assertEq(batchPayouts[1], vm.parseJsonBytes(json, ".front_run.batch.payouts"), "payouts = core's");
        prove(1);
        execute(1);
    }

    function test_FrontRun_attackersExitGetsOnlyItsOwnDeposit() public {
        _attack();
        assertEq(rollup.claimable(attacker, ETH), 1 gwei, "the attacker's exit pays back its gwei only");
        assertTrue(attackersAccount != victimsAccount, "the victim's deposit opened its own account");
        assertEq(rollup.claimable(victim, ETH), 0);
        // The victim's 10 ETH are still on L2, accounted for in the supply.
        assertEq(uint256(supply(ETH)), 10 ether / 1e9);
        uint256 before = attacker.balance;
        vm.prank(attacker);
        rollup.withdraw(ETH);
        assertEq(attacker.balance - before, 1 gwei);
    }

    function _victimsProof() internal view returns (StateProof.AccountProof memory) {
        return parseBalanceProof(json, ".front_run.victim_proof.");
    }

    function test_FrontRun_exodusPaysTheVictimNotTheAttacker() public {
        _attack();
        // The operator disappears with a request pending; exodus starts after the deadline.
        requestExit(attacker, victimsAccount, ETH);
        vm.warp(block.timestamp + DEADLINE + 1);
        rollup.activateExodusMode();
        IRollup.StoredBatchInfo memory last = batchInfo[1];
        StateProof.AccountProof memory p = _victimsProof();
        assertEq(uint256(p.accountId), uint256(victimsAccount));
        assertEq(p.owner, victim, "the victim's account is owned by the victim");
        // Claiming the leaf for the attacker changes the leaf: the proof no longer verifies.
        StateProof.AccountProof memory forged = copyProof(p);
        forged.owner = attacker;
        vm.expectRevert(IRollup.InvalidStateProof.selector);
        rollup.exit(last, forged);
        rollup.exit(last, p);
        assertEq(rollup.claimable(victim, ETH), 10 ether);
        assertEq(rollup.claimable(attacker, ETH), 1 gwei);
    }
}
