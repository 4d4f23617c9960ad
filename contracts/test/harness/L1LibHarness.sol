// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Poseidon} from "../../src/lib/Poseidon.sol";
import {EcGFp5} from "../../src/lib/EcGFp5.sol";
import {PriorityOps} from "../../src/lib/PriorityOps.sol";
import {StateProof} from "../../src/lib/StateProof.sol";

/// @dev External wrappers of the rollup's internal libraries, for known-answer tests and the
///      gas report (figures include the external call and ABI decoding).
contract L1LibHarness {
    function permute(uint256[12] memory state) external pure returns (uint256[12] memory out) {
        uint256 s;
        assembly ("memory-safe") {
            s := mload(0x40)
            mcopy(s, state, 0x180)
        }
        Poseidon.permute(s);
        assembly ("memory-safe") {
            mcopy(out, s, 0x180)
        }
    }

    function twoToOne(bytes32 a, bytes32 b) external pure returns (bytes32) {
        return Poseidon.twoToOne(a, b);
    }

    function hashNoPad(uint256[] memory input) external pure returns (bytes32) {
        return Poseidon.hashNoPad(input);
    }

    function isValidPublicKey(bytes calldata key) external pure returns (bool) {
        return EcGFp5.isValidPublicKey(key);
    }

    function encodeDeposit(uint64 id, address from, bytes calldata key, uint8 token, uint64 amount)
        external
        pure
        returns (bytes memory)
    {
        return PriorityOps.encodeDeposit(id, from, key, token, amount);
    }

    function hashDeposit(uint64 id, address from, bytes calldata key, uint8 token, uint64 amount)
        external
        pure
        returns (bytes32)
    {
        return PriorityOps.hashDeposit(id, from, key, token, amount);
    }

    function encodeFullExit(uint64 id, uint32 account, address owner, uint8 token)
        external
        pure
        returns (bytes memory)
    {
        return PriorityOps.encodeFullExit(id, account, owner, token);
    }

    function hashFullExit(uint64 id, uint32 account, address owner, uint8 token) external pure returns (bytes32) {
        return PriorityOps.hashFullExit(id, account, owner, token);
    }

    function fold(bytes32 c, bytes32 h) external pure returns (bytes32) {
        return PriorityOps.fold(c, h);
    }

    function stateRoot(StateProof.AccountProof calldata p) external pure returns (bytes32) {
        return StateProof.root(p);
    }
}
