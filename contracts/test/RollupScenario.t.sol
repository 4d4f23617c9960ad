// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {RollupBase} from "./utils/RollupBase.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {StateProof} from "../src/lib/StateProof.sol";
import {MockERC20} from "./mocks/Tokens.sol";
import {TestBatchVerifier} from "./mocks/TestBatchVerifier.sol";

/// @notice End to end against core: the L1 side of the batch that core's reference state
///         transition produced in core/examples/l1_vectors.rs. The contract's queued op
///         hashes, priority commitment, pubdata commitment and payout records must equal
///         core's, the batch must run through prove and execute, and in exodus core's
///         balance proofs must exit against the executed root; core's proof of the pool
///         settles it, and alice's one proof of all her balances exits them, her pool shares
///         paid exactly what core's `remove_liquidity` pays.
/// @dev Regenerate the fixture from the repository root with
///      `cargo run -p quire-core --example l1_vectors > contracts/test/fixtures/l1_vectors.json`.
contract RollupScenarioTest is RollupBase {
    string internal json;
    MockERC20 internal wbtc;
    uint8 internal constant WBTC_ID = 3;
    uint256 internal constant NUM_PRIORITY_OPS = 7;
    uint256 internal constant NUM_PROOFS = 9;

    function setUp() public override {
        vm.warp(1_700_000_000);
        json = vm.readFile("test/fixtures/l1_vectors.json");
        verifier = new TestBatchVerifier();
        // Core's genesis pool: ETH/USDC, account 2, share token 128.
        genesisPools.push(IRollup.GenesisPool({tokenA: ETH, tokenB: USDC_ID}));
        _deploy(vm.parseJsonBytes32(json, ".scenario.genesis_root"));
        // Same ids and scales as core's genesis (USDC 1, DAI 10^9), plus WBTC, registered
        // after the L2's genesis: its deposit is credited like any other (D15).
        wbtc = new MockERC20("WBTC", 8);
        vm.prank(gov);
        rollup.registerToken(address(wbtc), 1);
    }

    function _op(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".scenario.priority_ops[", vm.toString(i), "].", field);
    }

    function _scale(uint8 token) internal view returns (uint256 s) {
        (, s) = rollup.tokens(token);
    }

    /// @dev Replays core's L1 queue: every deposit and full-exit request, from the same L1
    ///      addresses, in the same order.
    function _queue() internal {
        for (uint256 i; i < NUM_PRIORITY_OPS; ++i) {
            string memory kind = vm.parseJsonString(json, _op(i, "kind"));
            uint8 token = uint8(vm.parseJsonUint(json, _op(i, "token")));
            uint64 id;
            if (keccak256(bytes(kind)) == keccak256("deposit")) {
                address from = vm.parseJsonAddress(json, _op(i, "from"));
                bytes memory key = vm.parseJsonBytes(json, _op(i, "to"));
                uint256 l1Amount = vm.parseJsonUint(json, _op(i, "amount")) * _scale(token);
                if (token == ETH) {
                    id = depositEth(from, l1Amount, key);
                } else {
                    MockERC20 t = token == USDC_ID ? usdc : token == DAI_ID ? dai : wbtc;
                    id = depositToken(t, from, l1Amount, key);
                }
            } else {
                address owner = vm.parseJsonAddress(json, _op(i, "owner"));
                uint32 account = uint32(vm.parseJsonUint(json, _op(i, "account")));
                id = requestExit(owner, account, token);
            }
            assertEq(uint256(id), i);
            (IRollup.PriorityOp memory op,) = rollup.priorityOp(id);
            assertEq(op.opHash, vm.parseJsonBytes32(json, _op(i, "hash")), "queued op hash = keccak(core encoding)");
        }
    }

    function _runBatch() internal returns (IRollup.StoredBatchInfo memory info) {
        _queue();
        bytes memory pubdata = vm.parseJsonBytes(json, ".scenario.batch.pubdata");
        info = commitWithRoot(pubdata, vm.parseJsonBytes32(json, ".scenario.batch.new_root"));
        assertEq(info.prevStateRoot, vm.parseJsonBytes32(json, ".scenario.batch.old_root"));
        assertEq(info.pubdataCommitment, vm.parseJsonBytes32(json, ".scenario.batch.pubdata_commitment"));
        assertEq(info.priorityCommitment, vm.parseJsonBytes32(json, ".scenario.priority_commitment"));
        assertEq(uint256(info.priorityOpsCount), vm.parseJsonUint(json, ".scenario.batch.priority_ops_count"));
        assertEq(batchPayouts[1], vm.parseJsonBytes(json, ".scenario.batch.payouts"), "payout records");
        prove(1);
        execute(1);
    }

    function test_scenario_batchMatchesCore() public {
        _runBatch();
        // The payouts: carol's withdrawal of WBTC (registered after genesis, deposited and
        // credited on L2), bob's USDC withdrawal, the DAI withdrawal
        // to 0xd0…, alice's full exit of her ETH; bob's exit on alice's account paid nothing.
        address carol = vm.parseJsonAddress(json, ".scenario.users.carol.l1");
        address bobL1 = vm.parseJsonAddress(json, ".scenario.users.bob.l1");
        address aliceL1 = vm.parseJsonAddress(json, ".scenario.users.alice.l1");
        assertEq(rollup.claimable(carol, WBTC_ID), 2_345);
        assertEq(rollup.claimable(bobL1, USDC_ID), 1_000_000_000);
        assertEq(rollup.claimable(address(0xD0D0d0d0d0D0D0d0D0D0D0D0d0D0d0d0d0d0D0D0), DAI_ID), 3e9 * 1e9);
        assertEq(rollup.claimable(aliceL1, ETH), 5_274_997_819 * 1e9);
        assertEq(rollup.claimable(bobL1, ETH), 0);
        assertEq(uint256(supply(WBTC_ID)), 10_000, "the rest of carol's WBTC stays on L2");
        vm.prank(carol);
        rollup.withdraw(WBTC_ID);
        assertEq(wbtc.balanceOf(carol), 2_345);
        vm.prank(aliceL1);
        rollup.withdraw(ETH);
        assertEq(aliceL1.balance, 5_274_997_819 * 1e9);
    }

    function _proof(uint256 i) internal view returns (StateProof.AccountProof memory) {
        return parseBalanceProof(json, string.concat(".scenario.balance_proofs[", vm.toString(i), "]."));
    }

    /// @dev Core's account proofs: 0 is alice's every balance, 1 the pool's settlement proof.
    function _accountProof(uint256 i) internal view returns (StateProof.AccountProof memory) {
        return parseAccountProof(json, string.concat(".scenario.account_proofs[", vm.toString(i), "]."));
    }

    function test_scenario_stateProofsMatchCoreRoot() public view {
        bytes32 newRoot = vm.parseJsonBytes32(json, ".scenario.batch.new_root");
        for (uint256 i; i < NUM_PROOFS; ++i) {
            StateProof.AccountProof memory p = _proof(i);
            assertEq(this.rootOf(p), newRoot, "core balance proof verifies on L1");
        }
        for (uint256 i; i < 2; ++i) {
            assertEq(this.rootOf(_accountProof(i)), newRoot, "core account proof verifies on L1");
        }
        assertEq(_accountProof(0).balances.length, 3, "alice holds USDC, DAI and pool shares");
        assertEq(vm.parseJsonUint(json, ".max_openings"), StateProof.MAX_OPENINGS, "core's MAX_OPENINGS");
    }

    function rootOf(StateProof.AccountProof calldata p) external pure returns (bytes32) {
        return StateProof.root(p);
    }

    function test_scenario_exodusExits() public {
        _runBatch();
        // A later deposit stays pending: it is reclaimed, not exited.
        address carol = vm.parseJsonAddress(json, ".scenario.users.carol.l1");
        uint64 pending = depositEth(carol, 1 ether, vm.parseJsonBytes(json, ".scenario.users.carol.key"));
        vm.warp(block.timestamp + DEADLINE + 1);
        rollup.activateExodusMode();

        IRollup.StoredBatchInfo memory last = batchInfo[1];
        // Proofs 2..4: bob ETH, bob USDC, carol DAI; 6: the fee account. Alice's (0, 1 and
        // her shares) exit below in one proof.
        uint256[4] memory ok = [uint256(2), 3, 4, 6];
        for (uint256 k; k < ok.length; ++k) {
            StateProof.AccountProof memory p = _proof(ok[k]);
            uint8 token = p.balances[0].token;
            uint64 balance = p.balances[0].balance;
            uint64 supplyBefore = supply(token);
            uint256 before = rollup.claimable(p.owner, token);
            rollup.exit(last, p);
            assertTrue(rollup.isExited(p.accountId, token));
            assertEq(rollup.claimable(p.owner, token), before + uint256(balance) * _scale(token));
            assertEq(uint256(supply(token)), uint256(supplyBefore) - balance);
            vm.expectRevert(IRollup.AlreadyExited.selector);
            rollup.exit(last, p);
        }

        // Zero balance (alice's ETH after her full exit), keyless pool account.
        vm.expectRevert(IRollup.InvalidExit.selector);
        rollup.exit(last, _proof(5));
        vm.expectRevert(IRollup.InvalidExit.selector);
        rollup.exit(last, _proof(7));
        // Alice's shares wait for the pool's settlement.
        vm.expectRevert(abi.encodeWithSelector(IRollup.PoolNotSettled.selector, uint8(0)));
        rollup.exit(last, _proof(8));
        vm.expectRevert(abi.encodeWithSelector(IRollup.PoolNotSettled.selector, uint8(0)));
        rollup.exit(last, _accountProof(0));

        _settleAndExitAlice(last);

        // Reclaim the pending deposit; every token's books now close to zero L2 supply except
        // what stays locked in the pool and the bridge-accounted remainder.
        rollup.reclaimDeposit(pending);
        assertEq(rollup.claimable(carol, ETH), 1 ether);
        _assertSolvent();
    }

    /// @dev Core's settlement proof freezes the pool; alice's one proof exits USDC, DAI and
    ///      her shares, the shares paid exactly what core's `remove_liquidity` pays.
    function _settleAndExitAlice(IRollup.StoredBatchInfo memory last) internal {
        // Core's settlement proof freezes the pool's reserves and supply.
        rollup.settlePool(last, _accountProof(1));
        (bool settled, uint64 ra, uint64 rb, uint64 s) = rollup.poolSettlement(0);
        assertTrue(settled);
        assertEq(uint256(ra), vm.parseJsonUint(json, ".scenario.pool_exit.reserve_a"));
        assertEq(uint256(rb), vm.parseJsonUint(json, ".scenario.pool_exit.reserve_b"));
        assertEq(uint256(s), vm.parseJsonUint(json, ".scenario.pool_exit.supply"));

        // Alice exits USDC, DAI and her shares in one transaction; the shares pay exactly
        // core's remove_liquidity.
        address aliceL1 = vm.parseJsonAddress(json, ".scenario.users.alice.l1");
        StateProof.AccountProof memory all = _accountProof(0);
        uint256 amountA = vm.parseJsonUint(json, ".scenario.pool_exit.amount_a");
        uint256 amountB = vm.parseJsonUint(json, ".scenario.pool_exit.amount_b");
        uint256 ethBefore = rollup.claimable(aliceL1, ETH);
        uint64 usdcSupply = supply(USDC_ID);
        rollup.exit(last, all);
        assertEq(rollup.claimable(aliceL1, ETH) - ethBefore, amountA * 1e9, "shares pay core's amount of ETH");
        assertEq(
            rollup.claimable(aliceL1, USDC_ID),
            uint256(all.balances[0].balance) + amountB,
            "her USDC and the shares' USDC"
        );
        assertEq(uint256(usdcSupply) - supply(USDC_ID), uint256(all.balances[0].balance) + amountB);
        assertEq(rollup.claimable(aliceL1, DAI_ID), uint256(all.balances[1].balance) * 1e9);
        assertTrue(rollup.isExited(all.accountId, 128));
        vm.expectRevert(IRollup.AlreadyExited.selector);
        rollup.exit(last, _proof(8));
        vm.expectRevert(IRollup.AlreadyExited.selector);
        rollup.exit(last, _proof(0));
    }

    function test_scenario_forgedExitsRejected() public {
        _runBatch();
        vm.warp(block.timestamp + DEADLINE + 1);
        requestExit(alice, 1, ETH); // something pending so exodus can start
        vm.warp(block.timestamp + DEADLINE + 1);
        rollup.activateExodusMode();
        IRollup.StoredBatchInfo memory last = batchInfo[1];
        StateProof.AccountProof memory p = _proof(0);

        StateProof.AccountProof memory q = copyProof(p);
        q.balances[0].balance += 1;
        vm.expectRevert(IRollup.InvalidStateProof.selector);
        rollup.exit(last, q);
        // balance + p hashes like balance (here the fee account's 3000 gwei): the proof's range
        // check refuses it.
        q = _proof(6);
        assertLt(uint256(q.balances[0].balance), 2 ** 32 - 1);
        q.balances[0].balance = uint64(uint256(q.balances[0].balance) + 0xFFFFFFFF00000001);
        vm.expectRevert(IRollup.BalanceOutOfRange.selector);
        rollup.exit(last, q);
        // account id + 2^24 selects the same leaf: refused.
        q = copyProof(p);
        q.accountId += uint32(1 << 24);
        vm.expectRevert(IRollup.InvalidAccountId.selector);
        rollup.exit(last, q);
        // Another owner, another token, another account: the leaf changes.
        q = copyProof(p);
        q.owner = address(0xBAD);
        vm.expectRevert(IRollup.InvalidStateProof.selector);
        rollup.exit(last, q);
        q = copyProof(p);
        q.balances[0].token = DAI_ID;
        vm.expectRevert(IRollup.InvalidStateProof.selector);
        rollup.exit(last, q);
        q = copyProof(p);
        q.accountId += 1;
        vm.expectRevert(IRollup.InvalidStateProof.selector);
        rollup.exit(last, q);
        q = copyProof(p);
        q.accountPath[23] = bytes32(uint256(q.accountPath[23]) ^ 1);
        vm.expectRevert(IRollup.InvalidStateProof.selector);
        rollup.exit(last, q);
        // The genuine proof still exits, once.
        rollup.exit(last, p);
    }

    function _assertSolvent() internal view {
        for (uint8 t; t < 4; ++t) {
            (address a, uint256 scale) = rollup.tokens(t);
            uint256 held = t == ETH ? address(rollup).balance : MockERC20(a).balanceOf(address(rollup));
            assertGe(held, totalClaimable(t) + uint256(supply(t)) * scale, "solvent");
        }
    }
}
