// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {Test, console} from "../utils/Test.sol";
import {QuireVerifier} from "../../src/verifier/QuireVerifier.sol";
import {QuireGates} from "../../src/verifier/QuireGates.sol";
import {QuireFri} from "../../src/verifier/QuireFri.sol";

/// @notice Differential tests of the generated plonky2 verifier against plonky2 (fixtures from
///         `quire-prover export-verifier --fixtures`, see evm-verifier/src/): a real wrapper
///         proof, plonky2's intermediate values, and plonky2's verdicts on altered proofs.
contract QuireVerifierTest is Test {
    uint256 internal constant P = 0xffffffff00000001;
    QuireVerifier internal verifier;
    string internal json;
    string internal shape;

    struct Case {
        bytes proof;
        uint256[] pis;
        uint256[] challenges;
    }

    function setUp() public {
        verifier = new QuireVerifier();
        json = vm.readFile("test/fixtures/verifier/proof_0.json");
        shape = vm.readFile("test/fixtures/verifier/shape.json");
    }

    function _load() internal view returns (Case memory c) {
        c.proof = vm.parseJsonBytes(json, ".proof");
        c.pis = vm.parseJsonUintArray(json, ".public_inputs");
        c.challenges = vm.parseJsonUintArray(json, ".challenges");
    }

    /// The verifier's verdict: true only if `verify` returns true; a revert is a rejection.
    function _accepts(bytes memory proof, uint256[] memory pis) internal view returns (bool) {
        try verifier.verify(proof, pis) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    function test_accepts_realWrapperProof() public view {
        Case memory c = _load();
        assertTrue(vm.parseJsonBool(json, ".valid"), "fixture");
        assertTrue(verifier.verify(c.proof, c.pis), "valid proof rejected");
    }

    /// Every Fiat-Shamir challenge (PI hash, betas, gammas, alphas, zeta, FRI alpha/betas, PoW
    /// response, query indices) equals plonky2's, stage by stage.
    function test_transcript_matchesPlonky2() public view {
        Case memory c = _load();
        uint256[] memory got = verifier.challenges(c.proof, c.pis);
        assertEq(got.length, c.challenges.length, "challenge count");
        for (uint256 k; k < got.length; ++k) {
            assertEq(got[k], c.challenges[k], string.concat("challenge ", vm.toString(k)));
        }
        uint256 powBits = vm.parseJsonUint(shape, ".pow_bits");
        assertEq(got[verifier.CH_POW()] >> (64 - powBits), 0, "pow");
    }

    /// The gate constraints at zeta equal plonky2's `evaluate_gate_constraints`, and the
    /// vanishing polynomial equals plonky2's quotient side Z_H(zeta) * t(zeta), per round.
    function test_gateConstraintsAndVanishing_matchPlonky2() public view {
        Case memory c = _load();
        uint256[] memory gc = vm.parseJsonUintArray(json, ".gate_constraints");
        uint256[] memory qs = vm.parseJsonUintArray(json, ".quotient_side");
        uint256[] memory v = verifier.GATES().evaluate(c.proof, c.challenges);
        assertEq(v.length, gc.length + 2 * qs.length, "output length");
        for (uint256 k; k < gc.length; ++k) {
            assertEq(v[k], gc[k], string.concat("gate constraint word ", vm.toString(k)));
        }
        for (uint256 j; j < qs.length / 2; ++j) {
            uint256 o = gc.length + 4 * j;
            assertEq(v[o], qs[2 * j], "vanishing c0");
            assertEq(v[o + 1], qs[2 * j + 1], "vanishing c1");
            assertEq(v[o + 2], qs[2 * j], "quotient side c0");
            assertEq(v[o + 3], qs[2 * j + 1], "quotient side c1");
        }
    }

    function test_fri_acceptsRealProof() public view {
        Case memory c = _load();
        assertTrue(verifier.FRI().verifyFri(c.proof, c.challenges), "fri");
    }

    /// For a broad sample of bytes in every section (caps, openings, FRI caps, final
    /// polynomial, PoW witness, Merkle leaves and paths, folding evaluations), flipping one bit
    /// gives the verdict plonky2 gives (rejection, in every sampled case).
    function test_verdicts_alteredProofBytes_agreeWithPlonky2() public view {
        Case memory c = _load();
        uint256 n;
        while (vm.keyExistsJson(json, string.concat(".mutations[", vm.toString(n), "]"))) {
            ++n;
        }
        assertGe(n, 48, "mutation count");
        for (uint256 i; i < n; ++i) {
            string memory k = string.concat(".mutations[", vm.toString(i), "]");
            uint256 off = vm.parseJsonUint(json, string.concat(k, ".offset"));
            uint256 x = vm.parseJsonUint(json, string.concat(k, ".xor"));
            bool plonky2 = vm.parseJsonBool(json, string.concat(k, ".valid"));
            bytes memory pr = bytes.concat(c.proof);
            pr[off] = bytes1(uint8(pr[off]) ^ uint8(x));
            bool ours = _accepts(pr, c.pis);
            assertEq(ours, plonky2, string.concat("verdict differs at byte ", vm.toString(off)));
            assertFalse(ours, string.concat("altered byte accepted: ", vm.toString(off)));
        }
    }

    /// Each public input, changed, is rejected, as plonky2 rejects it.
    function test_verdicts_alteredPublicInputs_agreeWithPlonky2() public view {
        Case memory c = _load();
        for (uint256 j; j < c.pis.length; ++j) {
            uint256[] memory pis = _copy(c.pis);
            pis[j] = (pis[j] + 1) % P;
            bool plonky2 = vm.parseJsonBool(json, string.concat(".pi_mutations_valid[", vm.toString(j), "]"));
            bool ours = _accepts(c.proof, pis);
            assertEq(ours, plonky2, string.concat("verdict differs, public input ", vm.toString(j)));
            assertFalse(ours, string.concat("altered public input accepted: ", vm.toString(j)));
        }
    }

    /// A valid proof of a different circuit (the stand-in wrapper) is rejected.
    function test_rejects_proofOfOtherCircuit() public view {
        string memory o = vm.readFile("test/fixtures/verifier/other_circuit.json");
        bytes memory pr = vm.parseJsonBytes(o, ".proof");
        uint256[] memory pis = vm.parseJsonUintArray(o, ".public_inputs");
        assertFalse(vm.parseJsonBool(o, ".valid"), "plonky2 verdict");
        assertFalse(_accepts(pr, pis), "other circuit's proof accepted");
        // Also with the target's public inputs (when their count differs, only the length check
        // would speak; this keeps the content checks exercised where lengths agree).
        if (pr.length == verifier.PROOF_BYTES() && pis.length != verifier.NUM_PUBLIC_INPUTS()) {
            assertFalse(_accepts(pr, _load().pis), "other circuit's proof accepted");
        }
    }

    function test_rejects_wrongLengths() public {
        Case memory c = _load();
        bytes memory shortProof = new bytes(c.proof.length - 1);
        vm.expectRevert(QuireVerifier.ProofLength.selector);
        verifier.verify(shortProof, c.pis);
        bytes memory longProof = bytes.concat(c.proof, hex"00");
        vm.expectRevert(QuireVerifier.ProofLength.selector);
        verifier.verify(longProof, c.pis);
        uint256[] memory fewer = new uint256[](c.pis.length - 1);
        vm.expectRevert(QuireVerifier.PublicInputsLength.selector);
        verifier.verify(c.proof, fewer);
    }

    function test_rejects_nonCanonicalPublicInput() public {
        Case memory c = _load();
        c.pis[5] += P; // same residue, non-canonical
        vm.expectRevert(QuireVerifier.NonCanonical.selector);
        verifier.verify(c.proof, c.pis);
    }

    /// An element encoded as a value >= p (here p itself, an alias of 0) is refused in every
    /// section: openings, final polynomial, PoW witness (transcript), Merkle leaves and folding
    /// evaluations (FRI).
    function test_rejects_nonCanonicalElements() public {
        Case memory c = _load();
        uint256[4] memory offs = [
            vm.parseJsonUint(shape, ".offsets.openings"),
            vm.parseJsonUint(shape, ".offsets.final_poly"),
            vm.parseJsonUint(shape, ".offsets.pow_witness"),
            vm.parseJsonUint(shape, ".offsets.queries")
        ];
        for (uint256 k; k < offs.length; ++k) {
            bytes memory pr = bytes.concat(c.proof);
            for (uint256 b; b < 8; ++b) {
                pr[offs[k] + b] = bytes1(uint8(P >> (8 * b)));
            }
            vm.expectRevert(QuireVerifier.NonCanonical.selector);
            verifier.verify(pr, c.pis);
        }
    }

    /// Gas of one full verification, the proof size and the deployed code sizes.
    function test_verifyGas() public view {
        Case memory c = _load();
        uint256 g = gasleft();
        bool ok = verifier.verify(c.proof, c.pis);
        g -= gasleft();
        assertTrue(ok, "valid proof rejected");
        console.log("verify_gas=", g);
        console.log("proof_bytes=", c.proof.length);
        console.log("verifier_code_bytes=", address(verifier).code.length);
        console.log("gates_code_bytes=", address(verifier.GATES()).code.length);
        console.log("fri_code_bytes=", address(verifier.FRI()).code.length);
        assertLe(g, 12_000_000, "over the 12M gas bound");
    }

    /// Every contract fits the EIP-170 code-size limit.
    function test_codeSizes_under24KiB() public view {
        assertLe(address(verifier).code.length, 24_576, "QuireVerifier");
        assertLe(address(verifier.GATES()).code.length, 24_576, "QuireGates");
        assertLe(address(verifier.FRI()).code.length, 24_576, "QuireFri");
    }

    function _copy(uint256[] memory a) internal pure returns (uint256[] memory b) {
        b = new uint256[](a.length);
        for (uint256 i; i < a.length; ++i) {
            b[i] = a[i];
        }
    }
}
