// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Test, console} from "../utils/Test.sol";
import {QuireVerifier} from "../../src/verifier/QuireVerifier.sol";

/// @notice Differential tests of the generated plonky2 verifier against plonky2 (fixtures from
///         `quire-prover export-verifier --fixtures`, see prover/src/evm_verifier/).
contract QuireVerifierTest is Test {
    QuireVerifier internal verifier;

    struct Case {
        bytes proof;
        uint256[] pis;
        uint256[] challenges;
    }

    function setUp() public {
        verifier = new QuireVerifier();
    }

    function _load(uint256 i) internal view returns (Case memory c) {
        string memory json = vm.readFile(string.concat("test/fixtures/verifier/proof_", vm.toString(i), ".json"));
        c.proof = vm.parseJsonBytes(json, ".proof");
        c.pis = vm.parseJsonUintArray(json, ".public_inputs");
        c.challenges = vm.parseJsonUintArray(json, ".challenges");
    }

    /// Every Fiat-Shamir challenge (PI hash, betas, gammas, alphas, zeta, FRI alpha/betas, PoW
    /// response, query indices) equals plonky2's, stage by stage.
    function test_transcript_matchesPlonky2() public view {
        for (uint256 i; i < 2; ++i) {
            Case memory c = _load(i);
            uint256[] memory got = verifier.challenges(c.proof, c.pis);
            assertEq(got.length, c.challenges.length, "challenge count");
            for (uint256 k; k < got.length; ++k) {
                assertEq(got[k], c.challenges[k], string.concat("challenge ", vm.toString(k)));
            }
            // The PoW response of a valid proof has the required leading zeros.
            assertEq(got[verifier.CH_POW()] >> 44, 0, "pow");
        }
    }

    /// Changing any public input changes the public-inputs hash and every challenge after it.
    function test_transcript_bindsPublicInputs() public view {
        Case memory c = _load(0);
        uint256[] memory base = verifier.challenges(c.proof, c.pis);
        for (uint256 j; j < c.pis.length; ++j) {
            uint256[] memory pis = _copy(c.pis);
            pis[j] = (pis[j] + 1) % 0xffffffff00000001;
            uint256[] memory got = verifier.challenges(c.proof, pis);
            vm.assertNotEq(got[0] ^ got[1] ^ got[2] ^ got[3], base[0] ^ base[1] ^ base[2] ^ base[3], "pi hash");
            vm.assertNotEq(got[verifier.CH_ZETA()], base[verifier.CH_ZETA()], "zeta");
        }
    }

    function test_rejects_wrongLengths() public {
        Case memory c = _load(0);
        bytes memory shortProof = new bytes(c.proof.length - 1);
        vm.expectRevert(QuireVerifier.ProofLength.selector);
        verifier.verify(shortProof, c.pis);
        bytes memory longProof = bytes.concat(c.proof, hex"00");
        vm.expectRevert(QuireVerifier.ProofLength.selector);
        verifier.verify(longProof, c.pis);
        uint256[] memory fewer = new uint256[](23);
        vm.expectRevert(QuireVerifier.PublicInputsLength.selector);
        verifier.verify(c.proof, fewer);
    }

    function test_rejects_nonCanonicalPublicInput() public {
        Case memory c = _load(0);
        c.pis[5] += 0xffffffff00000001; // same residue, non-canonical
        vm.expectRevert(QuireVerifier.NonCanonical.selector);
        verifier.verify(c.proof, c.pis);
    }

    /// An element encoded as a value >= p (here p itself, an alias of 0) is refused, in every
    /// section the transcript reads: openings, final polynomial, PoW witness.
    function test_rejects_nonCanonicalElements() public {
        Case memory c = _load(0);
        uint256[3] memory offs = [uint256(75), 4253, 4509]; // first opening, final poly, PoW witness
        for (uint256 k; k < 3; ++k) {
            bytes memory pr = bytes.concat(c.proof);
            for (uint256 b; b < 8; ++b) {
                pr[offs[k] + b] = bytes1(uint8(uint256(0xffffffff00000001) >> (8 * b)));
            }
            vm.expectRevert(QuireVerifier.NonCanonical.selector);
            verifier.verify(pr, c.pis);
        }
    }

    /// Gas of the stages implemented so far (transcript incl. public-inputs hash).
    function test_transcriptGas() public view {
        Case memory c = _load(0);
        uint256 g = gasleft();
        verifier.challenges(c.proof, c.pis);
        g -= gasleft();
        console.log("transcript_gas=", g);
        console.log("proof_bytes=", c.proof.length);
        console.log("verifier_code_bytes=", address(verifier).code.length);
    }

    function _copy(uint256[] memory a) internal pure returns (uint256[] memory b) {
        b = new uint256[](a.length);
        for (uint256 i; i < a.length; ++i) {
            b[i] = a[i];
        }
    }
}
