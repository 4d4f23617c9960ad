// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Test, console} from "./utils/Test.sol";
import {L1LibHarness} from "./harness/L1LibHarness.sol";
import {Poseidon} from "../src/lib/Poseidon.sol";

/// @notice Known-answer tests of Poseidon, the EcGFp5 key check and the priority-op encodings
///         against vectors exported by core.
/// @dev Regenerate the fixture from the repository root with
///      `cargo run -p quire-core --example l1_vectors > contracts/test/fixtures/l1_vectors.json`.
contract L1LibsTest is Test {
    uint256 internal constant P = 0xFFFFFFFF00000001;

    L1LibHarness internal h;
    string internal json;

    function setUp() public {
        h = new L1LibHarness();
        json = vm.readFile("test/fixtures/l1_vectors.json");
    }

    function _key(string memory prefix, uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(prefix, "[", vm.toString(i), "].", field);
    }

    // ------------------------------------------------------------------ Poseidon

    function test_poseidon_permutation_knownAnswers() public view {
        for (uint256 i; i < 4; ++i) {
            uint256[] memory input = vm.parseJsonUintArray(json, _key(".poseidon.permutations", i, "input"));
            uint256[] memory output = vm.parseJsonUintArray(json, _key(".poseidon.permutations", i, "output"));
            uint256[12] memory s;
            for (uint256 j; j < 12; ++j) {
                s[j] = input[j];
            }
            uint256[12] memory out = h.permute(s);
            for (uint256 j; j < 12; ++j) {
                assertEq(out[j], output[j], "permutation output");
            }
        }
    }

    function test_poseidon_twoToOne_knownAnswers() public view {
        for (uint256 i; i < 4; ++i) {
            bytes32 l = vm.parseJsonBytes32(json, _key(".poseidon.two_to_one", i, "left"));
            bytes32 r = vm.parseJsonBytes32(json, _key(".poseidon.two_to_one", i, "right"));
            bytes32 o = vm.parseJsonBytes32(json, _key(".poseidon.two_to_one", i, "out"));
            assertEq(h.twoToOne(l, r), o, "two_to_one");
        }
    }

    function test_poseidon_hashNoPad_knownAnswers() public view {
        for (uint256 i; i < 11; ++i) {
            uint256[] memory input = vm.parseJsonUintArray(json, _key(".poseidon.hash_no_pad", i, "input"));
            bytes32 o = vm.parseJsonBytes32(json, _key(".poseidon.hash_no_pad", i, "out"));
            assertEq(h.hashNoPad(input), o, "hash_no_pad");
        }
    }

    /// @dev Inputs are taken mod p: x and x + p hash alike (only values below 2^64 reach the
    ///      sponge from the rollup, and those that matter for value are range-checked).
    function testFuzz_poseidon_inputsReducedModP(uint64 a, uint64 b) public view {
        vm.assume(a < P && b < 2 ** 32 - 1);
        uint256[] memory x = new uint256[](2);
        x[0] = a;
        x[1] = b;
        uint256[] memory y = new uint256[](2);
        y[0] = a;
        y[1] = b + P;
        assertEq(h.hashNoPad(x), h.hashNoPad(y));
    }

    function test_poseidon_isCanonical() public pure {
        assertTrue(Poseidon.isCanonical(bytes32(0)));
        assertTrue(Poseidon.isCanonical(bytes32(uint256(P - 1))));
        assertFalse(Poseidon.isCanonical(bytes32(uint256(P))));
        assertFalse(Poseidon.isCanonical(bytes32(uint256(P) << 192)));
        assertFalse(Poseidon.isCanonical(bytes32(uint256(P) << 128)));
        assertFalse(Poseidon.isCanonical(bytes32(uint256(P) << 64)));
        assertTrue(Poseidon.isCanonical(bytes32(uint256(P - 1) << 192 | uint256(P - 1))));
    }

    // ------------------------------------------------------------------ EcGFp5 keys

    function test_keys_matchCoreDecoder() public view {
        uint256 valid;
        for (uint256 i; i < 20; ++i) {
            bytes memory key = vm.parseJsonBytes(json, _key(".keys", i, "key"));
            bool expected = vm.parseJsonBool(json, _key(".keys", i, "valid"));
            assertEq(h.isValidPublicKey(key), expected, vm.parseJsonString(json, _key(".keys", i, "note")));
            if (expected) ++valid;
        }
        // Both outcomes are exercised.
        assertGt(valid, 4);
        assertLt(valid, 20);
    }

    function testFuzz_keys_wrongLengthRejected(bytes memory key) public view {
        vm.assume(key.length != 40);
        assertFalse(h.isValidPublicKey(key));
    }

    function testFuzz_keys_nonCanonicalLimbRejected(bytes32 a, bytes8 b, uint8 limb, uint64 excess) public view {
        bytes memory key = abi.encodePacked(a, b);
        uint256 i = bound(limb, 0, 4);
        uint64 v = uint64(P + bound(excess, 0, type(uint64).max - P)); // in [p, 2^64)
        for (uint256 j; j < 8; ++j) {
            key[8 * i + j] = bytes1(uint8(v >> (8 * j)));
        }
        assertFalse(h.isValidPublicKey(key));
    }

    // ------------------------------------------------------------------ priority ops

    function test_priorityOps_encodingsMatchCodec() public view {
        bytes32 c;
        for (uint256 i; i < 7; ++i) {
            string memory kind = vm.parseJsonString(json, _key(".scenario.priority_ops", i, "kind"));
            bytes memory enc = vm.parseJsonBytes(json, _key(".scenario.priority_ops", i, "encoding"));
            bytes32 hash = vm.parseJsonBytes32(json, _key(".scenario.priority_ops", i, "hash"));
            uint64 id = uint64(vm.parseJsonUint(json, _key(".scenario.priority_ops", i, "priority_id")));
            uint8 token = uint8(vm.parseJsonUint(json, _key(".scenario.priority_ops", i, "token")));
            if (keccak256(bytes(kind)) == keccak256("deposit")) {
                address from = vm.parseJsonAddress(json, _key(".scenario.priority_ops", i, "from"));
                bytes memory to = vm.parseJsonBytes(json, _key(".scenario.priority_ops", i, "to"));
                uint64 amount = uint64(vm.parseJsonUint(json, _key(".scenario.priority_ops", i, "amount")));
                assertEq(h.encodeDeposit(id, from, to, token, amount), enc);
                assertEq(h.hashDeposit(id, from, to, token, amount), hash);
            } else {
                uint32 account = uint32(vm.parseJsonUint(json, _key(".scenario.priority_ops", i, "account")));
                address owner = vm.parseJsonAddress(json, _key(".scenario.priority_ops", i, "owner"));
                assertEq(h.encodeFullExit(id, account, owner, token), enc);
                assertEq(h.hashFullExit(id, account, owner, token), hash);
            }
            assertEq(keccak256(enc), hash);
            c = h.fold(c, hash);
        }
        assertEq(c, vm.parseJsonBytes32(json, ".scenario.priority_commitment"), "priority_commitment");
    }

    function testFuzz_priorityOps_hashesAreKeccakOfEncodings(
        uint64 id,
        address from,
        bytes32 k0,
        bytes8 k1,
        uint8 token,
        uint64 amount,
        uint32 account
    ) public view {
        bytes memory key = abi.encodePacked(k0, k1);
        assertEq(h.hashDeposit(id, from, key, token, amount), keccak256(h.encodeDeposit(id, from, key, token, amount)));
        assertEq(h.hashFullExit(id, account, from, token), keccak256(h.encodeFullExit(id, account, from, token)));
        assertEq(h.encodeDeposit(id, from, key, token, amount).length, 78);
        assertEq(h.encodeFullExit(id, account, from, token).length, 34);
    }

    // ------------------------------------------------------------------ gas

    function test_Gas_poseidon() public view {
        uint256 g = gasleft();
        h.twoToOne(bytes32(uint256(1)), bytes32(uint256(2)));
        console.log("poseidon two_to_one (external call)", g - gasleft());
        uint256[] memory leaf = new uint256[](14);
        g = gasleft();
        h.hashNoPad(leaf);
        console.log("poseidon hash_no_pad, 14 elements (external call)", g - gasleft());
        bytes memory key = vm.parseJsonBytes(json, ".keys[0].key");
        g = gasleft();
        h.isValidPublicKey(key);
        console.log("EcGFp5 key check (external call)", g - gasleft());
    }
}
