// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {console} from "./utils/Test.sol";
import {RollupBase} from "./utils/RollupBase.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";

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
/// The verifier is the test double (TestBatchVerifier: one keccak): the real plonky2
/// verifier's cost (issue #7) is per batch, not per transfer, and must be added as
/// `verifier_gas / N`.
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

    /// @dev The headline figures: 1024 typical transfers.
    function test_Gas_transferBatch() public {
        uint256 n = 1024;
        (uint256 perTransfer, Cost[3] memory c) = _measure(n, false);
        console.log(string.concat("pubdata_bytes_per_transfer=", vm.toString(uint256(18))));
        console.log(string.concat("l1_gas_per_transfer=", vm.toString(perTransfer)));
        console.log("(test verifier; the plonky2 verifier's gas / N is still to be added, issue #7)");
        _log("typical", n, perTransfer, c);
        assertLe(perTransfer, 1000, "target: <= 1000 L1 gas per transfer (excluding the verifier)");

        (uint256 worst, Cost[3] memory w) = _measure(n, true);
        _log("worst-case bytes", n, worst, w);
        assertLe(worst, 1000);

        (uint256 small, Cost[3] memory s) = _measure(256, false);
        _log("typical", 256, small, s);
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
