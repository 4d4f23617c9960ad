// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {IRollup} from "../interfaces/IRollup.sol";
import {Poseidon} from "./Poseidon.sol";

/// @title StateProof
/// @notice Recomputes Quire's state root from several balances of one account and their
///         Merkle paths, as core's `AccountProof::verify` does (core/src/state/proof.rs,
///         core/src/account.rs, core/src/merkle/proof.rs). The one place that says what a
///         well-formed exodus proof is: `exit` and `settlePool` take nothing else.
/// @dev - Balance tree (depth 8, index = token id): leaf [balance, 0, 0, 0].
///      - Account tree (depth 24, index = account id): leaf
///        hash_no_pad(pubkey_hash[4] ‖ l1_owner as five 32-bit big-endian limbs ‖ nonce ‖
///        balance_root[4]), 14 elements.
///      - Paths list siblings from the leaf level up; bit `level` of the index set means the
///        node is a right child: parent = two_to_one(sibling, node), else
///        two_to_one(node, sibling).
///      Digests are L1 bytes32 (decision D9). A digest limb that is not canonical hashes as
///      its value mod p, i.e. like the canonical digest, so it gives a prover nothing; the
///      fields that carry value are range-checked here (balance <= 2^63 - 1, account id
///      < 2^24), since `balance + p` or `id + 2^24` would otherwise hash like the genuine one.
library StateProof {
    uint256 internal constant ACCOUNT_TREE_DEPTH = 24;
    uint256 internal constant BALANCE_TREE_DEPTH = 8;
    /// @dev 2^ACCOUNT_TREE_DEPTH: account ids are below it.
    uint256 internal constant ACCOUNT_ID_LIMIT = 1 << 24;
    /// @dev Largest balance (D1), as in Rollup.MAX_AMOUNT.
    uint256 internal constant MAX_BALANCE = type(uint64).max >> 1;
    /// @notice Most balances one proof may open. An exit of one balance costs 1.73M gas;
    ///         each further opening hashes its own 8-level path and, as a share exit, credits
    ///         two fresh claimable balances: 0.46M more. 16 share-token exits with cold
    ///         storage cost 8.59M, about half of EIP-7825's 2^24 gas cap
    ///         (test/RollupExitGas.t.sol, decision D21). Core's `AccountProof::MAX_OPENINGS`.
    uint256 internal constant MAX_OPENINGS = 16;

    /// @notice One balance of the account, with its path in the account's balance tree.
    struct BalanceOpening {
        uint8 token;
        uint64 balance;
        bytes32[8] path;
    }

    /// @notice Balances of one account with everything needed to recompute the state root:
    ///         the account record's fields, its path in the account tree, and 1..=16
    ///         openings by strictly increasing token id, all of the same balance tree.
    struct AccountProof {
        uint32 accountId;
        bytes32 pubkeyHash;
        address owner;
        uint32 nonce;
        bytes32[24] accountPath;
        BalanceOpening[] balances;
    }

    /// @notice The state root the proof leads to. Reverts unless the proof is well formed:
    ///         `InvalidOpeningCount` (none, or more than `MAX_OPENINGS`), `InvalidAccountId`
    ///         (id >= 2^24), `OpeningsNotSorted` (token ids not strictly increasing, which
    ///         also rules out one balance opened twice), `BalanceOutOfRange` (> 2^63 - 1),
    ///         `BalanceRootMismatch` (an opening leads to another balance tree than the
    ///         first: a genuine opening cannot vouch for a fabricated one).
    function root(AccountProof calldata p) internal pure returns (bytes32 node) {
        uint256 n = p.balances.length;
        if (n == 0 || n > MAX_OPENINGS) revert IRollup.InvalidOpeningCount();
        uint256 index = p.accountId;
        if (index >= ACCOUNT_ID_LIMIT) revert IRollup.InvalidAccountId();
        bytes32 balanceRoot;
        // One more than the previous opening's token: token ids must reach it.
        uint256 next;
        for (uint256 i; i < n; ++i) {
            BalanceOpening calldata o = p.balances[i];
            uint256 token = o.token;
            if (token < next) revert IRollup.OpeningsNotSorted();
            next = token + 1;
            if (o.balance > MAX_BALANCE) revert IRollup.BalanceOutOfRange();
            bytes32 r = bytes32(uint256(o.balance) << 192);
            for (uint256 level; level < BALANCE_TREE_DEPTH; ++level) {
                r = _parent(r, o.path[level], (token >> level) & 1);
            }
            if (i == 0) balanceRoot = r;
            else if (r != balanceRoot) revert IRollup.BalanceRootMismatch();
        }
        node = accountLeaf(p.pubkeyHash, p.owner, p.nonce, balanceRoot);
        for (uint256 level; level < ACCOUNT_TREE_DEPTH; ++level) {
            node = _parent(node, p.accountPath[level], (index >> level) & 1);
        }
    }

    /// @notice The account-tree leaf of an account record.
    function accountLeaf(bytes32 pubkeyHash, address owner, uint32 nonce, bytes32 balanceRoot)
        internal
        pure
        returns (bytes32)
    {
        uint256[] memory e = new uint256[](14);
        (e[0], e[1], e[2], e[3]) = Poseidon.limbs(pubkeyHash);
        uint256 o = uint256(uint160(owner));
        e[4] = o >> 128;
        e[5] = (o >> 96) & 0xffffffff;
        e[6] = (o >> 64) & 0xffffffff;
        e[7] = (o >> 32) & 0xffffffff;
        e[8] = o & 0xffffffff;
        e[9] = nonce;
        (e[10], e[11], e[12], e[13]) = Poseidon.limbs(balanceRoot);
        return Poseidon.hashNoPad(e);
    }

    function _parent(bytes32 node, bytes32 sibling, uint256 isRight) private pure returns (bytes32) {
        return isRight == 1 ? Poseidon.twoToOne(sibling, node) : Poseidon.twoToOne(node, sibling);
    }
}
