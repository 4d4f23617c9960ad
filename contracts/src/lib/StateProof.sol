// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Poseidon} from "./Poseidon.sol";

/// @title StateProof
/// @notice Recomputes Quire's state root from one balance and its two Merkle paths, as
///         core's `BalanceProof::verify` does (core/src/state/mod.rs, core/src/account.rs,
///         core/src/merkle/proof.rs).
/// @dev - Balance tree (depth 8, index = token id): leaf [balance, 0, 0, 0].
///      - Account tree (depth 24, index = account id): leaf
///        hash_no_pad(pubkey_hash[4] ‖ l1_owner as five 32-bit big-endian limbs ‖ nonce ‖
///        balance_root[4]), 14 elements.
///      - Paths list siblings from the leaf level up; bit `level` of the index set means the
///        node is a right child: parent = two_to_one(sibling, node), else
///        two_to_one(node, sibling).
///      Digests are L1 bytes32 (decision D9). A digest limb that is not canonical hashes as
///      its value mod p, i.e. like the canonical digest, so it gives a prover nothing; the
///      fields that carry value are range-checked by the caller (balance <= 2^63 - 1,
///      account id < 2^24).
library StateProof {
    uint256 internal constant ACCOUNT_TREE_DEPTH = 24;
    uint256 internal constant BALANCE_TREE_DEPTH = 8;

    /// @notice One balance of one account, with everything needed to recompute the root.
    struct BalanceProof {
        uint32 accountId;
        uint8 token;
        uint64 balance;
        bytes32 pubkeyHash;
        address owner;
        uint32 nonce;
        bytes32[8] balancePath;
        bytes32[24] accountPath;
    }

    /// @notice The state root the proof leads to.
    function root(BalanceProof calldata p) internal pure returns (bytes32 node) {
        node = bytes32(uint256(p.balance) << 192);
        uint256 index = p.token;
        for (uint256 level; level < BALANCE_TREE_DEPTH; ++level) {
            node = _parent(node, p.balancePath[level], (index >> level) & 1);
        }
        node = accountLeaf(p.pubkeyHash, p.owner, p.nonce, node);
        index = p.accountId;
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
