// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {console} from "./utils/Test.sol";
import {GasMeter} from "./utils/GasMeter.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {PayoutPages} from "./utils/PayoutPages.sol";

/// @notice L1 cost of a transfer: the transactions that commit, prove and execute a batch of
///         N transfers, per transfer. Run with `npx forge test --match-test Gas -vv`.
///
/// Method. Each transaction is charged as Ethereum charges it since Pectra (EIP-7623): with
/// `tokens = zero_bytes + 4 * nonzero_bytes` of calldata,
///     gas = 21000 + max(4 * tokens + execution, 10 * tokens),
/// i.e. the classic 16/4 gas per nonzero/zero calldata byte plus execution, or the calldata
/// floor of 40/10 gas per byte, whichever is higher. `execution` is measured with `gasleft()`
/// around an external call with exactly the transaction's calldata (so it includes the
/// call's own overhead: conservative), after `vm.cool` has made the rollup's and the
/// verifier's accounts and storage cold again as at the start of a transaction; no storage
/// refund is subtracted.
///
/// Two ways to settle a batch:
/// - `commitAndProveBatch` + `executeBatch` (two transactions): what the operator uses when
///   the proof is ready before the commit. The verifier's execution then sits in the same
///   transaction as the pubdata, whose calldata is floor-priced on its own, so it absorbs the
///   floor surcharge instead of being paid on top. This is `l1_gas_per_transfer`.
/// - `commitBatch` + `proveBatch` + `executeBatch` (three transactions), for comparison.
///
/// Batches are transfers only (the pubdata a busy rollup posts), built two ways:
/// - typical: account ids below 2^20, amounts below 2^40, nonzero packed fees, so some
///   big-endian bytes are zero as in real traffic;
/// - worst case: every pubdata byte nonzero (after the type byte), which maximizes calldata
///   cost.
/// The batches are proven through the test double (TestBatchVerifier: one keccak), because
/// the real plonky2 verifier only accepts real proofs of real batches. Its cost does not
/// depend on the batch (a fixed-size proof, 24 public inputs), so the figures swap it in: the
/// real `QuireVerifier` is deployed and measured on the committed fixture proof (cold
/// accounts, the call made from this contract: it includes encoding the proof into memory,
/// which covers what the rollup pays to forward the larger proof), and the transaction that
/// verifies is charged with the real proof's calldata (the exact calldata, re-encoded with the
/// real proof) and the double's execution plus that verification (the double's own keccak is
/// not subtracted: conservative). The headline is the largest batch the prover service
/// accepts (16,384 operations: `MAX_CAPACITY` in prover/src/config.rs, the largest
/// power of two whose transfers' pubdata plus a proof fit one transaction under EIP-7825's
/// 2^24 gas cap), and the devnet shape (8 operations).
///
/// Under `--gas-report` / `--isolate` forge runs each top-level call as its own transaction
/// (intrinsic gas included), which this method already adds: the tests then log that and stop.
contract RollupGasTest is GasMeter {
    /// @dev A batch settled through commitAndProveBatch + executeBatch, with the double.
    struct Combined {
        bytes realCalldata; // commitAndProveBatch's calldata with the real proof
        uint256 pubdataBytes;
        uint256 pubdataTokens;
        Cost commitAndProve;
        Cost execute;
    }

    uint256 internal seed = 1;
    /// @dev Calldata tokens of the pubdata `_measure` committed last.
    uint256 internal lastPubdataTokens;

    /// @dev `n` transfers' pubdata, 18 bytes each, written a word at a time (each op's 18 bytes
    ///      at the top of a word, the next op overwriting the rest). The random stream is the
    ///      same as `seed = keccak256(abi.encode(seed))` per transfer.
    function _transfers(uint256 n, bool worstCase) internal returns (bytes memory pubdata) {
        uint256 s = seed;
        assembly ("memory-safe") {
            pubdata := mload(0x40)
            let len := mul(n, 18)
            mstore(pubdata, len)
            let p := add(pubdata, 0x20)
            // One spare word: the last op's store runs 14 bytes past the end.
            mstore(0x40, add(p, and(add(len, 0x3f), not(0x1f))))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(0, s)
                s := keccak256(0, 0x20)
                let op
                switch worstCase
                case 0 {
                    // type 2, from:3, to:3, token:1, amount:8, fee:2 (PubdataBuilder.transfer)
                    op := shl(136, 2)
                    op := or(op, shl(112, and(s, 0xfffff)))
                    op := or(op, shl(88, and(shr(24, s), 0xfffff)))
                    op := or(op, shl(80, mod(shr(48, s), 3)))
                    op := or(op, shl(16, add(and(shr(56, s), 0xffffffffff), 1)))
                    op := or(op, add(mod(shr(100, s), 0xffff), 1))
                    op := shl(112, op)
                }
                default {
                    // type 2, then every byte nonzero
                    op := or(
                        shl(248, 2),
                        shr(8, or(s, 0x0101010101010101010101010101010101010101010101010101010101010101))
                    )
                }
                mstore(add(p, mul(i, 18)), op)
            }
            mstore(add(p, len), 0)
        }
        seed = s;
    }

    /// @dev `executeBatch` of a batch whose payouts fit one page (transfers have none).
    function _executeCall(IRollup.StoredBatchInfo memory info, bytes memory payouts)
        internal
        pure
        returns (bytes memory)
    {
        (bytes[] memory pages, bytes32[] memory next) = PayoutPages.split(payouts);
        require(pages.length == 1, "one payout page");
        return abi.encodeCall(IRollup.executeBatch, (info, pages[0], next[0]));
    }

    /// @dev commitBatch + proveBatch + executeBatch with the double.
    function _measure(uint256 n, bool worstCase) internal returns (uint256 perTransfer, Cost[3] memory costs) {
        bytes memory pubdata = _transfers(n, worstCase);
        lastPubdataTokens = _tokens(pubdata);
        vm.recordLogs();
        vm.prank(operator);
        costs[0] = _charge(abi.encodeCall(IRollup.commitBatch, (batchInfo[tip], nextHeader(), pubdata)));
        (IRollup.StoredBatchInfo memory info, bytes memory payouts) = _committedFromLogs();
        tip += 1;
        batchInfo[tip] = info;
        costs[1] = _charge(abi.encodeCall(IRollup.proveBatch, (info, proofFor(info))));
        costs[2] = _charge(_executeCall(info, payouts));
        assertEq(uint256(rollup.totalBatchesExecuted()), uint256(tip));
        perTransfer = (costs[0].charged + costs[1].charged + costs[2].charged) / n;
    }

    /// @dev commitAndProveBatch + executeBatch with the double; keeps the calldata the real
    ///      proof would have.
    function _measureCombined(uint256 n, bool worstCase) internal returns (Combined memory m) {
        bytes memory pubdata = _transfers(n, worstCase);
        m.pubdataBytes = pubdata.length;
        m.pubdataTokens = _tokens(pubdata);
        IRollup.CommitBatchInfo memory next = nextHeader();
        IRollup.StoredBatchInfo memory last = batchInfo[tip];
        bytes memory proof = proofForNext(pubdata, next.newStateRoot, 0);
        vm.recordLogs();
        vm.prank(operator);
        m.commitAndProve = _charge(abi.encodeCall(IRollup.commitAndProveBatch, (last, next, pubdata, proof)));
        (IRollup.StoredBatchInfo memory info, bytes memory payouts) = _committedFromLogs();
        tip += 1;
        batchInfo[tip] = info;
        assertEq(uint256(rollup.totalBatchesProven()), uint256(tip));
        m.execute = _charge(_executeCall(info, payouts));
        assertEq(uint256(rollup.totalBatchesExecuted()), uint256(tip));
        _realVerifier();
        m.realCalldata = abi.encodeCall(IRollup.commitAndProveBatch, (last, next, pubdata, realProof));
    }

    /// @dev Charged gas of `proveBatch` with the real verifier and a real proof: the real
    ///      proof's calldata, the rollup's own execution around the verifier call (measured
    ///      with the double), plus one cold real verification.
    function _realProveCharge(IRollup.StoredBatchInfo memory info, Cost memory withDouble) internal returns (uint256) {
        _realVerifier();
        uint256 tokens = _tokens(abi.encodeCall(IRollup.proveBatch, (info, realProof)));
        return _price(tokens, withDouble.execution + realVerifyGas);
    }

    /// @dev Charged gas of `commitAndProveBatch` with the real verifier and a real proof.
    function _realCombinedCharge(Combined memory m) internal view returns (uint256 charged, uint256 tokens) {
        tokens = _tokens(m.realCalldata);
        charged = _price(tokens, m.commitAndProve.execution + realVerifyGas);
    }

    function _log(string memory label, uint256 n, uint256 perTransfer, Cost[3] memory c) internal view {
        console.log(string.concat(label, " N=", vm.toString(n), " l1_gas_per_transfer=", vm.toString(perTransfer)));
        string[3] memory names = ["  commit ", "  prove ", "  execute "];
        for (uint256 i; i < 3; ++i) {
            _logCost(names[i], c[i]);
        }
    }

    /// @dev Logs one combined batch with the real verifier; returns its per-transfer cost and
    ///      the combined transaction's charged gas and token count.
    function _logCombined(string memory label, uint256 n, Combined memory m)
        internal
        view
        returns (uint256 perTransfer, uint256 charged, uint256 tokens)
    {
        (charged, tokens) = _realCombinedCharge(m);
        perTransfer = (charged + m.execute.charged) / n;
        uint256 standard = 21000 + 4 * tokens + m.commitAndProve.execution + realVerifyGas;
        console.log(
            string.concat(
                label,
                " N=",
                vm.toString(n),
                " commitAndProveBatch+executeBatch l1_gas_per_transfer=",
                vm.toString(perTransfer)
            )
        );
        console.log(
            string.concat(
                "  commitAndProve calldata_bytes=",
                vm.toString(m.realCalldata.length),
                " execution=",
                vm.toString(m.commitAndProve.execution + realVerifyGas),
                " standard=",
                vm.toString(standard),
                " floor=",
                vm.toString(21000 + 10 * tokens),
                " charged=",
                vm.toString(charged),
                " gas_limit_needed=",
                vm.toString(_gasLimitNeeded(tokens, m.commitAndProve.execution))
            )
        );
        _logCost("  execute ", m.execute);
    }

    /// @dev The headline figures: typical transfers at the largest batch the prover service
    ///      accepts (16,384) and at the devnet shape (8), with the real verifier's cost.
    function test_Gas_transferBatch() public {
        if (_skipIfIsolated()) return;
        uint256 n = MAX_BATCH;
        (uint256 full, uint256 otherTokens) = _operatorPath(n);
        uint256 commitOtherTokens = _separatePath(n, full);
        _worstCase(n);
        // How many bytes of all-nonzero pubdata one transaction can carry at the floor (40 gas
        // per byte) next to the header (and the proof).
        console.log(
            string.concat(
                "max_pubdata_bytes_per_tx (all nonzero, floor-priced): commitAndProveBatch=",
                vm.toString((TX_GAS_CAP - 21000 - 10 * otherTokens) / 40),
                " commitBatch=",
                vm.toString((TX_GAS_CAP - 21000 - 10 * commitOtherTokens) / 40)
            )
        );
        _devnet(8);
    }

    /// @dev commitAndProveBatch + executeBatch at `n` typical transfers: the headline lines and
    ///      the target and EIP-7825 checks. Returns the per-transfer cost and the combined
    ///      calldata's tokens other than the pubdata's.
    function _operatorPath(uint256 n) internal returns (uint256 full, uint256 otherTokens) {
        Combined memory m = _measureCombined(n, false);
        (uint256 perTransfer, uint256 charged, uint256 tokens) = _logCombined("typical", n, m);
        full = perTransfer;
        otherTokens = tokens - m.pubdataTokens;
        console.log(string.concat("pubdata_bytes_per_transfer=", vm.toString(m.pubdataBytes / n)));
        console.log(string.concat("l1_gas_per_transfer=", vm.toString(full)));
        console.log(
            string.concat(
                "  real verifier: verify_gas=",
                vm.toString(realVerifyGas),
                " proof_bytes=",
                vm.toString(realProof.length)
            )
        );
        // Issue #8's target, at the largest batch.
        assertLe(full, 1000, "commit + prove + execute <= 1000 L1 gas per transfer");
        // EIP-7825: the combined transaction fits the 2^24 per-transaction gas cap, also with
        // the gas limit it really needs (the 63/64 reserve at the verifier call included).
        assertLe(charged, TX_GAS_CAP, "commitAndProveBatch fits EIP-7825");
        assertLe(_gasLimitNeeded(tokens, m.commitAndProve.execution), TX_GAS_CAP, "gas limit <= 2^24");
    }

    /// @dev commitBatch + proveBatch + executeBatch at `n` typical transfers, for comparison.
    ///      Returns commitBatch's calldata tokens other than the pubdata's.
    function _separatePath(uint256 n, uint256 full) internal returns (uint256 otherTokens) {
        (uint256 perTransfer, Cost[3] memory c) = _measure(n, false);
        uint256 proveReal = _realProveCharge(batchInfo[tip], c[1]);
        uint256 separate = (c[0].charged + proveReal + c[2].charged) / n;
        console.log(
            string.concat(
                "typical N=",
                vm.toString(n),
                " commitBatch+proveBatch+executeBatch l1_gas_per_transfer=",
                vm.toString(separate),
                " (prove_charged=",
                vm.toString(proveReal),
                ")"
            )
        );
        _log("typical (test verifier, excluding the real verification)", n, perTransfer, c);
        console.log(string.concat("l1_gas_per_transfer_excluding_verifier=", vm.toString(perTransfer)));
        // What the rollup contract itself costs per transfer (calldata, commitments, records).
        assertLe(perTransfer, 1000, "contract cost alone: <= 1000 L1 gas per transfer");
        assertGt(separate, perTransfer);
        assertLt(full, separate, "one transaction is cheaper than two");
        assertLe(c[0].charged, TX_GAS_CAP, "commitBatch fits EIP-7825");
        otherTokens = c[0].tokens - lastPubdataTokens;
    }

    /// @dev Worst-case bytes at `n`: the combined transaction still fits EIP-7825.
    function _worstCase(uint256 n) internal {
        Combined memory w = _measureCombined(n, true);
        (, uint256 charged, uint256 tokens) = _logCombined("worst-case bytes", n, w);
        // The operator's margin under EIP-7825's 2^24 (test/RollupWorstCase.t.sol).
        assertLe(charged, 15_000_000);
        assertLe(_gasLimitNeeded(tokens, w.commitAndProve.execution), 15_000_000, "worst case <= 15M");
        (uint256 worst, Cost[3] memory wc) = _measure(n, true);
        _log("worst-case bytes (test verifier, excluding the real verification)", n, worst, wc);
        assertLe(worst, 1000);
    }

    /// @dev The devnet shape, both paths.
    function _devnet(uint256 d) internal {
        (uint256 small,,) = _logCombined("devnet shape", d, _measureCombined(d, false));
        (, Cost[3] memory s) = _measure(d, false);
        uint256 smallSeparate = (s[0].charged + _realProveCharge(batchInfo[tip], s[1]) + s[2].charged) / d;
        console.log(
            string.concat(
                "devnet shape N=",
                vm.toString(d),
                " l1_gas_per_transfer=",
                vm.toString(small),
                " (commitBatch+proveBatch+executeBatch: ",
                vm.toString(smallSeparate),
                ")"
            )
        );
    }

    /// @dev How the per-transfer cost falls with the batch size (typical transfers): the
    ///      operator's path with the real verifier, and the contract's own cost (separate
    ///      transactions, test verifier, no real verification).
    function test_Gas_transferBatchScaling() public {
        if (_skipIfIsolated()) return;
        uint256[6] memory sizes = [uint256(32), 128, 512, 2048, 8192, MAX_BATCH];
        for (uint256 i; i < sizes.length; ++i) {
            Combined memory m = _measureCombined(sizes[i], false);
            (uint256 charged,) = _realCombinedCharge(m);
            (uint256 contractOnly,) = _measure(sizes[i], false);
            console.log(
                string.concat(
                    "N=",
                    vm.toString(sizes[i]),
                    " l1_gas_per_transfer=",
                    vm.toString((charged + m.execute.charged) / sizes[i]),
                    " excluding_verifier=",
                    vm.toString(contractOnly)
                )
            );
        }
    }
}
