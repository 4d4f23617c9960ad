// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {console} from "./utils/Test.sol";
import {RollupBase} from "./utils/RollupBase.sol";
import {IRollup} from "../src/interfaces/IRollup.sol";
import {QuireVerifier} from "../src/verifier/QuireVerifier.sol";

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
/// accepts (16,384 operations: `MAX_CAPACITY` in prover/src/service/config.rs, the largest
/// power of two whose transfers' pubdata plus a proof fit one transaction under EIP-7825's
/// 2^24 gas cap), and the devnet shape (8 operations).
///
/// Under `--gas-report` / `--isolate` forge runs each top-level call as its own transaction
/// (intrinsic gas included), which this method already adds: the tests then log that and stop.
contract RollupGasTest is RollupBase {
    /// @dev The prover service's largest batch (prover/src/service/config.rs MAX_CAPACITY).
    uint256 internal constant MAX_BATCH = 16_384;
    /// @dev EIP-7825: no transaction may have a gas limit above 2^24.
    uint256 internal constant TX_GAS_CAP = 1 << 24;

    struct Cost {
        uint256 calldataBytes;
        uint256 tokens;
        uint256 execution;
        uint256 charged;
    }

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

    // Real verifier, measured once per test.
    bytes internal realProof;
    uint256 internal realVerifyGas;

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

    /// @dev EIP-7623 tokens of `data`: zero bytes count 1, nonzero bytes 4.
    function _tokens(bytes memory data) internal pure returns (uint256 tokens) {
        assembly ("memory-safe") {
            let p := add(data, 0x20)
            let len := mload(data)
            let zeros := 0
            for { let i := 0 } lt(i, len) { i := add(i, 1) } {
                zeros := add(zeros, iszero(byte(0, mload(add(p, i)))))
            }
            tokens := sub(mul(4, len), mul(3, zeros))
        }
    }

    function _price(uint256 tokens, uint256 execution) internal pure returns (uint256) {
        uint256 standard = 4 * tokens + execution;
        uint256 floor = 10 * tokens;
        return 21000 + (standard > floor ? standard : floor);
    }

    function _charge(bytes memory data) internal returns (Cost memory c) {
        c.calldataBytes = data.length;
        c.tokens = _tokens(data);
        // Each measured call is its own L1 transaction: start from cold accounts and slots.
        vm.cool(address(rollup));
        vm.cool(address(verifier));
        // The call straight from `data` in memory: a Solidity `.call(data)` would first copy
        // the calldata to fresh memory inside the measured span, and this contract's memory
        // (several large batches) makes that copy cost more with every measurement.
        address target = address(rollup);
        bool ok;
        uint256 g = gasleft();
        assembly ("memory-safe") {
            ok := call(gas(), target, 0, add(data, 0x20), mload(data), 0, 0)
        }
        c.execution = g - gasleft();
        require(ok, "call failed");
        c.charged = _price(c.tokens, c.execution);
    }

    /// @dev Whether forge runs top-level calls as separate transactions (`--isolate`, which
    ///      `--gas-report` turns on): a measured call then also carries its transaction's
    ///      intrinsic gas, and the figures here would count it twice.
    function _isolated() internal returns (bool) {
        bytes memory data = abi.encodeWithSignature("tokenCount()");
        address target = address(rollup);
        uint256 g = gasleft();
        assembly ("memory-safe") {
            pop(call(gas(), target, 0, add(data, 0x20), mload(data), 0, 0))
        }
        return g - gasleft() >= 21000;
    }

    function _skipIfIsolated() internal returns (bool skip) {
        skip = _isolated();
        if (skip) {
            console.log(
                "isolation mode (--isolate / --gas-report): not measured; run `npx forge test --match-test Gas -vv`"
            );
        }
    }

    function _nextHeader() internal view returns (IRollup.CommitBatchInfo memory) {
        return IRollup.CommitBatchInfo({
            batchNumber: tip + 1, timestamp: uint64(block.timestamp), newStateRoot: root(tip + 1)
        });
    }

    /// @dev commitBatch + proveBatch + executeBatch with the double.
    function _measure(uint256 n, bool worstCase) internal returns (uint256 perTransfer, Cost[3] memory costs) {
        bytes memory pubdata = _transfers(n, worstCase);
        lastPubdataTokens = _tokens(pubdata);
        vm.recordLogs();
        vm.prank(operator);
        costs[0] = _charge(abi.encodeCall(IRollup.commitBatch, (batchInfo[tip], _nextHeader(), pubdata)));
        (IRollup.StoredBatchInfo memory info, bytes memory payouts) = _committedFromLogs();
        tip += 1;
        batchInfo[tip] = info;
        costs[1] = _charge(abi.encodeCall(IRollup.proveBatch, (info, proofFor(info))));
        costs[2] = _charge(abi.encodeCall(IRollup.executeBatch, (info, payouts)));
        assertEq(uint256(rollup.totalBatchesExecuted()), uint256(tip));
        perTransfer = (costs[0].charged + costs[1].charged + costs[2].charged) / n;
    }

    /// @dev commitAndProveBatch + executeBatch with the double; keeps the calldata the real
    ///      proof would have.
    function _measureCombined(uint256 n, bool worstCase) internal returns (Combined memory m) {
        bytes memory pubdata = _transfers(n, worstCase);
        m.pubdataBytes = pubdata.length;
        m.pubdataTokens = _tokens(pubdata);
        IRollup.CommitBatchInfo memory next = _nextHeader();
        IRollup.StoredBatchInfo memory last = batchInfo[tip];
        bytes memory proof = proofForNext(pubdata, next.newStateRoot, 0);
        vm.recordLogs();
        vm.prank(operator);
        m.commitAndProve = _charge(abi.encodeCall(IRollup.commitAndProveBatch, (last, next, pubdata, proof)));
        (IRollup.StoredBatchInfo memory info, bytes memory payouts) = _committedFromLogs();
        tip += 1;
        batchInfo[tip] = info;
        assertEq(uint256(rollup.totalBatchesProven()), uint256(tip));
        m.execute = _charge(abi.encodeCall(IRollup.executeBatch, (info, payouts)));
        assertEq(uint256(rollup.totalBatchesExecuted()), uint256(tip));
        _realVerifier();
        m.realCalldata = abi.encodeCall(IRollup.commitAndProveBatch, (last, next, pubdata, realProof));
    }

    /// @dev Deploys the real verifier and measures one cold verification of the fixture proof.
    function _realVerifier() internal {
        if (realVerifyGas != 0) return;
        string memory json = vm.readFile("test/fixtures/verifier/proof_0.json");
        bytes memory proof = vm.parseJsonBytes(json, ".proof");
        uint256[] memory pis = vm.parseJsonUintArray(json, ".public_inputs");
        QuireVerifier real = new QuireVerifier();
        vm.cool(address(real));
        vm.cool(address(real.GATES()));
        vm.cool(address(real.FRI()));
        uint256 g = gasleft();
        bool ok = real.verify(proof, pis);
        realVerifyGas = g - gasleft();
        assertTrue(ok, "the real verifier rejects its fixture");
        realProof = proof;
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

    /// @dev The gas limit the transaction needs: at the verifier call, 63/64 of what is left
    ///      must cover the verification (EIP-150), so the limit exceeds the gas used by about
    ///      a 63rd of it; under floor pricing the limit must cover the floor as well.
    function _gasLimitNeeded(uint256 tokens, uint256 execution) internal view returns (uint256) {
        uint256 standard = 21000 + 4 * tokens + execution + realVerifyGas + realVerifyGas / 63 + 1;
        uint256 floor = 21000 + 10 * tokens;
        return standard > floor ? standard : floor;
    }

    function _log(string memory label, uint256 n, uint256 perTransfer, Cost[3] memory c) internal view {
        console.log(string.concat(label, " N=", vm.toString(n), " l1_gas_per_transfer=", vm.toString(perTransfer)));
        string[3] memory names = ["  commit ", "  prove ", "  execute "];
        for (uint256 i; i < 3; ++i) {
            _logCost(names[i], c[i]);
        }
    }

    function _logCost(string memory name, Cost memory c) internal view {
        console.log(
            string.concat(
                name,
                "calldata_bytes=",
                vm.toString(c.calldataBytes),
                " execution=",
                vm.toString(c.execution),
                " floor=",
                vm.toString(21000 + 10 * c.tokens),
                " charged=",
                vm.toString(c.charged)
            )
        );
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
        assertLe(charged, TX_GAS_CAP);
        assertLe(_gasLimitNeeded(tokens, w.commitAndProve.execution), TX_GAS_CAP, "worst case <= 2^24");
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
