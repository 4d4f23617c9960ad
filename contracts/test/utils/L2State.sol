// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Poseidon} from "../../src/lib/Poseidon.sol";
import {StateProof} from "../../src/lib/StateProof.sol";

/// @dev A small L2 state hashed as core hashes it (core/src/account.rs, core/src/merkle/):
///      sparse Poseidon trees, an empty leaf all zero, a balance leaf [balance, 0, 0, 0], an
///      account leaf StateProof.accountLeaf. Tests set records and balances, `build` the root
///      once, and take `StateProof.AccountProof`s of any balances (a balance never set is a
///      zero leaf and can be opened too). Core's own proofs are checked against the contract
///      in test/RollupScenario.t.sol; this builder serves states core has no fixture of
///      (random LP splits, many pools, attacks).
contract L2State {
    uint256 internal constant ACCOUNT_DEPTH = 24;
    uint256 internal constant BALANCE_DEPTH = 8;

    struct Record {
        bytes32 pubkeyHash;
        address owner;
        uint32 nonce;
        bool exists;
    }

    /// @dev empty[l]: the root of an empty subtree of height l.
    bytes32[ACCOUNT_DEPTH + 1] internal empty;
    mapping(uint32 => Record) public records;
    uint32[] internal ids;
    mapping(uint32 => uint8[]) internal tokensOf;
    mapping(uint32 => mapping(uint8 => uint64)) public balanceOf;
    mapping(uint32 => mapping(uint8 => bool)) internal hasToken;
    /// @dev Every non-empty node, by (tree, level, index): tree 0 is the account tree, tree
    ///      1 + a the balance tree of account a.
    mapping(bytes32 => bytes32) internal nodes;
    bytes32 public root;
    bool public built;

    constructor() {
        for (uint256 l; l < ACCOUNT_DEPTH; ++l) {
            empty[l + 1] = Poseidon.twoToOne(empty[l], empty[l]);
        }
    }

    /// @dev Opens (or rewrites the fields of) account `id`. A keyed account has a nonzero
    ///      pubkey hash and owner; a keyless one (bridge, pool) zeros.
    function setAccount(uint32 id, bytes32 pubkeyHash, address owner, uint32 nonce) public {
        require(!built, "built");
        if (!records[id].exists) ids.push(id);
        records[id] = Record(pubkeyHash, owner, nonce, true);
    }

    /// @dev A keyed account owned by `owner`, its pubkey hash derived from the owner.
    function setUser(uint32 id, address owner) external {
        setAccount(id, _fakeKeyHash(owner), owner, 1);
    }

    function setKeyless(uint32 id) external {
        setAccount(id, bytes32(0), address(0), 0);
    }

    function setBalance(uint32 id, uint8 token, uint64 amount) external {
        require(!built, "built");
        require(records[id].exists, "no account");
        if (!hasToken[id][token]) {
            hasToken[id][token] = true;
            tokensOf[id].push(token);
        }
        balanceOf[id][token] = amount;
    }

    /// @dev Hashes every tree once and returns the state root.
    function build() external returns (bytes32) {
        require(!built, "built");
        built = true;
        uint32[] memory accs = _sorted32(ids);
        uint256[] memory idx = new uint256[](accs.length);
        bytes32[] memory leaves = new bytes32[](accs.length);
        for (uint256 i; i < accs.length; ++i) {
            uint32 a = accs[i];
            uint8[] memory toks = _sorted8(tokensOf[a]);
            uint256[] memory bIdx = new uint256[](toks.length);
            bytes32[] memory bLeaves = new bytes32[](toks.length);
            for (uint256 j; j < toks.length; ++j) {
                bIdx[j] = toks[j];
                bLeaves[j] = bytes32(uint256(balanceOf[a][toks[j]]) << 192);
            }
            bytes32 balanceRoot = _tree(uint256(a) + 1, BALANCE_DEPTH, bIdx, bLeaves);
            Record memory r = records[a];
            idx[i] = a;
            leaves[i] = StateProof.accountLeaf(r.pubkeyHash, r.owner, r.nonce, balanceRoot);
        }
        root = _tree(0, ACCOUNT_DEPTH, idx, leaves);
        return root;
    }

    /// @dev A proof of the balances of `toks` (in the order given) in account `id`.
    function proof(uint32 id, uint8[] memory toks) public view returns (StateProof.AccountProof memory p) {
        require(built, "not built");
        Record memory r = records[id];
        p.accountId = id;
        p.pubkeyHash = r.pubkeyHash;
        p.owner = r.owner;
        p.nonce = r.nonce;
        for (uint256 l; l < ACCOUNT_DEPTH; ++l) {
            p.accountPath[l] = _node(0, l, (uint256(id) >> l) ^ 1);
        }
        p.balances = new StateProof.BalanceOpening[](toks.length);
        for (uint256 i; i < toks.length; ++i) {
            p.balances[i].token = toks[i];
            p.balances[i].balance = balanceOf[id][toks[i]];
            for (uint256 l; l < BALANCE_DEPTH; ++l) {
                p.balances[i].path[l] = _node(uint256(id) + 1, l, (uint256(toks[i]) >> l) ^ 1);
            }
        }
    }

    function proof1(uint32 id, uint8 token) external view returns (StateProof.AccountProof memory) {
        uint8[] memory t = new uint8[](1);
        t[0] = token;
        return proof(id, t);
    }

    /// @dev Every account opened, by increasing id.
    function accounts() external view returns (uint32[] memory) {
        return _sorted32(ids);
    }

    /// @dev Every token account `id` holds a balance of, by increasing id.
    function tokens(uint32 id) external view returns (uint8[] memory) {
        return _sorted8(tokensOf[id]);
    }

    // ------------------------------------------------------------------ internals

    function _fakeKeyHash(address owner) internal pure returns (bytes32) {
        // Four canonical limbs (each < 2^32 < p): any value works, the contract hashes it.
        return bytes32(
            uint256(keccak256(abi.encode("key", owner)))
                & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
        );
    }

    function _key(uint256 tree, uint256 level, uint256 index) internal pure returns (bytes32) {
        return keccak256(abi.encode(tree, level, index));
    }

    function _node(uint256 tree, uint256 level, uint256 index) internal view returns (bytes32 n) {
        n = nodes[_key(tree, level, index)];
        if (n == bytes32(0)) n = empty[level];
    }

    /// @dev Root of the sparse tree `tree` of `depth` holding `leaves` at the (ascending,
    ///      distinct) indices `idx`; stores every node on the way. Overwrites both arrays.
    function _tree(uint256 tree, uint256 depth, uint256[] memory idx, bytes32[] memory leaves)
        internal
        returns (bytes32)
    {
        uint256 n = idx.length;
        for (uint256 l; l < depth; ++l) {
            uint256 m;
            for (uint256 j; j < n;) {
                uint256 i = idx[j];
                nodes[_key(tree, l, i)] = leaves[j];
                bytes32 left;
                bytes32 right;
                if (i & 1 == 0) {
                    left = leaves[j];
                    if (j + 1 < n && idx[j + 1] == i + 1) {
                        right = leaves[j + 1];
                        nodes[_key(tree, l, i + 1)] = right;
                        j += 2;
                    } else {
                        right = empty[l];
                        j += 1;
                    }
                } else {
                    left = empty[l];
                    right = leaves[j];
                    j += 1;
                }
                idx[m] = i >> 1;
                leaves[m] = Poseidon.twoToOne(left, right);
                ++m;
            }
            n = m;
        }
        return n == 0 ? empty[depth] : leaves[0];
    }

    function _sorted32(uint32[] memory a) internal pure returns (uint32[] memory) {
        for (uint256 i = 1; i < a.length; ++i) {
            uint32 v = a[i];
            uint256 j = i;
            while (j > 0 && a[j - 1] > v) {
                a[j] = a[j - 1];
                --j;
            }
            a[j] = v;
        }
        return a;
    }

    function _sorted8(uint8[] memory a) internal pure returns (uint8[] memory) {
        for (uint256 i = 1; i < a.length; ++i) {
            uint8 v = a[i];
            uint256 j = i;
            while (j > 0 && a[j - 1] > v) {
                a[j] = a[j - 1];
                --j;
            }
            a[j] = v;
        }
        return a;
    }
}
