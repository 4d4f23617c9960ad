// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {console} from "./utils/Test.sol";
import {RollupBase} from "./utils/RollupBase.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {QuireVerifier} from "../src/verifier/QuireVerifier.sol";

/// @notice L1 cost of a transfer: commit + prove + execute of a batch of N transfers, per
///         transfer. Run with `npx forge test --match-test Gas -vv`.
///
/// Method. Each of the three transactions is charged as Ethereum charges it since Pectra
/// (EIP-7623): with `tokens = zero_bytes + 4 * nonzero_bytes` of calldata,
///     gas = 21000 + max(4 * tokens + execution, 10 * tokens),
/// i.e. the classic 16/4 gas per nonzero/zero calldata byte plus execution, or the calldata
/// floor of 40/10 gas per byte, whichever is higher. `execution` is measured with `gasleft()`
/// around an external call with exactly the transaction's calldata (so it includes the
/// call's own overhead: conservative), after `vm.cool` has made the rollup's and the
/// verifier's accounts and storage cold again as at the start of a transaction; no storage
/// refund is subtracted. The sum over the
/// three transactions, divided by N, is `l1_gas_per_transfer`.
///
/// Batches are transfers only (the pubdata a busy rollup posts), built two ways:
/// - typical: account ids below 2^20, amounts below 2^40, nonzero packed fees, so some
///   big-endian bytes are zero as in real traffic;
/// - worst case: every pubdata byte nonzero (after the type byte), which maximizes calldata
///   cost.
/// The batches are proven through the test double (TestBatchVerifier: one keccak), because
/// the real plonky2 verifier only accepts real proofs of real batches. Its cost does not
/// depend on the batch (a fixed-size proof, 24 public inputs), so the headline figure swaps
/// it in: the real `QuireVerifier` is deployed and measured on the committed fixture proof
/// (cold accounts), and `proveBatch` is charged with the real proof's calldata and that
/// verification instead of the double's. `l1_gas_per_transfer` is that full cost at the
/// largest batch the prover service accepts (1,024 operations: `MAX_CAPACITY` in
/// prover/src/service/config.rs), and at the devnet shape (8 operations).
contract RollupGasTest is RollupBase {
    struct Cost {
        uint256 calldataBytes;
        uint256 tokens;
        uint256 execution;
        uint256 charged;
    }

    uint256 internal seed = 1;

    function _rand() internal returns (uint256) {
        seed = uint256(keccak256(abi.encode(seed)));
        return seed;
    }

    function _transfers(uint256 n, bool worstCase) internal returns (bytes memory pubdata) {
        pubdata = new bytes(n * 18);
        for (uint256 i; i < n; ++i) {
            uint256 r = _rand();
            bytes memory op;
            if (worstCase) {
                // Every byte after the type nonzero.
                bytes32 x = bytes32(r | 0x0101010101010101010101010101010101010101010101010101010101010101);
                op = abi.encodePacked(uint8(2), bytes17(x));
            } else {
                op = pdTransfer(
                    uint24(r % (1 << 20)),
                    uint24((r >> 24) % (1 << 20)),
                    uint8((r >> 48) % 3),
                    uint64((r >> 56) % (1 << 40)) + 1,
                    uint16((r >> 100) % 0xffff) + 1
                );
            }
            for (uint256 j; j < 18; ++j) {
                pubdata[i * 18 + j] = op[j];
            }
        }
    }

    function _charge(bytes memory data) internal returns (Cost memory c) {
        c.calldataBytes = data.length;
        for (uint256 i; i < data.length; ++i) {
            c.tokens += data[i] == 0 ? 1 : 4;
        }
        // Each measured call is its own L1 transaction: start from cold accounts and slots.
        vm.cool(address(rollup));
        vm.cool(address(verifier));
        uint256 g = gasleft();
        (bool ok,) = address(rollup).call(data);
        c.execution = g - gasleft();
        require(ok, "call failed");
        uint256 standard = 4 * c.tokens + c.execution;
        uint256 floor = 10 * c.tokens;
        c.charged = 21000 + (standard > floor ? standard : floor);
    }

    function _measure(uint256 n, bool worstCase) internal returns (uint256 perTransfer, Cost[3] memory costs) {
        bytes memory pubdata = _transfers(n, worstCase);
        IRollup.CommitBatchInfo memory next = IRollup.CommitBatchInfo({
            batchNumber: tip + 1, timestamp: uint64(block.timestamp), newStateRoot: root(tip + 1)
        });
        vm.recordLogs();
        vm.prank(operator);
        costs[0] = _charge(abi.encodeCall(IRollup.commitBatch, (batchInfo[tip], next, pubdata)));
        (IRollup.StoredBatchInfo memory info, bytes memory payouts) = _committedFromLogs();
        tip += 1;
        batchInfo[tip] = info;
        costs[1] = _charge(abi.encodeCall(IRollup.proveBatch, (info, proofFor(info))));
        costs[2] = _charge(abi.encodeCall(IRollup.executeBatch, (info, payouts)));
        assertEq(uint256(rollup.totalBatchesExecuted()), uint256(tip));
        perTransfer = (costs[0].charged + costs[1].charged + costs[2].charged) / n;
    }

    function _log(string memory label, uint256 n, uint256 perTransfer, Cost[3] memory c) internal view {
        console.log(string.concat(label, " N=", vm.toString(n), " l1_gas_per_transfer=", vm.toString(perTransfer)));
        string[3] memory names = ["  commit ", "  prove ", "  execute "];
        for (uint256 i; i < 3; ++i) {
            console.log(
                string.concat(
                    names[i],
                    "calldata_bytes=",
                    vm.toString(c[i].calldataBytes),
                    " execution=",
                    vm.toString(c[i].execution),
                    " floor=",
                    vm.toString(21000 + 10 * c[i].tokens),
                    " charged=",
                    vm.toString(c[i].charged)
                )
            );
        }
    }

    /// @dev Charged gas of `proveBatch` with the real verifier and a real proof: the real
    ///      proof's calldata, the rollup's own execution around the verifier call (measured
    ///      with the double, whose verification is one keccak: conservative), plus one cold
    ///      real verification.
    function _realProveCharge(Cost memory withDouble)
        internal
        returns (uint256 charged, uint256 verifyGas, uint256 proofBytes)
    {
        string memory json = vm.readFile("test/fixtures/verifier/proof_0.json");
        bytes memory proof = vm.parseJsonBytes(json, ".proof");
        uint256[] memory pis = vm.parseJsonUintArray(json, ".public_inputs");
        QuireVerifier real = new QuireVerifier();
        vm.cool(address(real));
        vm.cool(address(real.GATES()));
        vm.cool(address(real.FRI()));
        uint256 g = gasleft();
        bool ok = real.verify(proof, pis);
        verifyGas = g - gasleft();
        assertTrue(ok, "the real verifier rejects its fixture");
        proofBytes = proof.length;
        // proveBatch's calldata = the double's call with the double's proof replaced.
        bytes memory doubleProof = verifier.proofFor(pis);
        uint256 tokens = withDouble.tokens;
        for (uint256 i; i < doubleProof.length; ++i) {
            tokens -= doubleProof[i] == 0 ? 1 : 4;
        }
        for (uint256 i; i < proof.length; ++i) {
            tokens += proof[i] == 0 ? 1 : 4;
        }
        uint256 standard = 4 * tokens + withDouble.execution + verifyGas;
        uint256 floor = 10 * tokens;
        charged = 21000 + (standard > floor ? standard : floor);
    }

    /// @dev The headline figures: typical transfers at the largest batch the prover service
    ///      accepts (1,024) and at the devnet shape (8), with the real verifier's cost.
    function test_Gas_transferBatch() public {
        uint256 n = 1024;
        bytes memory sample = _transfers(n, false);
        (uint256 perTransfer, Cost[3] memory c) = _measure(n, false);
        (uint256 proveReal, uint256 verifyGas, uint256 proofBytes) = _realProveCharge(c[1]);
        uint256 full = (c[0].charged + proveReal + c[2].charged) / n;
        console.log(string.concat("pubdata_bytes_per_transfer=", vm.toString(sample.length / n)));
        console.log(string.concat("l1_gas_per_transfer=", vm.toString(full)));
        console.log(
            string.concat(
                "  N=1024 with the real verifier: verify_gas=",
                vm.toString(verifyGas),
                " proof_bytes=",
                vm.toString(proofBytes),
                " prove_charged=",
                vm.toString(proveReal)
            )
        );
        console.log(string.concat("l1_gas_per_transfer_excluding_verifier=", vm.toString(perTransfer)));
        _log("typical (test verifier)", n, perTransfer, c);
        // What the rollup contract itself costs per transfer (calldata, commitments, records):
        // under the target on its own; the per-batch verification is what misses it.
        assertLe(perTransfer, 1000, "contract cost alone: <= 1000 L1 gas per transfer");
        assertGt(full, perTransfer);

        (uint256 worst, Cost[3] memory w) = _measure(n, true);
        _log("worst-case bytes (test verifier)", n, worst, w);
        assertLe(worst, 1000);

        uint256 d = 8;
        (, Cost[3] memory s) = _measure(d, false);
        (uint256 proveSmall,,) = _realProveCharge(s[1]);
        console.log(
            string.concat(
                "devnet shape N=8 l1_gas_per_transfer=", vm.toString((s[0].charged + proveSmall + s[2].charged) / d)
            )
        );
        // The batch size at which the full cost would reach 1,000 gas per transfer.
        uint256 perBatch = proveReal + 21000 * 2;
        console.log(
            string.concat(
                "transfers per batch for <= 1000 gas each (estimate): ",
                vm.toString(perBatch / (1000 > perTransfer ? 1000 - perTransfer : 1))
            )
        );
    }

    /// @dev How the per-transfer cost falls with the batch size (typical transfers).
    function test_Gas_transferBatchScaling() public {
        uint256[4] memory sizes = [uint256(32), 128, 512, 2048];
        for (uint256 i; i < sizes.length; ++i) {
            (uint256 perTransfer,) = _measure(sizes[i], false);
            console.log(string.concat("N=", vm.toString(sizes[i]), " l1_gas_per_transfer=", vm.toString(perTransfer)));
        }
    }
}
