// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {console} from "./utils/Test.sol";
import {ExodusBase} from "./utils/ExodusBase.sol";
import {L2State} from "./utils/L2State.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {StateProof} from "../src/lib/StateProof.sol";
import {TestBatchVerifier} from "./mocks/TestBatchVerifier.sol";

/// @notice What exodus exits cost on L1, and the worst case under EIP-7825's 2^24 cap: the
///         figures behind `StateProof.MAX_OPENINGS` (decision D21). Charged as in
///         test/RollupGas.t.sol (EIP-7623 pricing, every account and slot cold at the start
///         of the transaction, the balance-proof verifier included). Run with
///         `npx forge test --match-contract RollupExitGas -vv`; each entry logs
///         `exit_gas_<entry>=<n>`. Under `--gas-report` the same calls run as plain
///         transactions, so the report's `exit` and `settlePool` rows show them too.
///
/// The worst exit: `MAX_OPENINGS` share-token exits of `MAX_OPENINGS` distinct pools, every
/// reserve a distinct token, to an owner with no claimable balance yet: each opening hashes
/// its own balance path (8 Poseidon compressions) and credits two fresh `claimable` slots
/// and two cold token totals. Per opening that is about 0.44M gas over the one-opening exit.
contract RollupExitGasTest is ExodusBase {
    uint256 internal constant POOLS = StateProof.MAX_OPENINGS;
    uint32 internal constant LP = 40;
    uint32 internal constant HOLDER = 41;
    address internal constant LP_OWNER = address(0x1111111111111111111111111111111111111111);
    address internal constant HOLDER_OWNER = address(0x2222222222222222222222222222222222222222);
    /// @dev Amounts with every byte nonzero below the top one (calldata priced per byte).
    uint64 internal constant RESERVE = 0x0101010101010101;

    L2State internal st;
    IRollup.StoredBatchInfo internal last;

    function setUp() public override {
        vm.warp(1_700_000_000);
        verifier = new TestBatchVerifier();
        // Pool i pairs tokens 2i + 1 and 2i + 2: no two share a reserve token.
        for (uint256 i; i < POOLS; ++i) {
            genesisPools.push(IRollup.GenesisPool({tokenA: uint8(2 * i + 1), tokenB: uint8(2 * i + 2)}));
        }
        _deploy(GENESIS_ROOT);
        _registerMoreTokens(2 * POOLS - 2);
        st = new L2State();
        st.setKeyless(0);
        st.setUser(LP, LP_OWNER);
        st.setUser(HOLDER, HOLDER_OWNER);
        st.setBalance(HOLDER, ETH, RESERVE);
        for (uint256 i; i < POOLS; ++i) {
            uint32 account = uint32(2 + i);
            uint8 share = uint8(128 + i);
            st.setKeyless(account);
            st.setBalance(account, uint8(2 * i + 1), RESERVE);
            st.setBalance(account, uint8(2 * i + 2), RESERVE + 1);
            // Supply: the LP's shares and the locked 1000.
            st.setBalance(account, share, MAX_AMOUNT - (RESERVE + 1000));
            st.setBalance(0, share, 1000);
            st.setBalance(LP, share, RESERVE);
        }
        st.build();
        last = _exodusAt(st);
    }

    function _chargeExodus(bytes memory data) internal returns (Cost memory) {
        vm.cool(address(rollup.balanceProofVerifier()));
        return _charge(data);
    }

    function _settleAll(uint256 upTo) internal {
        for (uint256 i; i < upTo; ++i) {
            rollup.settlePool(last, _settleProof(st, uint8(i)));
        }
    }

    function _lpProof() internal view returns (StateProof.AccountProof memory) {
        return st.proof(LP, st.tokens(LP));
    }

    /// @dev One settlement, the exit of one balance, and the worst exit, each its own
    ///      transaction from cold storage; the worst stays below 2^24 with room to spare.
    function test_Gas_exodusExitsAndSettlement() public {
        StateProof.AccountProof memory worst = _lpProof();
        assertEq(worst.balances.length, StateProof.MAX_OPENINGS);
        if (_isolated()) {
            // --gas-report: plain calls, so the report shows what each transaction costs.
            _settleAll(POOLS);
            rollup.exit(last, st.proof1(HOLDER, ETH));
            rollup.exit(last, worst);
            return;
        }
        _settleAll(POOLS - 1);
        Cost memory settle =
            _chargeExodus(abi.encodeCall(IRollup.settlePool, (last, _settleProof(st, uint8(POOLS - 1)))));
        Cost memory one = _chargeExodus(abi.encodeCall(IRollup.exit, (last, st.proof1(HOLDER, ETH))));
        Cost memory all = _chargeExodus(abi.encodeCall(IRollup.exit, (last, worst)));
        _logCost("settlePool: ", settle);
        _logCost("exit, 1 opening: ", one);
        _logCost("exit, MAX_OPENINGS share exits: ", all);
        console.log(string.concat("exit_gas_settle_pool=", vm.toString(settle.charged)));
        console.log(string.concat("exit_gas_1_opening=", vm.toString(one.charged)));
        console.log(string.concat("exit_gas_max_openings=", vm.toString(all.charged)));
        console.log(
            string.concat("exit_gas_per_extra_opening=", vm.toString((all.charged - one.charged) / (POOLS - 1)))
        );
        assertEq(rollup.claimable(HOLDER_OWNER, ETH), uint256(RESERVE) * 1e9);
        for (uint256 t = 1; t <= 2 * POOLS; ++t) {
            assertGt(rollup.claimable(LP_OWNER, t), 0);
        }
        // Well below the cap: the worst exit leaves room for the gas limit's margin and for
        // calldata repricing.
        assertLe(all.charged, TX_GAS_CAP * 2 / 3, "the worst exit stays well below 2^24");
        assertLe(all.charged, TX_GAS_CAP, "the worst exit fits EIP-7825's cap");
    }
}
