// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {PayoutPages} from "../utils/PayoutPages.sol";
import {Vm} from "../utils/Test.sol";
import {Rollup} from "../../src/Rollup.sol";
import {IRollup} from "../../src/interfaces/IRollup.sol";
import {TestBatchVerifier} from "../mocks/TestBatchVerifier.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {PubdataBuilder as PD} from "../utils/PubdataBuilder.sol";
import {L2State} from "../utils/L2State.sol";
import {StateProof} from "../../src/lib/StateProof.sol";

/// @notice Drives the rollup through random sequences of user and operator actions while
///         keeping a ghost model of what the contract must hold and owe. The invariant test
///         (RollupInvariant.t.sol) compares the contract with the model after every call.
/// @dev The model plays an honest L2: a batch consumes the next queued priority ops (deposits
///      credited or refunded, full exits of any amount the L2 holds), mixes in transfers and
///      withdrawals that never move more than the L2 holds, and proofs are the test
///      verifier's. Batches are committed and proven separately or in one call
///      (commitAndProveBatch), are also proven with wrong proofs (which must fail), reverted,
///      executed, claimed, and exodus may start. Every priority request pays the rollup's
///      priority fee, which the model credits to the fee recipient (who claims it), and
///      requests with a wrong fee are tried too (they must fail). Every action is total: it
///      never reverts unexpectedly (fail_on_revert = true), it returns early when it does not
///      apply.
///
///      Exodus with the AMM: the batches' roots are made up, so exits need one root that is
///      a real state. `endgame` makes one: it executes what is proven, drops the rest, funds
///      and commits a batch after which the L2 holds exactly `finalState` (a real Poseidon
///      state built once here: two genesis pools, four LPs with shares and plain balances,
///      the locked shares in the bridge), executes it and starts exodus. Then `settlePool`
///      and `exitBalances` (random subsets of an LP's balances, shares included, in one
///      proof) mix with claims and reclaims; the model predicts each outcome (paid pro rata
///      against the settled snapshot, or the exact error) and credits what the contract
///      must.
contract RollupHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    bytes internal constant KEY = hex"c5ec451f0bd6916c8de7e5cec6c21e8693098a29f80c969ecff292d6e4f3fb960010af5adef1c729";
    uint256 internal constant NUM_TOKENS = 3;

    struct QueuedOp {
        bool isDeposit;
        address owner;
        uint8 token;
        uint64 amount; // L2 units (deposits)
        uint24 account; // full exits
    }

    Rollup public immutable rollup;
    TestBatchVerifier public immutable verifier;
    address public immutable operator;
    MockERC20[NUM_TOKENS] public tokens; // index 0 unused (ETH)
    uint256[NUM_TOKENS] public scales;
    address[4] public actors;
    uint256 public immutable fee;
    address public immutable feeRecipient;

    // ---- model
    QueuedOp[] internal queue;
    /// @dev Committed batches (index = batch number; 0 = genesis) and what each leaves behind.
    IRollup.StoredBatchInfo[] internal batches;
    bytes[] internal payoutsOf;
    uint256[] internal consumedAfter; // priority ops consumed through batch b
    uint64[NUM_TOKENS][] internal l2HeldAfter; // what the L2 holds (credited - paid out) after b
    mapping(uint256 => bool) public reclaimed;

    /// Expected `claimable` and `l2Supply`, by the model.
    mapping(address => mapping(uint256 => uint256)) public ghostClaimable;
    uint256[NUM_TOKENS] public ghostSupply;
    /// Money in and out, L1 units.
    uint256[NUM_TOKENS] public ghostDeposited;
    uint256[NUM_TOKENS] public ghostPaid;
    mapping(address => mapping(uint256 => uint256)) public ghostCredited;
    mapping(address => mapping(uint256 => uint256)) public ghostPaidTo;
    /// Proof bookkeeping: batches proven with the valid proof; wrong proofs accepted (must stay 0).
    mapping(uint256 => bool) public provenWithValidProof;
    uint256 public invalidProofsAccepted;
    uint256 public invalidProofsTried;
    /// commitAndProveBatch calls accepted while a committed batch was unproven (must stay 0).
    uint256 public unprovenSkipsAccepted;
    uint256 public exodusWronglyActivated;
    uint256 public doubleSpendsAccepted;
    /// Priority fees: requests queued (each paid the fee once), fees paid in, and requests
    /// accepted with a wrong `msg.value` (must stay 0).
    uint256 public paidRequests;
    uint256 public ghostFees;
    uint256 public wrongFeesAccepted;

    mapping(bytes32 => uint256) public calls;

    // ---- exodus against a real L2 state (see the contract notes)
    uint64 internal constant MAX_AMOUNT = type(uint64).max >> 1;
    uint64 internal constant MIN_LIQ = 1000;
    uint32 internal constant FIRST_LP = 5;
    L2State public finalState;
    /// @dev What `finalState` holds of each L1 token outside the bridge.
    uint64[NUM_TOKENS] internal finalHeld;
    /// @dev Genesis pools: 0 = ETH/USDC, 1 = DAI/ETH (token A's id above token B's).
    uint8[2][2] internal poolTokens;
    bool public endgameReached;
    bool[2] public poolSettled;
    /// Share payouts so far, by pool and reserve (A, B), L2 units.
    uint256[2][2] public sharePaid;
    uint256 public shareExits;
    mapping(uint32 => uint256) internal exitedBits;

    constructor(Rollup rollup_, TestBatchVerifier verifier_, address operator_, MockERC20 usdc, MockERC20 dai) {
        rollup = rollup_;
        verifier = verifier_;
        operator = operator_;
        fee = rollup_.priorityFee();
        feeRecipient = rollup_.feeRecipient();
        tokens[1] = usdc;
        tokens[2] = dai;
        scales[0] = 1e9;
        scales[1] = 1;
        scales[2] = 1e9;
        actors = [address(0xA1), address(0xA2), address(0xA3), address(0xA4)];
        batches.push(_genesis());
        payoutsOf.push("");
        consumedAfter.push(0);
        l2HeldAfter.push();
        poolTokens = [[uint8(0), uint8(1)], [uint8(2), uint8(0)]];
        _buildFinalState();
    }

    /// @dev The L2 state exits are proven against; reserves and splits chosen so that payouts
    ///      round (pool 1's reserves are tiny: one share is worth nothing, two are worth one
    ///      gwei of ETH and no DAI).
    function _buildFinalState() internal {
        L2State s = new L2State();
        s.setKeyless(0);
        s.setBalance(0, 128, MIN_LIQ);
        s.setBalance(0, 129, MIN_LIQ);
        uint64[4] memory shares0 = [uint64(1_234_567), 10_000, 3, 0];
        uint64[4] memory shares1 = [uint64(5_000), 0, 2, 1];
        uint64 supply0 = MIN_LIQ;
        uint64 supply1 = MIN_LIQ;
        for (uint256 i; i < 4; ++i) {
            uint32 a = uint32(FIRST_LP + i);
            s.setUser(a, actors[i]);
            _setHeld(s, a, 0, uint64(i + 1) * 1e9);
            _setHeld(s, a, 1, uint64(i + 1) * 1000);
            if (i != 1) _setHeld(s, a, 2, 7e9);
            if (shares0[i] != 0) s.setBalance(a, 128, shares0[i]);
            if (shares1[i] != 0) s.setBalance(a, 129, shares1[i]);
            supply0 += shares0[i];
            supply1 += shares1[i];
        }
        s.setKeyless(2);
        _setHeld(s, 2, 0, 7_000_000_007);
        _setHeld(s, 2, 1, 3_333_333_331);
        s.setBalance(2, 128, MAX_AMOUNT - supply0);
        s.setKeyless(3);
        _setHeld(s, 3, 2, 999);
        _setHeld(s, 3, 0, 5_000);
        s.setBalance(3, 129, MAX_AMOUNT - supply1);
        s.build();
        finalState = s;
    }

    function _setHeld(L2State s, uint32 account, uint8 token, uint64 amount) internal {
        s.setBalance(account, token, amount);
        finalHeld[token] += amount;
    }

    function _genesis() internal view returns (IRollup.StoredBatchInfo memory g) {
        g.timestamp = uint64(block.timestamp);
        g.stateRoot = bytes32(uint256(0x1234));
        g.payoutsHash = PayoutPages.head("");
    }

    // =================================================================== views for invariants

    function tip() public view returns (uint256) {
        return batches.length - 1;
    }

    function queueLength() external view returns (uint256) {
        return queue.length;
    }

    function numActors() external pure returns (uint256) {
        return 4;
    }

    /// @dev Everyone who can hold a claimable balance: the actors, then the fee recipient.
    function holder(uint256 i) external view returns (address) {
        return i < 4 ? actors[i] : feeRecipient;
    }

    // =================================================================== user actions

    function depositETH(uint256 actorSeed, uint256 gweiAmount) external {
        if (rollup.exodusMode()) return;
        ++calls["depositETH"];
        address a = actors[actorSeed % 4];
        uint64 amount = uint64(_bound(gweiAmount, 1, 1000e9));
        vm.deal(a, a.balance + uint256(amount) * 1e9 + fee);
        vm.prank(a);
        rollup.depositETH{value: uint256(amount) * 1e9 + fee}(KEY);
        _feePaid();
        _queued(a, 0, amount);
    }

    function depositToken(uint256 actorSeed, uint256 tokenSeed, uint256 l2Amount) external {
        if (rollup.exodusMode()) return;
        ++calls["depositToken"];
        address a = actors[actorSeed % 4];
        uint8 t = uint8(1 + tokenSeed % 2);
        uint64 amount = uint64(_bound(l2Amount, 1, 1e15));
        uint256 l1 = uint256(amount) * scales[t];
        tokens[t].mint(a, l1);
        vm.deal(a, a.balance + fee);
        vm.startPrank(a);
        tokens[t].approve(address(rollup), l1);
        rollup.depositERC20{value: fee}(address(tokens[t]), l1, KEY);
        vm.stopPrank();
        _feePaid();
        _queued(a, t, amount);
    }

    function _queued(address a, uint8 t, uint64 amount) internal {
        queue.push(QueuedOp({isDeposit: true, owner: a, token: t, amount: amount, account: 0}));
        ghostSupply[t] += amount;
        ghostDeposited[t] += uint256(amount) * scales[t];
    }

    function requestFullExit(uint256 actorSeed, uint24 account, uint256 tokenSeed) external {
        if (rollup.exodusMode()) return;
        ++calls["requestFullExit"];
        address a = actors[actorSeed % 4];
        uint8 t = uint8(tokenSeed % NUM_TOKENS);
        vm.deal(a, a.balance + fee);
        vm.prank(a);
        rollup.requestFullExit{value: fee}(account, t);
        _feePaid();
        queue.push(QueuedOp({isDeposit: false, owner: a, token: t, amount: 0, account: account}));
    }

    /// @dev The fee of one queued request: claimable by the fee recipient from now on.
    function _feePaid() internal {
        ++paidRequests;
        ghostFees += fee;
        ghostDeposited[0] += fee;
        ghostClaimable[feeRecipient][0] += fee;
        ghostCredited[feeRecipient][0] += fee;
    }

    /// @dev A request with the wrong `msg.value`: a full exit or an ERC-20 deposit paying
    ///      anything but the fee, an ETH deposit paying less than the fee. It must revert with
    ///      `PriorityFeeNotPaid` and queue nothing.
    function underpay(uint256 actorSeed, uint256 kind, uint256 value) external {
        if (rollup.exodusMode()) return;
        ++calls["underpay"];
        address a = actors[actorSeed % 4];
        kind %= 3;
        if (kind == 0) {
            if (fee == 0) return;
            value = _bound(value, 0, fee - 1);
        } else {
            value = _bound(value, 0, 2 * fee + 1);
            if (value == fee) value = fee + 1;
        }
        uint64 queued = rollup.totalPriorityOps();
        vm.deal(a, a.balance + value);
        vm.startPrank(a);
        bool ok;
        bytes memory err;
        if (kind == 0) {
            (ok, err) = address(rollup).call{value: value}(abi.encodeCall(Rollup.depositETH, (KEY)));
        } else if (kind == 1) {
            tokens[1].mint(a, 1);
            tokens[1].approve(address(rollup), 1);
            (ok, err) =
                address(rollup).call{value: value}(abi.encodeCall(Rollup.depositERC20, (address(tokens[1]), 1, KEY)));
        } else {
            (ok, err) = address(rollup).call{value: value}(abi.encodeCall(Rollup.requestFullExit, (3, 0)));
        }
        vm.stopPrank();
        if (ok) {
            ++wrongFeesAccepted;
            return;
        }
        require(bytes4(err) == IRollup.PriorityFeeNotPaid.selector, "wrong fee: wrong error");
        require(rollup.totalPriorityOps() == queued, "a refused request queued an op");
    }

    /// @dev The fee recipient claims its fees (anyone may trigger `claim`).
    function claimFees() external {
        uint256 amount = rollup.claimable(feeRecipient, 0);
        if (amount == 0) return;
        ++calls["claimFees"];
        uint256 before = feeRecipient.balance;
        rollup.claim(feeRecipient, 0);
        uint256 received = feeRecipient.balance - before;
        ghostPaid[0] += received;
        ghostPaidTo[feeRecipient][0] += received;
        ghostClaimable[feeRecipient][0] -= amount;
    }

    function claim(uint256 actorSeed, uint256 tokenSeed) external {
        address a = actors[actorSeed % 4];
        uint256 t = tokenSeed % NUM_TOKENS;
        uint256 amount = rollup.claimable(a, t);
        if (amount == 0) return;
        ++calls["claim"];
        uint256 before = t == 0 ? a.balance : tokens[t].balanceOf(a);
        vm.prank(a);
        rollup.withdraw(uint8(t));
        uint256 received = (t == 0 ? a.balance : tokens[t].balanceOf(a)) - before;
        ghostPaid[t] += received;
        ghostPaidTo[a][t] += received;
        ghostClaimable[a][t] -= amount;
        // Claiming again pays nothing.
        vm.prank(a);
        try rollup.withdraw(uint8(t)) {
            ++doubleSpendsAccepted;
        } catch {}
    }

    // =================================================================== operator actions

    /// @dev A batch on top of the model's tip, as an honest L2 would build it.
    struct Built {
        bytes pubdata;
        bytes payouts;
        uint256 first; // first priority op consumed
        uint256 k; // priority ops consumed
        uint64[NUM_TOKENS] held;
        IRollup.CommitBatchInfo info;
    }

    function _build(uint256 seed) internal view returns (Built memory bt) {
        uint256 b = tip();
        uint256 next = consumedAfter[b];
        uint256 k = _bound(seed, 0, queue.length - next);
        uint64[NUM_TOKENS] memory held = l2HeldAfter[b];
        bytes memory pubdata = PD.transfer(5, 6, 0, 1, 0);
        bytes memory payouts;
        for (uint256 i = next; i < next + k; ++i) {
            QueuedOp memory op = queue[i];
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            if (op.isDeposit) {
                bool credited = r % 5 != 0;
                pubdata = bytes.concat(pubdata, PD.deposit(credited ? 3 : 0, op.token, op.amount, credited));
                if (credited) held[op.token] += op.amount;
                else payouts = bytes.concat(payouts, PD.payout(op.owner, op.token, op.amount));
            } else {
                uint64 amount = uint64(_bound(r, 0, held[op.token]));
                if (r % 3 == 0) amount = 0; // not the owner
                held[op.token] -= amount;
                pubdata = bytes.concat(pubdata, PD.fullExit(op.account, op.token, amount, op.owner));
                if (amount > 0) payouts = bytes.concat(payouts, PD.payout(op.owner, op.token, amount));
            }
            // L2 traffic in between: a withdrawal of part of what the L2 holds.
            uint8 t = uint8((r >> 64) % NUM_TOKENS);
            if ((r >> 72) % 2 == 0 && held[t] > 0) {
                uint64 w = uint64(_bound(r >> 80, 1, held[t]));
                held[t] -= w;
                address to = actors[(r >> 160) % 4];
                pubdata = bytes.concat(pubdata, PD.withdraw(7, t, w, 1, to));
                payouts = bytes.concat(payouts, PD.payout(to, t, w));
            } else {
                pubdata = bytes.concat(pubdata, PD.swap(7, 2, 0, 1, 1, 0));
            }
        }
        bt.pubdata = pubdata;
        bt.payouts = payouts;
        bt.first = next;
        bt.k = k;
        bt.held = held;
        bt.info = IRollup.CommitBatchInfo({
            batchNumber: uint64(b + 1),
            timestamp: uint64(block.timestamp),
            newStateRoot: bytes32(
                uint256(keccak256(abi.encode(seed, b)))
                    & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
            )
        });
    }

    /// @dev Checks the batch the contract emitted against the model and appends it.
    function _record(Built memory bt) internal returns (uint256 n) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        IRollup.StoredBatchInfo memory stored;
        bytes memory emitted;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IRollup.BatchCommitted.selector) {
                (, stored, emitted) = abi.decode(logs[i].data, (bytes32, IRollup.StoredBatchInfo, bytes));
            }
        }
        require(keccak256(emitted) == keccak256(bt.payouts), "payouts differ from the model");
        require(stored.priorityOpsCount == bt.k && stored.firstPriorityId == bt.first, "priority ops");
        batches.push(stored);
        payoutsOf.push(bt.payouts);
        consumedAfter.push(bt.first + bt.k);
        l2HeldAfter.push(bt.held);
        n = batches.length - 1;
    }

    function commitBatch(uint256 seed) external {
        if (rollup.exodusMode()) return;
        ++calls["commitBatch"];
        Built memory bt = _build(seed);
        vm.recordLogs();
        vm.prank(operator);
        rollup.commitBatch(batches[tip()], bt.info, bt.pubdata);
        _record(bt);
    }

    /// @dev The one-transaction path: commit and prove with the proof computed from the model
    ///      (roots, keccak of the pubdata, fold of the consumed queued ops' hashes). A wrong
    ///      proof must revert and commit nothing; with a committed batch still unproven the
    ///      call must revert with UnprovenBatchesPending.
    function commitAndProveBatch(uint256 seed, bool valid) external {
        if (rollup.exodusMode()) return;
        ++calls["commitAndProveBatch"];
        Built memory bt = _build(seed);
        IRollup.StoredBatchInfo memory b;
        b.prevStateRoot = batches[tip()].stateRoot;
        b.stateRoot = bt.info.newStateRoot;
        b.pubdataCommitment = keccak256(bt.pubdata);
        for (uint256 i = bt.first; i < bt.first + bt.k; ++i) {
            (IRollup.PriorityOp memory op,) = rollup.priorityOp(uint64(i));
            b.priorityCommitment = keccak256(abi.encodePacked(b.priorityCommitment, op.opHash));
        }
        bytes memory proof = verifier.proofFor(rollup.batchPublicInputs(b));
        if (!valid) proof[0] ^= 0x80;
        bool pending = rollup.totalBatchesProven() != tip();
        uint256 committed = rollup.totalBatchesCommitted();
        if (pending || !valid) {
            if (!valid) ++invalidProofsTried;
            vm.prank(operator);
            try rollup.commitAndProveBatch(batches[tip()], bt.info, bt.pubdata, proof) {
                if (!valid) ++invalidProofsAccepted;
                if (pending) ++unprovenSkipsAccepted;
                return;
            } catch (bytes memory err) {
                if (pending) require(bytes4(err) == IRollup.UnprovenBatchesPending.selector, "pending: wrong error");
                else require(bytes4(err) == IRollup.InvalidProof.selector, "invalid proof: wrong error");
            }
            require(rollup.totalBatchesCommitted() == committed, "a failed commitAndProve committed");
            return;
        }
        vm.recordLogs();
        vm.prank(operator);
        rollup.commitAndProveBatch(batches[tip()], bt.info, bt.pubdata, proof);
        uint256 n = _record(bt);
        require(rollup.totalBatchesProven() == n, "proven with the commit");
        provenWithValidProof[n] = true;
    }

    function proveBatch(bool valid) external {
        if (rollup.exodusMode()) return;
        uint256 n = uint256(rollup.totalBatchesProven()) + 1;
        if (n > tip()) return;
        ++calls["proveBatch"];
        IRollup.StoredBatchInfo memory b = batches[n];
        bytes memory proof = verifier.proofFor(rollup.batchPublicInputs(b));
        if (!valid) {
            ++invalidProofsTried;
            proof[0] ^= 0x80;
            try rollup.proveBatch(b, proof) {
                ++invalidProofsAccepted;
            } catch {}
            return;
        }
        rollup.proveBatch(b, proof);
        provenWithValidProof[n] = true;
    }

    /// @dev Also in exodus: batches proven before it still execute.
    function executeBatch() external {
        uint256 n = uint256(rollup.totalBatchesExecuted()) + 1;
        if (n > rollup.totalBatchesProven()) return;
        ++calls["executeBatch"];
        bytes memory payouts = payoutsOf[n];
        PayoutPages.executeAll(rollup, batches[n], payouts);
        for (uint256 p; p < payouts.length; p += 29) {
            address to;
            uint256 t;
            uint256 amount;
            assembly {
                let w := mload(add(add(payouts, 0x20), p))
                to := shr(96, w)
                t := byte(20, w)
                amount := and(shr(24, w), 0xffffffffffffffff)
            }
            _credit(to, t, amount);
        }
    }

    function revertBatches(uint256 seed) external {
        if (rollup.exodusMode()) return;
        uint256 proven = rollup.totalBatchesProven();
        if (proven >= tip()) return;
        ++calls["revertBatches"];
        uint256 keep = _bound(seed, proven, tip() - 1);
        vm.prank(operator);
        rollup.revertBatches(uint64(keep));
        while (tip() > keep) {
            batches.pop();
            payoutsOf.pop();
            consumedAfter.pop();
            l2HeldAfter.pop();
        }
    }

    // =================================================================== time and exodus

    function warp(uint256 secondsAhead) external {
        ++calls["warp"];
        vm.warp(block.timestamp + _bound(secondsAhead, 1, 1 days));
    }

    function activateExodus() external {
        if (rollup.exodusMode()) return;
        ++calls["activateExodus"];
        uint64 oldest = rollup.totalPriorityOpsExecuted();
        bool expired;
        if (oldest < rollup.totalPriorityOps()) {
            (, uint64 deadline) = rollup.priorityOp(oldest);
            expired = block.timestamp > deadline;
        }
        try rollup.activateExodusMode() {
            if (!expired) ++exodusWronglyActivated;
        } catch {}
    }

    function reclaimDeposit(uint256 idSeed) external {
        if (!rollup.exodusMode() || queue.length == 0) return;
        ++calls["reclaimDeposit"];
        uint256 id = idSeed % queue.length;
        QueuedOp memory op = queue[id];
        // Reclaims wait until every batch proven before exodus is executed.
        bool pending = op.isDeposit && id >= rollup.totalPriorityOpsExecuted() && !reclaimed[id]
            && rollup.totalBatchesExecuted() == rollup.totalBatchesProven();
        try rollup.reclaimDeposit(uint64(id)) {
            if (!pending) ++doubleSpendsAccepted;
            reclaimed[id] = true;
            _credit(op.owner, op.token, op.amount);
        } catch {
            require(!pending, "pending deposit not reclaimable");
        }
    }

    // =================================================================== exodus with the AMM

    /// @dev Makes the last executed root `finalState`'s and starts exodus (see the notes).
    function endgame(uint256 seed) external {
        // Half the calls pass: the exits after it hash Merkle paths (~2M gas each), and the
        // runs that reach exodus otherwise keep theirs.
        if (rollup.exodusMode() || seed % 2 == 1) return;
        ++calls["endgame"];
        while (rollup.totalBatchesExecuted() < rollup.totalBatchesProven()) {
            this.executeBatch();
        }
        uint256 proven = rollup.totalBatchesProven();
        if (tip() > proven) {
            vm.prank(operator);
            rollup.revertBatches(uint64(proven));
            while (tip() > proven) {
                batches.pop();
                payoutsOf.pop();
                consumedAfter.pop();
                l2HeldAfter.pop();
            }
        }
        // Fund what the final state holds, then one batch consumes every queued request
        // (deposits credited, full exits paying nothing) and withdraws the rest.
        address funder = actors[seed % 4];
        _depositExactly(funder, 0, finalHeld[0]);
        _depositExactly(funder, 1, finalHeld[1]);
        _depositExactly(funder, 2, finalHeld[2]);
        Built memory bt;
        uint256 b = tip();
        bt.first = consumedAfter[b];
        bt.k = queue.length - bt.first;
        bt.held = l2HeldAfter[b];
        for (uint256 i = bt.first; i < queue.length; ++i) {
            QueuedOp memory op = queue[i];
            if (op.isDeposit) {
                bt.pubdata = bytes.concat(bt.pubdata, PD.deposit(3, op.token, op.amount, true));
                bt.held[op.token] += op.amount;
            } else {
                bt.pubdata = bytes.concat(bt.pubdata, PD.fullExit(op.account, op.token, 0, op.owner));
            }
        }
        for (uint256 t; t < NUM_TOKENS; ++t) {
            uint64 excess = bt.held[t] - finalHeld[t];
            if (excess == 0) continue;
            address to = actors[(seed >> (8 * (t + 1))) % 4];
            bt.pubdata = bytes.concat(bt.pubdata, PD.withdraw(7, uint8(t), excess, 1, to));
            bt.payouts = bytes.concat(bt.payouts, PD.payout(to, uint8(t), excess));
            bt.held[t] = finalHeld[t];
        }
        bt.info = IRollup.CommitBatchInfo({
            batchNumber: uint64(b + 1), timestamp: uint64(block.timestamp), newStateRoot: finalState.root()
        });
        vm.recordLogs();
        vm.prank(operator);
        rollup.commitBatch(batches[b], bt.info, bt.pubdata);
        uint256 n = _record(bt);
        this.proveBatch(true);
        require(provenWithValidProof[n], "endgame batch proven");
        this.executeBatch();
        require(rollup.totalBatchesExecuted() == n, "endgame batch executed");
        // The operator stops: a request expires and exodus starts on this root.
        _depositExactly(funder, 0, 1);
        vm.warp(block.timestamp + rollup.priorityDeadline() + 1);
        rollup.activateExodusMode();
        endgameReached = true;
    }

    /// @dev A deposit of exactly `amount` L2 units of `t`, modelled as the user actions are.
    function _depositExactly(address a, uint8 t, uint64 amount) internal {
        uint256 l1 = uint256(amount) * scales[t];
        if (t == 0) {
            vm.deal(a, a.balance + l1 + fee);
            vm.prank(a);
            rollup.depositETH{value: l1 + fee}(KEY);
        } else {
            tokens[t].mint(a, l1);
            vm.deal(a, a.balance + fee);
            vm.startPrank(a);
            tokens[t].approve(address(rollup), l1);
            rollup.depositERC20{value: fee}(address(tokens[t]), l1, KEY);
            vm.stopPrank();
        }
        _feePaid();
        _queued(a, t, amount);
    }

    function _settleProof(uint256 pool) internal view returns (StateProof.AccountProof memory) {
        uint8[] memory toks = new uint8[](3);
        (uint8 a, uint8 b) = (poolTokens[pool][0], poolTokens[pool][1]);
        (toks[0], toks[1]) = a < b ? (a, b) : (b, a);
        toks[2] = uint8(128 + pool);
        return finalState.proof(uint32(2 + pool), toks);
    }

    /// @dev Anyone settles a pool; a second settlement must fail.
    function settlePool(uint256 poolSeed) external {
        if (!endgameReached) return;
        ++calls["settlePool"];
        uint256 pool = poolSeed % 2;
        StateProof.AccountProof memory p = _settleProof(pool);
        IRollup.StoredBatchInfo memory last = batches[tip()];
        if (poolSettled[pool]) {
            try rollup.settlePool(last, p) {
                ++doubleSpendsAccepted;
            } catch (bytes memory err) {
                require(bytes4(err) == IRollup.PoolAlreadySettled.selector, "settle twice: wrong error");
            }
            return;
        }
        rollup.settlePool(last, p);
        poolSettled[pool] = true;
    }

    /// @dev LP `actorSeed` exits a random nonempty subset of its balances in one proof. The
    ///      model predicts the first error the contract must report, else credits each plain
    ///      balance and each share balance's floor(shares · reserve / supply).
    function exitBalances(uint256 actorSeed, uint256 subsetSeed) external {
        if (!endgameReached) return;
        ++calls["exitBalances"];
        uint32 account = uint32(FIRST_LP + actorSeed % 4);
        uint8[] memory held = finalState.tokens(account);
        uint256 pick = 1 + subsetSeed % ((1 << held.length) - 1);
        uint256 count;
        for (uint256 i; i < held.length; ++i) {
            if (pick >> i & 1 == 1) ++count;
        }
        uint8[] memory toks = new uint8[](count);
        count = 0;
        for (uint256 i; i < held.length; ++i) {
            if (pick >> i & 1 == 1) toks[count++] = held[i];
        }
        StateProof.AccountProof memory p = finalState.proof(account, toks);
        (bytes4 expected, uint256 mask) = _predictExit(p);
        try rollup.exit(batches[tip()], p) {
            require(expected == bytes4(0), "an exit the model refuses was paid");
        } catch (bytes memory err) {
            require(expected != bytes4(0) && bytes4(err) == expected, "exit: wrong error");
            return;
        }
        exitedBits[account] |= mask;
        address owner = p.owner;
        for (uint256 i; i < toks.length; ++i) {
            uint8 t = toks[i];
            uint64 balance = p.balances[i].balance;
            if (t < 128) {
                _credit(owner, t, balance);
                continue;
            }
            (uint256 a, uint256 b) = _sharePayout(t - 128, balance);
            uint8[2] memory pt = poolTokens[t - 128];
            if (a != 0) _credit(owner, pt[0], a);
            if (b != 0) _credit(owner, pt[1], b);
            sharePaid[t - 128][0] += a;
            sharePaid[t - 128][1] += b;
            ++shareExits;
        }
    }

    /// @dev The contract's order of checks: already exited, then per opening unsettled pool
    ///      or a payout of zero in both reserves.
    function _predictExit(StateProof.AccountProof memory p) internal view returns (bytes4, uint256 mask) {
        for (uint256 i; i < p.balances.length; ++i) {
            mask |= uint256(1) << p.balances[i].token;
        }
        if (exitedBits[p.accountId] & mask != 0) return (IRollup.AlreadyExited.selector, mask);
        for (uint256 i; i < p.balances.length; ++i) {
            uint8 t = p.balances[i].token;
            if (t < 128) continue;
            if (!poolSettled[t - 128]) return (IRollup.PoolNotSettled.selector, mask);
            (uint256 a, uint256 b) = _sharePayout(t - 128, p.balances[i].balance);
            if (a == 0 && b == 0) return (IRollup.ZeroOutput.selector, mask);
        }
        return (bytes4(0), mask);
    }

    /// @dev RemoveLiquidity's payout against the pool's state in `finalState`.
    function _sharePayout(uint256 pool, uint64 shares) internal view returns (uint256 a, uint256 b) {
        uint32 account = uint32(2 + pool);
        uint256 supply = MAX_AMOUNT - finalState.balanceOf(account, uint8(128 + pool));
        a = uint256(shares) * finalState.balanceOf(account, poolTokens[pool][0]) / supply;
        b = uint256(shares) * finalState.balanceOf(account, poolTokens[pool][1]) / supply;
    }

    /// @dev Keyless accounts (the bridge, the pools) never exit.
    function exitKeyless(uint256 seed) external {
        if (!endgameReached) return;
        ++calls["exitKeyless"];
        uint32 account = [uint32(0), 2, 3][seed % 3];
        uint8[] memory held = finalState.tokens(account);
        StateProof.AccountProof memory p = finalState.proof(account, held);
        try rollup.exit(batches[tip()], p) {
            ++doubleSpendsAccepted;
        } catch (bytes memory err) {
            require(bytes4(err) == IRollup.InvalidExit.selector, "keyless exit: wrong error");
        }
    }

    /// @dev Pool `pool`'s reserves in the final state (for the invariant on share payouts).
    function finalReserves(uint256 pool) external view returns (uint256 a, uint256 b) {
        a = finalState.balanceOf(uint32(2 + pool), poolTokens[pool][0]);
        b = finalState.balanceOf(uint32(2 + pool), poolTokens[pool][1]);
    }

    // =================================================================== helpers

    function _credit(address to, uint256 t, uint256 amount) internal {
        ghostSupply[t] -= amount;
        ghostClaimable[to][t] += amount * scales[t];
        ghostCredited[to][t] += amount * scales[t];
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        return min + x % (max - min + 1);
    }
}
