// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {GasMeter} from "./GasMeter.sol";
import {L2State} from "./L2State.sol";
import {IRollup} from "../../src/interfaces/IRollup.sol";
import {StateProof} from "../../src/lib/StateProof.sol";
import {MockERC20} from "../mocks/Tokens.sol";

/// @dev Exodus against a real L2 state: an `L2State` built in Solidity becomes the root of
///      an executed batch whose deposits put exactly what the state holds on L1 (every L1
///      token's total over its accounts but the bridge's), then exodus starts with that
///      root final. Tests then settle pools and exit with the state's proofs.
abstract contract ExodusBase is GasMeter {
    /// @dev The L2 account the funding deposits credit (any keyed account would do).
    uint24 internal constant FUNDER = 4;

    mapping(uint256 => MockERC20) internal erc20;

    /// @dev Registers `n` more 6-decimal ERC-20s (scale 1) after USDC and DAI.
    function _registerMoreTokens(uint256 n) internal {
        erc20[USDC_ID] = usdc;
        erc20[DAI_ID] = dai;
        for (uint256 i; i < n; ++i) {
            MockERC20 t = new MockERC20("T", 6);
            vm.prank(gov);
            uint8 id = rollup.registerToken(address(t), 1);
            erc20[id] = t;
        }
    }

    function _scaleOf(uint8 token) internal view returns (uint256 s) {
        (, s) = rollup.tokens(token);
    }

    /// @dev Every L1 token's total in `st` over every account but the bridge (account 0).
    function _totals(L2State st) internal view returns (uint256[128] memory totals) {
        uint32[] memory accounts = st.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            if (accounts[i] == 0) continue;
            uint8[] memory toks = st.tokens(accounts[i]);
            for (uint256 j; j < toks.length; ++j) {
                if (toks[j] < 128) totals[toks[j]] += st.balanceOf(accounts[i], toks[j]);
            }
        }
    }

    /// @dev Deposits what `st` holds, executes a batch crediting it whose new root is `st`'s,
    ///      then starts exodus (a later deposit expires). Returns the exit root's batch.
    function _exodusAt(L2State st) internal returns (IRollup.StoredBatchInfo memory) {
        erc20[USDC_ID] = usdc;
        erc20[DAI_ID] = dai;
        uint256[128] memory totals = _totals(st);
        bytes memory pubdata;
        for (uint256 t; t < 128; ++t) {
            uint256 amount = totals[t];
            if (amount == 0) continue;
            uint256 l1 = amount * _scaleOf(uint8(t));
            if (t == ETH) depositEth(alice, l1, KEY_A);
            else depositToken(erc20[t], alice, l1, KEY_A);
            pubdata = bytes.concat(pubdata, pdDeposit(FUNDER, uint8(t), uint64(amount), true));
        }
        commitWithRoot(pubdata, st.root());
        prove(tip);
        execute(tip);
        // A deposit nobody executes: exodus once it expires.
        depositEth(bob, 1 gwei, KEY_B);
        vm.warp(block.timestamp + DEADLINE + 1);
        rollup.activateExodusMode();
        return batchInfo[tip];
    }

    /// @dev The pool account's settlement proof: its two reserves by id, then its shares.
    function _settleProof(L2State st, uint8 pool) internal view returns (StateProof.AccountProof memory) {
        (uint8 a, uint8 b, uint32 account, uint8 share) = rollup.pools(pool);
        uint8[] memory toks = new uint8[](3);
        (toks[0], toks[1]) = a < b ? (a, b) : (b, a);
        toks[2] = share;
        return st.proof(account, toks);
    }

    function _tokens1(uint8 a) internal pure returns (uint8[] memory t) {
        t = new uint8[](1);
        t[0] = a;
    }

    function _tokens2(uint8 a, uint8 b) internal pure returns (uint8[] memory t) {
        t = new uint8[](2);
        (t[0], t[1]) = (a, b);
    }

    /// @dev RemoveLiquidity's payout (quire_core::amm::remove_liquidity), written again from
    ///      its definition: floor(shares · r / supply) of each reserve; `ok` false where core
    ///      refuses (no supply, more shares than the supply, both amounts zero).
    function _removeLiquidity(uint256 ra, uint256 rb, uint256 supply_, uint256 shares)
        internal
        pure
        returns (bool ok, uint256 a, uint256 b)
    {
        if (supply_ == 0 || shares > supply_) return (false, 0, 0);
        a = shares * ra / supply_;
        b = shares * rb / supply_;
        ok = a != 0 || b != 0;
    }
}
