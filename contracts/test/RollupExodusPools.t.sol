// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Vm} from "./utils/Test.sol";
import {ExodusBase} from "./utils/ExodusBase.sol";
import {L2State} from "./utils/L2State.sol";
import {Rollup} from "../src/Rollup.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {StateProof} from "../src/lib/StateProof.sol";
import {TestBatchVerifier} from "./mocks/TestBatchVerifier.sol";

/// @notice Issue 17, part 4: AMM liquidity in exodus. Pools are keyless accounts and their
///         shares (ids 128..255) have no L1 asset, so `exit` used to refuse them and exodus
///         locked every pool's reserves for good. Now the contract knows the genesis pools,
///         `settlePool` freezes a pool's reserves and outstanding supply under the exit root,
///         and a share balance exits for floor(shares · reserve / supply) of each reserve;
///         one proof exits several balances of one account. Every attack on the new paths is
///         a test here: each fails against a contract that drops the rule it names.
/// @dev Genesis pools: 0 = ETH/USDC (account 2, shares 128), 1 = DAI/ETH (account 3, shares
///      129: token A's id above token B's). States are built by test/utils/L2State.sol.
contract RollupExodusPoolsTest is ExodusBase {
    uint32 internal constant POOL0 = 2;
    uint32 internal constant POOL1 = 3;
    uint8 internal constant SHARE0 = 128;
    uint8 internal constant SHARE1 = 129;
    uint32 internal constant LP1 = 5;
    uint32 internal constant LP2 = 6;
    uint32 internal constant TINY = 7;
    uint64 internal constant MIN_LIQ = 1000;

    // Pool 0: 7 ETH, 3333.333331 USDC; pool 1: 0.999 DAI-units, 5 µETH.
    uint64 internal constant RA0 = 7_000_000_007;
    uint64 internal constant RB0 = 3_333_333_331;
    uint64 internal constant RA1 = 999;
    uint64 internal constant RB1 = 5_000;
    uint64 internal constant LP1_SHARES0 = 1_234_567;
    uint64 internal constant LP2_SHARES0 = 10_000;
    uint64 internal constant LP1_SHARES1 = 5_000;
    uint64 internal constant SUPPLY0 = MIN_LIQ + LP1_SHARES0 + LP2_SHARES0;
    uint64 internal constant SUPPLY1 = MIN_LIQ + LP1_SHARES1 + 1;

    L2State internal st;
    IRollup.StoredBatchInfo internal last;

    function setUp() public override {
        vm.warp(1_700_000_000);
        verifier = new TestBatchVerifier();
        genesisPools.push(IRollup.GenesisPool({tokenA: ETH, tokenB: USDC_ID}));
        genesisPools.push(IRollup.GenesisPool({tokenA: DAI_ID, tokenB: ETH}));
        _deploy(GENESIS_ROOT);
        st = _state(RA0);
        last = _exodusAt(st);
    }

    /// @dev The L2 at the exit root: two pools, two LPs with plain balances too, one LP with
    ///      a single share of pool 1 (worth less than one unit of either reserve), the first
    ///      deposits' locked shares in the bridge account.
    function _state(uint64 ra0) internal returns (L2State s) {
        s = new L2State();
        s.setKeyless(0);
        s.setBalance(0, SHARE0, MIN_LIQ);
        s.setBalance(0, SHARE1, MIN_LIQ);
        s.setKeyless(POOL0);
        s.setBalance(POOL0, ETH, ra0);
        s.setBalance(POOL0, USDC_ID, RB0);
        s.setBalance(POOL0, SHARE0, MAX_AMOUNT - SUPPLY0);
        s.setKeyless(POOL1);
        s.setBalance(POOL1, DAI_ID, RA1);
        s.setBalance(POOL1, ETH, RB1);
        s.setBalance(POOL1, SHARE1, MAX_AMOUNT - SUPPLY1);
        s.setUser(LP1, alice);
        s.setBalance(LP1, ETH, 2e9);
        s.setBalance(LP1, USDC_ID, 500);
        s.setBalance(LP1, SHARE0, LP1_SHARES0);
        s.setBalance(LP1, SHARE1, LP1_SHARES1);
        s.setUser(LP2, bob);
        s.setBalance(LP2, USDC_ID, 77);
        s.setBalance(LP2, SHARE0, LP2_SHARES0);
        s.setUser(TINY, address(0x7171));
        s.setBalance(TINY, SHARE1, 1);
        s.build();
    }

    function _settle(uint8 pool) internal {
        rollup.settlePool(last, _settleProof(st, pool));
    }

    function _exitReverts(bytes4 err, StateProof.AccountProof memory p) internal {
        vm.expectRevert(err);
        rollup.exit(last, p);
    }

    function _exitReverts(bytes memory err, StateProof.AccountProof memory p) internal {
        vm.expectRevert(err);
        rollup.exit(last, p);
    }

    function _settleReverts(bytes4 err, StateProof.AccountProof memory p) internal {
        vm.expectRevert(err);
        rollup.settlePool(last, p);
    }

    function _lp1All() internal view returns (StateProof.AccountProof memory) {
        return st.proof(LP1, st.tokens(LP1));
    }

    // =================================================================== pool table

    function test_Pools_constructorRecordsTheGenesisPools() public {
        assertEq(uint256(rollup.poolCount()), 2);
        (uint8 a, uint8 b, uint32 account, uint8 share) = rollup.pools(1);
        assertEq(uint256(a), DAI_ID);
        assertEq(uint256(b), ETH);
        assertEq(uint256(account), POOL1);
        assertEq(uint256(share), SHARE1);
        vm.expectRevert(IRollup.UnknownPool.selector);
        rollup.pools(2);
        vm.expectRevert(IRollup.UnknownPool.selector);
        rollup.poolSettlement(2);
        (bool settled,,,) = rollup.poolSettlement(0);
        assertFalse(settled);

        // One PoolRegistered per pool, in order, for L1-only readers.
        vm.recordLogs();
        new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, PRIORITY_FEE, feeRecipient, genesisPools);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 seen;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] != IRollup.PoolRegistered.selector) continue;
            assertEq(uint256(logs[i].topics[1]), seen);
            (uint8 ta, uint8 tb, uint32 acc, uint8 sh) = abi.decode(logs[i].data, (uint8, uint8, uint32, uint8));
            assertEq(uint256(ta), genesisPools[seen].tokenA);
            assertEq(uint256(tb), genesisPools[seen].tokenB);
            assertEq(uint256(acc), 2 + seen);
            assertEq(uint256(sh), 128 + seen);
            ++seen;
        }
        assertEq(seen, 2);
    }

    function test_Pools_constructorValidates() public {
        IRollup.GenesisPool[] memory p = new IRollup.GenesisPool[](129);
        for (uint256 i; i < 129; ++i) {
            p[i] = IRollup.GenesisPool({tokenA: 0, tokenB: 1});
        }
        vm.expectRevert(IRollup.TooManyPools.selector);
        new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, PRIORITY_FEE, feeRecipient, p);
        IRollup.GenesisPool[] memory full = new IRollup.GenesisPool[](128);
        for (uint256 i; i < 128; ++i) {
            full[i] = p[i];
        }
        Rollup r = new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, PRIORITY_FEE, feeRecipient, full);
        assertEq(uint256(r.poolCount()), 128);
        (,, uint32 account, uint8 share) = r.pools(127);
        assertEq(uint256(account), 129);
        assertEq(uint256(share), 255);

        IRollup.GenesisPool[] memory bad = new IRollup.GenesisPool[](2);
        bad[0] = IRollup.GenesisPool({tokenA: 0, tokenB: 1});
        bad[1] = IRollup.GenesisPool({tokenA: 2, tokenB: 2});
        vm.expectRevert(abi.encodeWithSelector(IRollup.InvalidPoolTokens.selector, 1));
        new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, PRIORITY_FEE, feeRecipient, bad);
        bad[1] = IRollup.GenesisPool({tokenA: 1, tokenB: 128});
        vm.expectRevert(abi.encodeWithSelector(IRollup.InvalidPoolTokens.selector, 1));
        new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, PRIORITY_FEE, feeRecipient, bad);
        bad[0] = IRollup.GenesisPool({tokenA: 200, tokenB: 0});
        vm.expectRevert(abi.encodeWithSelector(IRollup.InvalidPoolTokens.selector, 0));
        new Rollup(gov, verifier, GENESIS_ROOT, DEADLINE, PRIORITY_FEE, feeRecipient, bad);
    }

    // =================================================================== share exits

    /// @dev The LP exits everything it holds in one transaction: its plain ETH and USDC at
    ///      face value, its shares of both pools pro rata against the settled snapshots
    ///      (pool 1's token A is DAI, its token B ETH). Fails on the old code: `exit` took
    ///      one balance and refused share tokens (InvalidExit).
    function test_LpExitsSharesForExactProRataReserves() public {
        _settle(0);
        _settle(1);
        (bool settled, uint64 ra, uint64 rb, uint64 s) = rollup.poolSettlement(0);
        assertTrue(settled);
        assertEq(uint256(ra), RA0);
        assertEq(uint256(rb), RB0);
        assertEq(uint256(s), SUPPLY0);
        (, ra, rb, s) = rollup.poolSettlement(1);
        assertEq(uint256(ra), RA1, "reserve A is DAI's although the proof opens ETH first");
        assertEq(uint256(rb), RB1);
        assertEq(uint256(s), SUPPLY1);

        uint256 a0 = uint256(LP1_SHARES0) * RA0 / SUPPLY0;
        uint256 b0 = uint256(LP1_SHARES0) * RB0 / SUPPLY0;
        uint256 a1 = uint256(LP1_SHARES1) * RA1 / SUPPLY1;
        uint256 b1 = uint256(LP1_SHARES1) * RB1 / SUPPLY1;
        assertGt(a0 * b0 * a1 * b1, 0);
        uint64 ethSupply = supply(ETH);
        vm.recordLogs();
        rollup.exit(last, _lp1All());
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(rollup.claimable(alice, ETH), (2e9 + a0 + b1) * 1e9, "plain ETH + pool 0's A + pool 1's B");
        assertEq(rollup.claimable(alice, USDC_ID), 500 + b0);
        assertEq(rollup.claimable(alice, DAI_ID), a1 * 1e9);
        assertEq(uint256(ethSupply) - supply(ETH), 2e9 + a0 + b1);
        for (uint256 t; t < 4; ++t) {
            assertTrue(rollup.isExited(LP1, [ETH, USDC_ID, SHARE0, SHARE1][t]));
        }
        // Events: Exited for ETH and USDC, SharesExited(shares, amountA, amountB) per pool.
        uint256 shareEvents;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] != IRollup.SharesExited.selector) continue;
            assertEq(uint256(logs[i].topics[1]), LP1);
            assertEq(logs[i].topics[3], bytes32(uint256(uint160(alice))));
            (uint64 sh, uint64 x, uint64 y) = abi.decode(logs[i].data, (uint64, uint64, uint64));
            if (uint256(logs[i].topics[2]) == SHARE0) {
                assertEq(uint256(sh), LP1_SHARES0);
                assertEq(uint256(x), a0);
                assertEq(uint256(y), b0);
            } else {
                assertEq(uint256(logs[i].topics[2]), SHARE1);
                assertEq(uint256(sh), LP1_SHARES1);
                assertEq(uint256(x), a1);
                assertEq(uint256(y), b1);
            }
            ++shareEvents;
        }
        assertEq(shareEvents, 2);

        // The other LP too; what they took never exceeds the reserves (the bridge's locked
        // shares keep their part in the contract).
        rollup.exit(last, st.proof(LP2, st.tokens(LP2)));
        uint256 bobA = uint256(LP2_SHARES0) * RA0 / SUPPLY0;
        uint256 bobB = uint256(LP2_SHARES0) * RB0 / SUPPLY0;
        assertEq(rollup.claimable(bob, ETH), bobA * 1e9);
        assertEq(rollup.claimable(bob, USDC_ID), 77 + bobB);
        assertLe(a0 + bobA, RA0);
        assertLe(b0 + bobB, RB0);
        vm.prank(alice);
        rollup.withdraw(USDC_ID);
        assertEq(usdc.balanceOf(alice), 500 + b0);
        _assertSolvent();
    }

    /// @dev Share exits pay from the settled snapshot only: before `settlePool` they revert
    ///      (with the plain balances of the same proof), and exit nothing.
    function test_ShareExitBeforeSettlePoolReverts() public {
        _exitReverts(abi.encodeWithSelector(IRollup.PoolNotSettled.selector, uint8(0)), st.proof1(LP1, SHARE0));
        _exitReverts(abi.encodeWithSelector(IRollup.PoolNotSettled.selector, uint8(0)), _lp1All());
        _settle(0);
        _exitReverts(abi.encodeWithSelector(IRollup.PoolNotSettled.selector, uint8(1)), _lp1All());
        assertFalse(rollup.isExited(LP1, ETH));
        assertEq(rollup.claimable(alice, ETH), 0);
        rollup.exit(last, st.proof1(LP1, SHARE0));
    }

    /// @dev Settlement is once per pool: a second one (even with the same genuine proof)
    ///      would let a later snapshot replace the one earlier exits were paid from.
    function test_SettlePoolTwiceReverts() public {
        _settle(0);
        _settleReverts(IRollup.PoolAlreadySettled.selector, _settleProof(st, 0));
        _settle(1);
        _settleReverts(IRollup.PoolAlreadySettled.selector, _settleProof(st, 1));
    }

    /// @dev Only a pool's own keyless account settles it: an LP's account, the bridge, the
    ///      fee account, an account past the pools are refused, whatever they open.
    function test_SettlePoolWithWrongAccountReverts() public {
        uint8[] memory toks = new uint8[](3);
        (toks[0], toks[1], toks[2]) = (ETH, USDC_ID, SHARE0);
        uint32[4] memory wrong = [LP1, 0, 1, 4];
        for (uint256 i; i < wrong.length; ++i) {
            StateProof.AccountProof memory p = st.proof(wrong[i], toks);
            if (wrong[i] == LP1) {
                // A keyed account where a pool would be: refused as the wrong kind.
                p.accountId = POOL0;
                _settleReverts(IRollup.InvalidPoolProof.selector, p);
                p.accountId = LP1;
            }
            _settleReverts(IRollup.UnknownPool.selector, p);
        }
        // Pool 1's account with pool 0's tokens.
        _settleReverts(IRollup.InvalidPoolProof.selector, st.proof(POOL1, toks));
        (bool settled,,,) = rollup.poolSettlement(0);
        assertFalse(settled);
    }

    /// @dev The openings must be exactly (lower reserve id, higher reserve id, share token):
    ///      not token A first when its id is higher, not one reserve or the share left out,
    ///      not another token in a reserve's place.
    function test_SettlePoolWithWrongTokenOrderReverts() public {
        uint8[] memory toks = new uint8[](3);
        // Pool 1 is DAI/ETH: A first is the wrong order (and unsorted for the proof too).
        (toks[0], toks[1], toks[2]) = (DAI_ID, ETH, SHARE1);
        _settleReverts(IRollup.InvalidPoolProof.selector, st.proof(POOL1, toks));
        (toks[0], toks[1], toks[2]) = (USDC_ID, ETH, SHARE0);
        _settleReverts(IRollup.InvalidPoolProof.selector, st.proof(POOL0, toks));
        (toks[0], toks[1], toks[2]) = (ETH, DAI_ID, SHARE0);
        _settleReverts(IRollup.InvalidPoolProof.selector, st.proof(POOL0, toks));
        (toks[0], toks[1], toks[2]) = (ETH, USDC_ID, SHARE1);
        _settleReverts(IRollup.InvalidPoolProof.selector, st.proof(POOL0, toks));
        _settleReverts(IRollup.InvalidPoolProof.selector, st.proof(POOL0, _tokens2(ETH, USDC_ID)));
        uint8[] memory four = new uint8[](4);
        (four[0], four[1], four[2], four[3]) = (ETH, USDC_ID, DAI_ID, SHARE0);
        _settleReverts(IRollup.InvalidPoolProof.selector, st.proof(POOL0, four));
        // The right order settles.
        (toks[0], toks[1], toks[2]) = (ETH, DAI_ID, SHARE1);
        rollup.settlePool(last, st.proof(POOL1, toks));
    }

    /// @dev A proof of another state (richer reserves) does not settle against the exit
    ///      root, nor does the genuine proof against another batch than the last executed.
    function test_SettlePoolWithProofAgainstDifferentRootReverts() public {
        L2State richer = _state(RA0 * 2);
        _settleReverts(IRollup.InvalidStateProof.selector, _settleProof(richer, 0));
        StateProof.AccountProof memory p = _settleProof(st, 0);
        IRollup.StoredBatchInfo memory genesis = batchInfo[0];
        vm.expectRevert(IRollup.BatchMismatch.selector);
        rollup.settlePool(genesis, p);
        // Tampered reserve in the genuine proof: its balance tree is no longer the others'.
        p.balances[0].balance += 1;
        _settleReverts(IRollup.BalanceRootMismatch.selector, p);
        // Every opening of another balance tree (the richer state's pool), genuine record and
        // account path: the leaf is not the one under the root.
        StateProof.AccountProof memory q = _settleProof(st, 0);
        StateProof.AccountProof memory r = _settleProof(richer, 0);
        q.balances = r.balances;
        _settleReverts(IRollup.InvalidStateProof.selector, q);
        _settle(0);
    }

    /// @dev One genuine opening must not vouch for a fabricated one: every opening has to
    ///      lead to the same balance root. Here a genuine ETH opening is combined with a
    ///      USDC opening claiming the pool's whole USDC reserve, either order, with the
    ///      genuine path's siblings or any other.
    function test_ProofMixingGenuineAndFabricatedOpeningReverts() public {
        StateProof.AccountProof memory p = st.proof(LP1, _tokens2(ETH, USDC_ID));
        StateProof.AccountProof memory forged = copyProof(p);
        forged.balances[1].balance = RB0;
        _exitReverts(IRollup.BalanceRootMismatch.selector, forged);
        forged.balances[1].path = p.balances[0].path;
        _exitReverts(IRollup.BalanceRootMismatch.selector, forged);
        // The fabricated opening first: the genuine second disagrees with it.
        forged = st.proof(LP1, _tokens2(ETH, USDC_ID));
        forged.balances[0].balance = 1_000e9;
        _exitReverts(IRollup.BalanceRootMismatch.selector, forged);
        // A fabricated share balance next to genuine plain ones.
        _settle(0);
        forged = st.proof(LP2, _tokens2(USDC_ID, SHARE0));
        forged.balances[1].balance = SUPPLY0 - MIN_LIQ;
        _exitReverts(IRollup.BalanceRootMismatch.selector, forged);
        assertEq(rollup.claimable(bob, ETH), 0);
        rollup.exit(last, p);
    }

    /// @dev A balance opened twice (both openings genuine!) would be credited twice; token
    ///      ids must strictly increase.
    function test_ProofWithDuplicateTokensReverts() public {
        StateProof.AccountProof memory p = st.proof(LP1, _tokens2(ETH, ETH));
        _exitReverts(IRollup.OpeningsNotSorted.selector, p);
        _settle(0);
        p = st.proof(LP1, _tokens2(SHARE0, SHARE0));
        _exitReverts(IRollup.OpeningsNotSorted.selector, p);
        p = st.proof(LP1, _tokens2(USDC_ID, ETH));
        _exitReverts(IRollup.OpeningsNotSorted.selector, p);
        p = st.proof(LP1, _tokens2(ETH, USDC_ID));
        rollup.exit(last, p);
        assertEq(rollup.claimable(alice, ETH), 2e9 * 1e9);
    }

    /// @dev Each (account, token) exits once, shares included; a proof holding one balance
    ///      already exited reverts whole (the new one is not exited either).
    function test_SecondExitOfTheSameAccountAndTokenReverts() public {
        _settle(0);
        rollup.exit(last, st.proof1(LP1, ETH));
        _exitReverts(IRollup.AlreadyExited.selector, st.proof1(LP1, ETH));
        _exitReverts(IRollup.AlreadyExited.selector, st.proof(LP1, _tokens2(ETH, USDC_ID)));
        assertFalse(rollup.isExited(LP1, USDC_ID));
        rollup.exit(last, st.proof(LP1, _tokens2(USDC_ID, SHARE0)));
        _exitReverts(IRollup.AlreadyExited.selector, st.proof1(LP1, SHARE0));
        assertEq(rollup.claimable(alice, ETH), (2e9 + uint256(LP1_SHARES0) * RA0 / SUPPLY0) * 1e9);
    }

    /// @dev Keyless accounts (pools, the bridge) and account 0 never exit: their balances
    ///      are the reserves the shares and the L1 deposits stand for.
    function test_KeylessAccountExitReverts() public {
        _settle(0);
        _exitReverts(IRollup.InvalidExit.selector, st.proof1(POOL0, ETH));
        _exitReverts(IRollup.InvalidExit.selector, st.proof1(POOL0, SHARE0));
        _exitReverts(IRollup.InvalidExit.selector, st.proof1(0, SHARE0));
        // A keyed account claimed as owner-less changes nothing: refused before the proof.
        StateProof.AccountProof memory p = st.proof1(LP1, ETH);
        p.owner = address(0);
        _exitReverts(IRollup.InvalidExit.selector, p);
    }

    /// @dev What rounds to nothing in both reserves is refused, as RemoveLiquidity refuses it.
    function test_ShareExitRoundingToZeroReverts() public {
        _settle(1);
        assertEq(uint256(RA1) / SUPPLY1 + uint256(RB1) / SUPPLY1, 0);
        _exitReverts(IRollup.ZeroOutput.selector, st.proof1(TINY, SHARE1));
        assertFalse(rollup.isExited(TINY, SHARE1));
    }

    /// @dev Other tokens and malformed proofs.
    function test_ExitRefusesOtherTokensAndMalformedProofs() public {
        _settle(0);
        // An L1 id never registered, a share id past the pools, a zero balance.
        _exitReverts(IRollup.InvalidExit.selector, st.proof1(LP1, 3));
        _exitReverts(IRollup.InvalidExit.selector, st.proof1(LP1, 130));
        _exitReverts(IRollup.InvalidExit.selector, st.proof1(LP1, DAI_ID));
        StateProof.AccountProof memory p = st.proof(LP1, new uint8[](0));
        _exitReverts(IRollup.InvalidOpeningCount.selector, p);
        uint8[] memory many = new uint8[](StateProof.MAX_OPENINGS + 1);
        for (uint256 i; i < many.length; ++i) {
            many[i] = uint8(i);
        }
        p = st.proof(LP1, many);
        for (uint256 i; i < many.length; ++i) {
            p.balances[i].balance = 1;
        }
        vm.startPrank(gov);
        for (uint256 i = 3; i < many.length; ++i) {
            rollup.registerToken(address(uint160(0x1000 + i)), 1);
        }
        vm.stopPrank();
        _exitReverts(IRollup.InvalidOpeningCount.selector, p);
        assertEq(rollup.MAX_OPENINGS(), StateProof.MAX_OPENINGS);
    }

    // =================================================================== fuzz

    /// @dev Random LP splits of a pool's supply: every LP exits its shares; each is paid
    ///      exactly RemoveLiquidity's floor(shares · r / supply) (or refused where that is
    ///      zero in both), and all of them together never more than the reserves.
    /// forge-config: default.fuzz.runs = 48
    /// forge-config: ci.fuzz.runs = 256
    function testFuzz_RandomLpSplitsNeverPayMoreThanTheReserves(
        uint256 seed,
        uint64 ra,
        uint64 rb,
        uint64 supply_,
        uint8 lps
    ) public {
        uint256 n = bound(lps, 1, 6);
        ra = uint64(bound(ra, 0, MAX_AMOUNT / 4));
        rb = uint64(bound(rb, 0, MAX_AMOUNT / 4));
        supply_ = uint64(bound(supply_, MIN_LIQ + n, MAX_AMOUNT));
        // Split supply − MIN_LIQ among n LPs at random (some may get nothing).
        uint64[] memory shares = new uint64[](n);
        uint256 left = supply_ - MIN_LIQ;
        for (uint256 i; i + 1 < n; ++i) {
            seed = uint256(keccak256(abi.encode(seed)));
            uint256 cut = seed % 4 == 0 ? seed % 3 : bound(seed >> 8, 0, left);
            if (cut > left) cut = left;
            shares[i] = uint64(cut);
            left -= cut;
        }
        shares[n - 1] = uint64(left);

        L2State s = _splitState(ra, rb, supply_, shares);
        // A fresh rollup for this state.
        _deploy(GENESIS_ROOT);
        IRollup.StoredBatchInfo memory exitBatch = _exodusAt(s);
        rollup.settlePool(exitBatch, _settleProof(s, 0));
        (uint256 paidA, uint256 paidB) = _exitEach(exitBatch, s, [uint256(ra), rb, supply_], shares);
        assertLe(paidA, ra, "share exits never pay more than reserve A");
        assertLe(paidB, rb, "share exits never pay more than reserve B");
        _assertSolvent();
    }

    /// @dev Pool 0 with reserves (ra, rb) and `supply_` shares out: the bridge's locked ones
    ///      and LP i's `shares[i]` in account 10 + i.
    function _splitState(uint64 ra, uint64 rb, uint64 supply_, uint64[] memory shares) internal returns (L2State s) {
        s = new L2State();
        s.setKeyless(0);
        s.setBalance(0, SHARE0, MIN_LIQ);
        s.setKeyless(POOL0);
        s.setBalance(POOL0, ETH, ra);
        s.setBalance(POOL0, USDC_ID, rb);
        s.setBalance(POOL0, SHARE0, MAX_AMOUNT - supply_);
        for (uint256 i; i < shares.length; ++i) {
            s.setUser(uint32(10 + i), address(uint160(0xA000 + i)));
            s.setBalance(uint32(10 + i), SHARE0, shares[i]);
        }
        s.build();
    }

    /// @dev Every LP exits its shares; checks each payout against `_removeLiquidity` and
    ///      returns the totals paid. `pool` = (reserve A, reserve B, supply).
    function _exitEach(
        IRollup.StoredBatchInfo memory exitBatch,
        L2State s,
        uint256[3] memory pool,
        uint64[] memory shares
    ) internal returns (uint256 paidA, uint256 paidB) {
        for (uint256 i; i < shares.length; ++i) {
            address owner = address(uint160(0xA000 + i));
            (bool ok, uint256 a, uint256 b) = _removeLiquidity(pool[0], pool[1], pool[2], shares[i]);
            StateProof.AccountProof memory p = s.proof1(uint32(10 + i), SHARE0);
            if (shares[i] == 0) {
                vm.expectRevert(IRollup.InvalidExit.selector);
            } else if (!ok) {
                vm.expectRevert(IRollup.ZeroOutput.selector);
            }
            rollup.exit(exitBatch, p);
            if (!ok) continue;
            assertEq(rollup.claimable(owner, ETH), a * 1e9, "amount A = remove_liquidity's");
            assertEq(rollup.claimable(owner, USDC_ID), b, "amount B = remove_liquidity's");
            paidA += a;
            paidB += b;
        }
    }

    function _assertSolvent() internal view {
        for (uint8 t; t < 3; ++t) {
            uint256 held = t == ETH ? address(rollup).balance : erc20[t].balanceOf(address(rollup));
            assertGe(held, totalClaimable(t) + uint256(supply(t)) * _scaleOf(t), "solvent");
        }
    }
}
