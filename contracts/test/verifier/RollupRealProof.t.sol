// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {PayoutPages} from "../utils/PayoutPages.sol";
import {Test, Vm} from "../utils/Test.sol";
import {Rollup} from "../../src/Rollup.sol";
import {IRollup} from "../../src/interfaces/IRollup.sol";
import {IBatchVerifier} from "../../src/interfaces/IBatchVerifier.sol";
import {QuireVerifier} from "../../src/verifier/QuireVerifier.sol";

/// @notice The real Rollup with the real generated verifier on a real batch proof
///         (`quire-prover export-verifier --fixtures` writes test/fixtures/verifier/rollup_batch.json:
///         the devnet circuits, a batch with one full exit). `proveBatch` forwards the stored
///         batch's D9 public inputs (`batchPublicInputs`) to the verifier, so acceptance means
///         the prover's 24 public inputs and the contract's layout agree.
contract RollupRealProofTest is Test {
    address internal gov = address(0x60);
    address internal operator = address(0x0B);

    Rollup internal rollup;
    string internal json;
    bytes internal proof;

    function setUp() public {
        vm.warp(1_700_000_000);
        json = vm.readFile("test/fixtures/verifier/rollup_batch.json");
        proof = vm.parseJsonBytes(json, ".proof");
        QuireVerifier v = new QuireVerifier();
        // No priority fee here (the free queue of test deployments): this suite is about the proof.
        rollup = new Rollup(
            gov,
            IBatchVerifier(address(v)),
            vm.parseJsonBytes32(json, ".genesis_root"),
            3 days,
            0,
            address(0xFEE),
            new IRollup.GenesisPool[](0)
        );
        vm.prank(gov);
        rollup.setOperator(operator, true);
    }

    function _genesis() internal view returns (IRollup.StoredBatchInfo memory) {
        return IRollup.StoredBatchInfo({
            batchNumber: 0,
            timestamp: uint64(block.timestamp),
            firstPriorityId: 0,
            priorityOpsCount: 0,
            prevStateRoot: bytes32(0),
            stateRoot: vm.parseJsonBytes32(json, ".genesis_root"),
            pubdataCommitment: bytes32(0),
            priorityCommitment: bytes32(0),
            payoutsHash: PayoutPages.head("")
        });
    }

    /// Queues the full exit of `account` by the fixture's requester, commits `pubdata` with
    /// `newRoot` and returns the batch as the contract stored it.
    function _commit(uint256 account, bytes memory pubdata, bytes32 newRoot)
        internal
        returns (IRollup.StoredBatchInfo memory info)
    {
        vm.prank(vm.parseJsonAddress(json, ".requester"));
        // forge-lint: disable-next-line(unsafe-typecast) -- fixture ids are small
        rollup.requestFullExit(uint32(account), 0);
        IRollup.CommitBatchInfo memory next =
            IRollup.CommitBatchInfo({batchNumber: 1, timestamp: uint64(block.timestamp), newStateRoot: newRoot});
        vm.recordLogs();
        vm.prank(operator);
        rollup.commitBatch(_genesis(), next, pubdata);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IRollup.BatchCommitted.selector) {
                (, info,) = abi.decode(logs[i].data, (bytes32, IRollup.StoredBatchInfo, bytes));
                return info;
            }
        }
        revert("no BatchCommitted event");
    }

    function _commitFixture() internal returns (IRollup.StoredBatchInfo memory) {
        return _commit(
            vm.parseJsonUint(json, ".account"),
            vm.parseJsonBytes(json, ".pubdata"),
            vm.parseJsonBytes32(json, ".new_root")
        );
    }

    function test_realProof_provesTheCommittedBatch() public {
        IRollup.StoredBatchInfo memory info = _commitFixture();
        uint256[] memory pis = rollup.batchPublicInputs(info);
        uint256[] memory expected = vm.parseJsonUintArray(json, ".public_inputs");
        assertEq(pis.length, 24);
        for (uint256 i; i < 24; ++i) {
            assertEq(pis[i], expected[i], string.concat("public input ", vm.toString(i)));
        }
        rollup.proveBatch(info, proof);
        assertEq(uint256(rollup.totalBatchesProven()), 1);
    }

    function test_realProof_flippedBitReverts() public {
        IRollup.StoredBatchInfo memory info = _commitFixture();
        bytes memory bad = proof;
        bad[bad.length / 2] ^= 0x01;
        vm.expectRevert(IRollup.InvalidProof.selector);
        rollup.proveBatch(info, bad);
        bad = proof;
        bad[100] ^= 0x80;
        vm.expectRevert(IRollup.InvalidProof.selector);
        rollup.proveBatch(info, bad);
    }

    /// The fixture batch's full exit queued and its header, for `commitAndProveBatch`.
    function _queueFixtureExit() internal returns (IRollup.CommitBatchInfo memory next, bytes memory pubdata) {
        uint256 account = vm.parseJsonUint(json, ".account");
        vm.prank(vm.parseJsonAddress(json, ".requester"));
        // forge-lint: disable-next-line(unsafe-typecast) -- fixture ids are small
        rollup.requestFullExit(uint32(account), 0);
        next = IRollup.CommitBatchInfo({
            batchNumber: 1, timestamp: uint64(block.timestamp), newStateRoot: vm.parseJsonBytes32(json, ".new_root")
        });
        pubdata = vm.parseJsonBytes(json, ".pubdata");
    }

    /// The one-transaction path with the real verifier: committed and proven together.
    function test_realProof_commitAndProveBatch() public {
        (IRollup.CommitBatchInfo memory next, bytes memory pubdata) = _queueFixtureExit();
        vm.prank(operator);
        rollup.commitAndProveBatch(_genesis(), next, pubdata, proof);
        assertEq(uint256(rollup.totalBatchesCommitted()), 1);
        assertEq(uint256(rollup.totalBatchesProven()), 1);
    }

    /// A real proof with one bit flipped: the combined call reverts and commits nothing.
    function test_realProof_commitAndProveBatchFlippedBitCommitsNothing() public {
        (IRollup.CommitBatchInfo memory next, bytes memory pubdata) = _queueFixtureExit();
        bytes memory bad = proof;
        bad[bad.length / 2] ^= 0x01;
        vm.expectRevert(IRollup.InvalidProof.selector);
        vm.prank(operator);
        rollup.commitAndProveBatch(_genesis(), next, pubdata, bad);
        assertEq(uint256(rollup.totalBatchesCommitted()), 0);
        assertEq(rollup.storedBatchHash(1), bytes32(0));
    }

    /// The same proof against another committed batch (a full exit of another account).
    function test_realProof_otherBatchReverts() public {
        IRollup.StoredBatchInfo memory info = _commit(
            vm.parseJsonUint(json, ".other_account"),
            vm.parseJsonBytes(json, ".other_pubdata"),
            vm.parseJsonBytes32(json, ".other_new_root")
        );
        vm.expectRevert(IRollup.InvalidProof.selector);
        rollup.proveBatch(info, proof);
        assertEq(uint256(rollup.totalBatchesProven()), 0);
    }
}
