// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {IRollup} from "./interfaces/IRollup.sol";
import {IBatchVerifier} from "./interfaces/IBatchVerifier.sol";
import {BalanceProofVerifier} from "./BalanceProofVerifier.sol";
import {EcGFp5} from "./lib/EcGFp5.sol";
import {Poseidon} from "./lib/Poseidon.sol";
import {PriorityOps} from "./lib/PriorityOps.sol";
import {Pubdata} from "./lib/Pubdata.sol";
import {SafeTransfer} from "./lib/SafeTransfer.sol";
import {StateProof} from "./lib/StateProof.sol";
import {ReentrancyGuard} from "./utils/ReentrancyGuard.sol";
import {Roles} from "./utils/Roles.sol";

/// @title Rollup
/// @notice Quire's settlement contract: token registry, deposits and full-exit requests in a
///         priority queue (each paying a flat `priorityFee` to the operator), the batch
///         pipeline commit → prove → execute, pull-pattern claims, and exodus mode with
///         on-chain Merkle exits.
///
/// @dev Invariants (tested in test/invariant/RollupInvariant.t.sol):
///      - Solvency: for every token, the contract holds at least
///        `totalClaimable × 1 + l2Supply × scale`, where `l2Supply` (L2 units) counts every
///        queued deposit (pending or credited) minus every payout and reclaim. It is also the
///        D1 supply cap: `l2Supply <= 2^63 - 1`, so the L2 never has to refund a deposit for
///        reaching its cap (it counts credited deposits only, which are fewer). Priority fees
///        are credited to `feeRecipient` when paid, so they are part of `totalClaimable`.
///      - Ordering: executed <= proven <= committed; a batch is proven only with a proof the
///        verifier accepts for its 24 public inputs, and executed only after; both in order.
///      - Single payment: a payout record is credited once (its batch executes once); a
///        claim zeroes the balance before paying; a pending deposit is reclaimed once (its
///        amount is zeroed) and each (account, token) exits once (bitmap), share tokens
///        included; a pool is settled once.
///
///      Batch lifecycle (decision D9 for what the proof binds):
///      - `commitBatch` (operator): checks the header, hashes the pubdata, walks it op by op
///        (sizes from the layout table), matches every Deposit/FullExit against the next
///        queued priority op (token and amount; account, token and owner) while folding the
///        queued hashes into the priority commitment, and collects the payout records
///        (Withdraw, nonzero FullExit, refunded Deposit). It stores one hash of all of it. At
///        most `MAX_PRIORITY_OPS_PER_BATCH` priority operations per batch.
///      - `proveBatch` (anyone): the verifier must accept the proof for (old root, new root,
///        pubdata commitment, priority commitment).
///      - `commitAndProveBatch` (operator): both in one transaction when the proof is ready
///        before the commit and nothing committed is unproven; the verifier's execution then
///        absorbs the commit's EIP-7623 calldata floor surcharge (test/RollupGas.t.sol).
///      - `executeBatch` (anyone): in order, proven only; the caller passes the first page of
///        the payout records (emitted at commit), checked against the stored chain head, and
///        they become claimable; further pages follow through `executePayouts` (anyone)
///        before the next batch executes, so no execution transaction grows with the batch
///        (every one fits EIP-7825's cap: test/RollupWorstCase.t.sol). Passing only the
///        records rather than the whole pubdata again keeps a transfer's pubdata on L1 once
///        (commit only), which is what brings a transfer under 1,000 L1 gas
///        (test/RollupGas.t.sol).
///      - `revertBatches` (operator): drops committed, unproven batches.
///
///      Exodus: once the oldest priority op not yet executed is past its deadline, anyone can
///      stop the pipeline for good: nothing more is committed or proven, but batches proven
///      before exodus can still be executed (no proven work is thrown away). The exit root is
///      the last *executed* batch's, once every proven batch is executed: it is the only root
///      whose payouts were all credited, and the deposits it consumed are exactly those
///      before `totalPriorityOpsExecuted`; every later deposit (committed but unproven, or
///      never committed) is pending and reclaimable. Exits and reclaims wait for that root
///      (`ProvenBatchesPending`), so no balance is paid from two roots.
///
///      Exodus and the AMM (decision D21): pools exist from genesis only (D3), so the
///      constructor takes their reserve tokens and pool `i` is the keyless L2 account
///      `2 + i` with share token `128 + i`. Its liquidity is not lost in exodus: once, anyone
///      proves the pool account's two reserves and its own share balance under the exit root
///      (`settlePool`), which freezes the reserves and the outstanding supply
///      (MAX_AMOUNT − the pool's own shares); then every share balance exits (`exit`) for
///      floor(shares · reserve / supply) of each reserve, RemoveLiquidity's rounding. Against
///      one frozen snapshot the floors sum to at most the reserves, which are part of the L2
///      supply `_credit` draws from, so solvency holds whatever the order of exits.
///      The shares locked at the pool's first deposit sit in account 0, which never exits:
///      their part of the reserves stays in the contract.
contract Rollup is IRollup, Roles, ReentrancyGuard {
    /// @notice Largest L2 amount, balance and per-token supply (D1).
    uint64 public constant MAX_AMOUNT = type(uint64).max >> 1;
    /// @notice L1 assets use token ids below 128 (D2); ids 128..255 are pool shares.
    uint256 public constant MAX_L1_TOKENS = 128;
    /// @notice ETH's token id and scale (L2 unit = 1 gwei).
    uint8 public constant ETH_TOKEN_ID = 0;
    uint96 public constant ETH_SCALE = 1e9;
    /// @notice Account ids are below 2^24 (the account tree's depth).
    uint256 public constant ACCOUNT_ID_LIMIT = 1 << 24;
    /// @notice Payout records credited per transaction (`executeBatch`, then
    ///         `executePayouts` per further page). A credit to a fresh L1 address costs about
    ///         24.3k gas, so a page stays near 6.3M gas: every batch executes under EIP-7825's
    ///         2^24 cap whatever its withdrawals (test/RollupWorstCase.t.sol).
    uint256 public constant PAYOUTS_PER_PAGE = 256;
    /// @dev PAYOUTS_PER_PAGE × Pubdata.PAYOUT_BYTES, as a literal for assembly.
    uint256 internal constant PAYOUT_PAGE_BYTES = 7424;
    /// @notice Largest `priorityFee` a deployment may set: the fee is paid on every deposit and
    ///         full-exit request, so an unbounded one would let a deployment price users out of
    ///         depositing and out of their exit.
    uint256 public constant MAX_PRIORITY_FEE = 0.1 ether;
    /// @notice Largest ERC-20 scale (L1 units per L2 unit); scales are powers of ten 10^0..10^18.
    uint256 public constant MAX_TOKEN_SCALE = 1e18;
    /// @notice Most priority operations one batch may consume: what `commitBatch` walks, at
    ///         about 5.7k gas each, stays far below the cap beside the largest pubdata
    ///         (test/RollupWorstCase.t.sol). The sequencer refuses to start with a larger
    ///         `batch.max_priority_ops`.
    uint256 public constant MAX_PRIORITY_OPS_PER_BATCH = 1024;
    /// @notice At most one genesis pool per share-token id (128..255, D2).
    uint256 public constant MAX_POOLS = 128;
    /// @notice Most balances one exodus proof opens (`exit`, `settlePool`); see StateProof.
    uint256 public constant MAX_OPENINGS = StateProof.MAX_OPENINGS;
    /// @dev Pool i is L2 account FIRST_POOL_ACCOUNT + i, its shares token FIRST_SHARE_TOKEN + i.
    uint256 internal constant FIRST_POOL_ACCOUNT = 2;
    uint256 internal constant FIRST_SHARE_TOKEN = 128;

    uint8 internal constant KIND_DEPOSIT = uint8(Pubdata.DEPOSIT);
    uint8 internal constant KIND_FULL_EXIT = uint8(Pubdata.FULL_EXIT);

    /// @notice The proof verifier (immutable: swapping it would be a governance power over
    ///         every balance; an upgrade path belongs behind a timelock, see README).
    IBatchVerifier public immutable verifier;
    /// @notice Seconds a priority operation may wait for execution before exodus can start.
    uint64 public immutable priorityDeadline;
    /// @notice Recomputes state roots from exodus balance proofs; created by the constructor.
    BalanceProofVerifier public immutable balanceProofVerifier;
    /// @notice Wei paid with every priority request (`depositETH`, `depositERC20`,
    ///         `requestFullExit`), on top of what a deposit deposits. It prices the queue:
    ///         whoever floods it past the deadline to force exodus pays it per request.
    uint256 public immutable priorityFee;
    /// @notice Who is credited the priority fees, as a claimable ETH balance (`claim`).
    address public immutable feeRecipient;

    struct Token {
        address addr;
        uint96 scale;
    }

    /// @dev A genesis pool and, once settled in exodus, its snapshot under the exit root, in
    ///      one slot: a share exit reads everything it needs with one SLOAD.
    struct PoolRecord {
        uint8 tokenA;
        uint8 tokenB;
        bool settled;
        uint64 reserveA;
        uint64 reserveB;
        /// Outstanding shares: MAX_AMOUNT minus the pool account's own share balance.
        uint64 supply;
    }

    struct TokenTotals {
        /// Queued deposits minus payouts and reclaims, in L2 units.
        uint64 l2Supply;
        /// Sum of `claimable` over all owners, in L1 units.
        uint192 claimable;
    }

    // Hot counters, one slot: read and written by every batch stage.
    uint64 public totalBatchesCommitted;
    uint64 public totalBatchesProven;
    uint64 public totalBatchesExecuted;
    /// @notice Priority ops consumed by executed batches (ids below are final).
    uint64 public totalPriorityOpsExecuted;

    // Queue state, one slot.
    uint64 public totalPriorityOps;
    bool public exodusMode;
    uint8 public tokenCount;
    /// @notice Genesis pools (fixed by the constructor); read with `tokenCount` by `exit`.
    uint8 public poolCount;

    /// @notice The link of the next payout page of the last executed batch still to credit
    ///         (`executePayouts`); zero when all of its payouts are claimable.
    bytes32 public pendingPayoutsLink;

    /// @notice keccak256(abi.encode(StoredBatchInfo)) by batch number (0 = genesis).
    mapping(uint256 => bytes32) public storedBatchHash;
    mapping(uint256 => PriorityOp) internal _priorityOps;
    /// @dev Deadlines, four uint64 per word: id i at word i / 4, bits 64·(i % 4).
    mapping(uint256 => uint256) internal _deadlineWords;
    mapping(uint256 => Token) internal _tokens;
    mapping(uint256 => TokenTotals) internal _totals;
    mapping(address => uint256) internal _tokenIdPlusOne;
    /// @notice L1 amounts owners can withdraw, by owner and token.
    mapping(address => mapping(uint256 => uint256)) public claimable;
    /// @dev Exodus: bit t of word a is set once (account a, token t) has exited.
    mapping(uint256 => uint256) internal _exited;
    /// @dev Genesis pools by index.
    mapping(uint256 => PoolRecord) internal _pools;

    modifier notExodus() {
        if (exodusMode) revert ExodusActive();
        _;
    }

    /// @param governance_ Registers tokens, appoints operators, pauses.
    /// @param verifier_ The batch proof verifier.
    /// @param genesisRoot The state root of `State::genesis` (D9 bytes32 form).
    /// @param priorityDeadline_ Seconds a priority op may wait (1 hour .. 30 days).
    /// @param priorityFee_ Wei per priority request, at most `MAX_PRIORITY_FEE`. Zero makes the
    ///        queue free apart from gas (tests only): a production deployment must set a fee
    ///        that makes flooding the queue past `priorityDeadline_` expensive (README).
    /// @param feeRecipient_ Credited the fees (the operator); not zero.
    /// @param pools_ The genesis' AMM pools in its order (`Genesis::pools`): at most
    ///        `MAX_POOLS`, each two distinct L1 asset ids below 128 (`TooManyPools`,
    ///        `InvalidPoolTokens`). They are the circuit's constants, so they must be the
    ///        genesis' exactly (quire-l1's deploy checks the emitted `PoolRegistered`).
    constructor(
        address governance_,
        IBatchVerifier verifier_,
        bytes32 genesisRoot,
        uint64 priorityDeadline_,
        uint256 priorityFee_,
        address feeRecipient_,
        GenesisPool[] memory pools_
    ) Roles(governance_) {
        if (address(verifier_) == address(0) || feeRecipient_ == address(0)) {
            revert ZeroAddress();
        }
        if (priorityDeadline_ < 1 hours || priorityDeadline_ > 30 days) revert InvalidDeadline();
        if (priorityFee_ > MAX_PRIORITY_FEE) revert InvalidPriorityFee();
        if (!Poseidon.isCanonical(genesisRoot)) revert InvalidStateRoot();
        verifier = verifier_;
        priorityDeadline = priorityDeadline_;
        priorityFee = priorityFee_;
        feeRecipient = feeRecipient_;
        balanceProofVerifier = new BalanceProofVerifier();

        _tokens[ETH_TOKEN_ID] = Token(address(0), ETH_SCALE);
        tokenCount = 1;
        emit TokenRegistered(ETH_TOKEN_ID, address(0), ETH_SCALE);

        uint256 nPools = pools_.length;
        if (nPools > MAX_POOLS) revert TooManyPools();
        for (uint256 i; i < nPools; ++i) {
            GenesisPool memory g = pools_[i];
            // Reserve tokens need not be registered yet (deployment registers the genesis'
            // tokens next): a reserve of an id never registered is zero on a sound L2.
            if (g.tokenA >= MAX_L1_TOKENS || g.tokenB >= MAX_L1_TOKENS || g.tokenA == g.tokenB) {
                revert InvalidPoolTokens(i);
            }
            _pools[i] =
                PoolRecord({tokenA: g.tokenA, tokenB: g.tokenB, settled: false, reserveA: 0, reserveB: 0, supply: 0});
            // forge-lint: disable-next-item(unsafe-typecast) -- i < MAX_POOLS = 128
            emit PoolRegistered(
                uint8(i), g.tokenA, g.tokenB, uint32(FIRST_POOL_ACCOUNT + i), uint8(FIRST_SHARE_TOKEN + i)
            );
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- nPools <= MAX_POOLS = 128
        poolCount = uint8(nPools);

        StoredBatchInfo memory genesis = StoredBatchInfo({
            batchNumber: 0,
            timestamp: uint64(block.timestamp),
            firstPriorityId: 0,
            priorityOpsCount: 0,
            prevStateRoot: bytes32(0),
            stateRoot: genesisRoot,
            pubdataCommitment: bytes32(0),
            priorityCommitment: bytes32(0),
            payoutsHash: _payoutsHead("")
        });
        bytes32 h = keccak256(abi.encode(genesis));
        storedBatchHash[0] = h;
        emit BatchCommitted(0, h, genesis, "");
        emit BatchProven(0, h);
        emit BatchExecuted(0, h, genesisRoot);
    }

    // =================================================================== tokens

    /// @notice Registers an ERC-20 as the next L1 asset id with L1 amount = L2 amount × scale.
    ///         `scale` must be a power of ten, 10^0 .. 10^18 (`MAX_TOKEN_SCALE`), else
    ///         `InvalidScale`.
    /// @dev Choose the scale so that 2^63 - 1 L2 units cover the token's plausible supply and
    ///      one L2 unit is still a meaningful amount (e.g. 10^9 or 10^12 for 18 decimals, 1 for
    ///      6 decimals). A power of ten keeps an L2 unit a whole number of the token's decimal
    ///      digits; the bound keeps an L2 unit below 10^18 L1 units (one whole 18-decimal
    ///      token), so amounts stay depositable. Tokens whose transfers deliver less than asked
    ///      are refused at deposit; rebasing tokens are unsupported (their rebases are not
    ///      tracked).
    function registerToken(address token, uint96 scale) external onlyGovernance returns (uint8 tokenId) {
        if (token == address(0)) revert ZeroAddress();
        if (!_isTokenScale(scale)) revert InvalidScale();
        if (_tokenIdPlusOne[token] != 0) revert TokenAlreadyRegistered();
        uint256 id = tokenCount;
        if (id >= MAX_L1_TOKENS) revert TooManyTokens();
        _tokens[id] = Token(token, scale);
        _tokenIdPlusOne[token] = id + 1;
        // forge-lint: disable-next-line(unsafe-typecast) -- id + 1 <= MAX_L1_TOKENS = 128
        tokenCount = uint8(id + 1);
        // forge-lint: disable-next-line(unsafe-typecast) -- id < MAX_L1_TOKENS
        tokenId = uint8(id);
        emit TokenRegistered(tokenId, token, scale);
    }

    /// @dev Whether `scale` is 10^k for some k in 0..18.
    function _isTokenScale(uint256 scale) private pure returns (bool) {
        if (scale == 0 || scale > MAX_TOKEN_SCALE) return false;
        while (scale % 10 == 0) {
            scale /= 10;
        }
        return scale == 1;
    }

    /// @notice A registered token's L1 address (zero for ETH) and scale; scale 0 if unknown.
    function tokens(uint8 tokenId) external view returns (address token, uint256 scale) {
        Token memory t = _tokens[tokenId];
        return (t.addr, t.scale);
    }

    /// @notice A token's L2 supply (L2 units) and total claimable (L1 units).
    function tokenTotals(uint8 tokenId) external view returns (uint64 l2Supply, uint256 totalClaimable) {
        TokenTotals memory t = _totals[tokenId];
        return (t.l2Supply, t.claimable);
    }

    /// @notice The id of a registered ERC-20 (reverts for unknown tokens).
    function tokenIdOf(address token) public view returns (uint8) {
        uint256 idPlusOne = _tokenIdPlusOne[token];
        if (idPlusOne == 0) revert UnknownToken();
        // forge-lint: disable-next-line(unsafe-typecast) -- stored ids are < 128
        return uint8(idPlusOne - 1);
    }

    // =================================================================== priority queue

    /// @notice Deposits `msg.value - priorityFee` wei to the L2 account of `l2Key` (opened if
    ///         new, with `msg.sender` as its L1 owner). `msg.value` must be `priorityFee` plus
    ///         the deposit (`PriorityFeeNotPaid` below the fee), and the deposit a positive
    ///         multiple of 1 gwei; `DepositQueued` carries the deposit alone.
    function depositETH(bytes calldata l2Key) external payable whenNotPaused notExodus returns (uint64) {
        uint64 amount = _checkDeposit(ETH_TOKEN_ID, _takePriorityFee(), l2Key);
        return _queueDeposit(ETH_TOKEN_ID, amount, l2Key);
    }

    /// @notice Deposits `amount` (L1 units) of a registered ERC-20; needs an allowance. The
    ///         contract must receive exactly `amount` (fee-on-transfer tokens are refused).
    ///         `msg.value` must be exactly `priorityFee` (else `PriorityFeeNotPaid`).
    function depositERC20(address token, uint256 amount, bytes calldata l2Key)
        external
        payable
        nonReentrant
        whenNotPaused
        notExodus
        returns (uint64)
    {
        if (_takePriorityFee() != 0) revert PriorityFeeNotPaid();
        uint8 id = tokenIdOf(token);
        uint64 l2Amount = _checkDeposit(id, amount, l2Key);
        uint256 before = SafeTransfer.balanceOf(token, address(this));
        SafeTransfer.safeTransferFrom(token, msg.sender, address(this), amount);
        if (SafeTransfer.balanceOf(token, address(this)) - before != amount) revert FeeOnTransferToken();
        return _queueDeposit(id, l2Amount, l2Key);
    }

    /// @notice Asks the L2 to move the whole `token` balance of `accountId` out to L1. Anyone
    ///         may ask; the L2 moves funds only if `msg.sender` is the account's L1 owner (the
    ///         op then pays out to it), otherwise it exits 0. `msg.value` must be exactly
    ///         `priorityFee` (else `PriorityFeeNotPaid`).
    function requestFullExit(uint32 accountId, uint8 token) external payable notExodus returns (uint64 priorityId) {
        if (_takePriorityFee() != 0) revert PriorityFeeNotPaid();
        if (accountId >= ACCOUNT_ID_LIMIT) revert InvalidAccountId();
        if (token >= tokenCount) revert UnknownToken();
        priorityId = totalPriorityOps;
        bytes32 h = PriorityOps.hashFullExit(priorityId, accountId, msg.sender, token);
        uint64 deadline = _enqueue(priorityId, h, msg.sender, accountId, token, KIND_FULL_EXIT);
        emit FullExitQueued(priorityId, accountId, msg.sender, token, h, deadline);
    }

    /// @notice A queued priority operation and its deadline.
    function priorityOp(uint64 priorityId) external view returns (PriorityOp memory op, uint64 deadline) {
        return (_priorityOps[priorityId], _deadline(priorityId));
    }

    /// @dev The priority fee rule, for every priority request: `msg.value` must cover
    ///      `priorityFee` (else `PriorityFeeNotPaid`), which is credited to `feeRecipient`'s
    ///      claimable ETH (and to the ETH total claimable, so holdings still equal total
    ///      claimable + l2Supply × scale). Returns the rest of `msg.value`: the deposit of
    ///      `depositETH`; the other requests require it to be zero.
    function _takePriorityFee() private returns (uint256 rest) {
        uint256 fee = priorityFee;
        if (msg.value < fee) revert PriorityFeeNotPaid();
        if (fee != 0) {
            // Unchecked: both sums are bounded by the ETH this contract holds (< 2^128 wei).
            unchecked {
                claimable[feeRecipient][ETH_TOKEN_ID] += fee;
                // forge-lint: disable-next-line(unsafe-typecast) -- fee <= MAX_PRIORITY_FEE
                _totals[ETH_TOKEN_ID].claimable += uint192(fee);
            }
        }
        unchecked {
            rest = msg.value - fee;
        }
    }

    function _checkDeposit(uint8 token, uint256 amount, bytes calldata l2Key) private view returns (uint64) {
        if (!EcGFp5.isValidPublicKey(l2Key)) revert InvalidPublicKey();
        uint256 scale = _tokens[token].scale;
        if (amount % scale != 0) revert AmountNotMultipleOfScale();
        uint256 l2Amount = amount / scale;
        if (l2Amount == 0 || l2Amount > MAX_AMOUNT) revert AmountOutOfRange();
        if (_totals[token].l2Supply + l2Amount > MAX_AMOUNT) revert SupplyCapExceeded();
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above: l2Amount <= MAX_AMOUNT
        return uint64(l2Amount);
    }

    function _queueDeposit(uint8 token, uint64 amount, bytes calldata l2Key) private returns (uint64 priorityId) {
        _totals[token].l2Supply += amount;
        priorityId = totalPriorityOps;
        bytes32 h = PriorityOps.hashDeposit(priorityId, msg.sender, l2Key, token, amount);
        uint64 deadline = _enqueue(priorityId, h, msg.sender, amount, token, KIND_DEPOSIT);
        emit DepositQueued(priorityId, msg.sender, token, amount, l2Key, h, deadline);
    }

    function _enqueue(uint64 id, bytes32 h, address owner, uint64 amount, uint8 token, uint8 kind)
        private
        returns (uint64 deadline)
    {
        _priorityOps[id] = PriorityOp(h, owner, amount, token, kind);
        deadline = uint64(block.timestamp) + priorityDeadline;
        _deadlineWords[id >> 2] |= uint256(deadline) << ((id & 3) << 6);
        totalPriorityOps = id + 1;
    }

    function _deadline(uint256 id) internal view returns (uint64) {
        return uint64(_deadlineWords[id >> 2] >> ((id & 3) << 6));
    }

    // =================================================================== batches

    /// @notice Commits the next batch: `last` must be the last committed batch (as emitted),
    ///         `pubdata` the concatenated pubdata of its operations.
    function commitBatch(StoredBatchInfo calldata last, CommitBatchInfo calldata next, bytes calldata pubdata)
        external
        onlyOperator
        whenNotPaused
        notExodus
    {
        _commit(last, next, pubdata);
    }

    /// @notice Commits the next batch and proves it in one transaction: exactly
    ///         `commitBatch(last, next, pubdata)` followed by `proveBatch(info, proof)` for the
    ///         batch it stores (same checks, same state, `BatchCommitted` then `BatchProven`).
    ///         For the operator whose proof is ready before the batch is committed (the prover
    ///         works from the L2's pubdata, not from L1), when every committed batch is proven.
    /// @dev Why one transaction is cheaper than two: besides one 21,000 base cost and one copy
    ///      of the header, EIP-7623 charges a transaction max(standard calldata + execution,
    ///      calldata floor). A large commit alone pays the floor (40 gas per nonzero byte; its
    ///      execution is well below the 24 gas per nonzero byte between the two prices), so
    ///      the verifier's execution, paid on top in a separate `proveBatch`, here fills that
    ///      gap and costs little or nothing extra. An invalid proof reverts the whole call:
    ///      nothing is committed. Reverts with `UnprovenBatchesPending` if a committed batch is
    ///      not proven yet (the new batch must be the next one to prove); use `commitBatch`
    ///      then.
    function commitAndProveBatch(
        StoredBatchInfo calldata last,
        CommitBatchInfo calldata next,
        bytes calldata pubdata,
        bytes calldata proof
    ) external onlyOperator whenNotPaused notExodus {
        if (totalBatchesProven != totalBatchesCommitted) revert UnprovenBatchesPending();
        uint256 freeMemory;
        assembly ("memory-safe") {
            freeMemory := mload(0x40)
        }
        (StoredBatchInfo memory info, bytes32 h) = _commit(last, next, pubdata);
        uint64 n = info.batchNumber;
        bytes32 oldRoot = info.prevStateRoot;
        bytes32 newRoot = info.stateRoot;
        bytes32 dc = info.pubdataCommitment;
        bytes32 qc = info.priorityCommitment;
        // Nothing in memory is used past this point (the pubdata copy, the payout records and
        // `info` are dead): hand their memory to the verifier call, which then encodes the
        // proof below the pubdata's high-water mark instead of paying to expand memory past it.
        assembly ("memory-safe") {
            mstore(0x40, freeMemory)
        }
        _verify(proof, oldRoot, newRoot, dc, qc);
        totalBatchesProven = n;
        emit BatchProven(n, h);
    }

    /// @notice Proves the next committed batch. Anyone may call: the proof is the authority.
    function proveBatch(StoredBatchInfo calldata batch, bytes calldata proof) external notExodus {
        uint64 n = totalBatchesProven + 1;
        if (batch.batchNumber != n) revert BatchNumberMismatch();
        if (n > totalBatchesCommitted) revert BatchNotCommitted();
        bytes32 h = _hash(batch);
        if (h != storedBatchHash[n]) revert BatchMismatch();
        _verify(proof, batch.prevStateRoot, batch.stateRoot, batch.pubdataCommitment, batch.priorityCommitment);
        totalBatchesProven = n;
        emit BatchProven(n, h);
    }

    /// @notice Executes the next proven batch: its first page of payout records becomes
    ///         claimable. Anyone may call; `page` and `nextLink` come from the records emitted
    ///         with the batch's `BatchCommitted` (pages of `PAYOUTS_PER_PAGE`, see
    ///         `_payoutsHead`). When `nextLink` is nonzero the rest follows through
    ///         `executePayouts`, page by page, before the next batch can execute.
    /// @dev Allowed in exodus too: a batch proven before exodus started is final work (its
    ///      proof is checked), and throwing it away would lose its withdrawals and let the
    ///      deposits it consumed be reclaimed. Exits and reclaims wait until every proven
    ///      batch is executed (`_requireExitRoot`), so each balance is paid from one root.
    function executeBatch(StoredBatchInfo calldata batch, bytes calldata page, bytes32 nextLink) external {
        if (pendingPayoutsLink != 0) revert PayoutsPending();
        uint64 n = totalBatchesExecuted + 1;
        if (batch.batchNumber != n) revert BatchNumberMismatch();
        if (n > totalBatchesProven) revert BatchNotProven();
        bytes32 h = _hash(batch);
        if (h != storedBatchHash[n]) revert BatchMismatch();
        if (_pageLink(page, nextLink) != batch.payoutsHash) revert PayoutsMismatch();
        _creditPage(page);
        if (nextLink != 0) pendingPayoutsLink = nextLink;
        totalBatchesExecuted = n;
        totalPriorityOpsExecuted = batch.firstPriorityId + batch.priorityOpsCount;
        emit BatchExecuted(n, h, batch.stateRoot);
    }

    /// @notice Credits the next page of the last executed batch's payout records. Anyone may
    ///         call, in exodus too: `page` must be the page `pendingPayoutsLink` commits to
    ///         and `nextLink` the link after it (zero for the last page).
    function executePayouts(bytes calldata page, bytes32 nextLink) external {
        bytes32 pending = pendingPayoutsLink;
        if (pending == 0) revert NoPayoutsPending();
        if (_pageLink(page, nextLink) != pending) revert PayoutsMismatch();
        pendingPayoutsLink = nextLink;
        _creditPage(page);
        emit PayoutsExecuted(totalBatchesExecuted, nextLink);
    }

    /// @dev The head of a batch's payout chain: the records cut into pages of
    ///      `PAYOUTS_PER_PAGE` (the last one shorter; one empty page when there are none),
    ///      `link(page, next) = keccak256(keccak256(page) ‖ next)`, the last page's `next`
    ///      zero. Each link commits to its page and to everything after it, so pages are
    ///      checked one at a time, in order, each against the link the previous one left.
    function _payoutsHead(bytes memory payouts) private pure returns (bytes32 link) {
        assembly ("memory-safe") {
            let len := mload(payouts)
            let base := add(payouts, 0x20)
            let pages := div(add(len, sub(PAYOUT_PAGE_BYTES, 1)), PAYOUT_PAGE_BYTES)
            if iszero(pages) { pages := 1 }
            for { let j := pages } gt(j, 0) {} {
                j := sub(j, 1)
                let off := mul(j, PAYOUT_PAGE_BYTES)
                let size := sub(len, off)
                if gt(size, PAYOUT_PAGE_BYTES) { size := PAYOUT_PAGE_BYTES }
                mstore(0x00, keccak256(add(base, off), size))
                mstore(0x20, link)
                link := keccak256(0x00, 0x40)
            }
        }
    }

    /// @dev `link(page, next)` of `_payoutsHead`, for a page in calldata.
    function _pageLink(bytes calldata page, bytes32 next) private pure returns (bytes32 link) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, page.offset, page.length)
            mstore(0x00, keccak256(m, page.length))
            mstore(0x20, next)
            link := keccak256(0x00, 0x40)
        }
    }

    /// @dev Credits a page of payout records. Only pages checked against a stored link get
    ///      here, and commitBatch built them: the length is a multiple of 29.
    function _creditPage(bytes calldata page) private {
        uint256 p;
        assembly ("memory-safe") {
            p := page.offset
        }
        for (uint256 end = p + page.length; p < end; p += Pubdata.PAYOUT_BYTES) {
            (address recipient, uint256 token, uint256 amount) = Pubdata.readPayout(p);
            _credit(recipient, token, amount);
        }
    }

    /// @notice Drops the committed batches after `newLastBatch`; none of them may be proven.
    function revertBatches(uint64 newLastBatch) external onlyOperator notExodus {
        uint64 committed = totalBatchesCommitted;
        if (newLastBatch < totalBatchesProven || newLastBatch >= committed) revert CannotRevert();
        for (uint256 i = uint256(newLastBatch) + 1; i <= committed; ++i) {
            delete storedBatchHash[i];
        }
        totalBatchesCommitted = newLastBatch;
        emit BatchesReverted(newLastBatch + 1, committed);
    }

    /// @notice The 24 proof public inputs of a batch (decision D9): old root limbs, new root
    ///         limbs, pubdata commitment and priority commitment as 32-bit big-endian words.
    function batchPublicInputs(StoredBatchInfo calldata batch) public pure returns (uint256[] memory) {
        return _publicInputs(batch.prevStateRoot, batch.stateRoot, batch.pubdataCommitment, batch.priorityCommitment);
    }

    /// @dev The body of `commitBatch` (and the commit half of `commitAndProveBatch`): checks
    ///      `last` and the header, walks the pubdata, stores the new batch's hash and emits
    ///      `BatchCommitted`. Returns the stored info and its hash.
    function _commit(StoredBatchInfo calldata last, CommitBatchInfo calldata next, bytes calldata pubdata)
        private
        returns (StoredBatchInfo memory info, bytes32 h)
    {
        uint64 n = totalBatchesCommitted;
        if (last.batchNumber != n || _hash(last) != storedBatchHash[n]) revert LastBatchMismatch();
        if (next.batchNumber != n + 1) revert BatchNumberMismatch();
        if (next.timestamp < last.timestamp || next.timestamp > block.timestamp) revert InvalidTimestamp();
        if (!Poseidon.isCanonical(next.newStateRoot)) revert InvalidStateRoot();

        // Copy the pubdata to memory once: hash it there and walk it there, followed by a
        // zero sentinel (see Pubdata.skipL2Ops).
        bytes32 pubdataCommitment;
        uint256 start;
        uint256 end;
        assembly ("memory-safe") {
            start := mload(0x40)
            end := add(start, pubdata.length)
            calldatacopy(start, pubdata.offset, pubdata.length)
            pubdataCommitment := keccak256(start, pubdata.length)
            mstore(end, 0)
            mstore(add(end, 0x20), 0)
            mstore(0x40, and(add(end, 0x5f), not(0x1f)))
        }
        uint64 first = last.firstPriorityId + last.priorityOpsCount;
        (uint64 count, bytes32 priorityCommitment, bytes memory payouts) = _processPubdata(start, end, first);

        info = StoredBatchInfo({
            batchNumber: n + 1,
            timestamp: next.timestamp,
            firstPriorityId: first,
            priorityOpsCount: count,
            prevStateRoot: last.stateRoot,
            stateRoot: next.newStateRoot,
            pubdataCommitment: pubdataCommitment,
            priorityCommitment: priorityCommitment,
            payoutsHash: _payoutsHead(payouts)
        });
        h = keccak256(abi.encode(info));
        storedBatchHash[n + 1] = h;
        totalBatchesCommitted = n + 1;
        emit BatchCommitted(n + 1, h, info, payouts);
    }

    /// @dev The verifier must accept `proof` for the batch's 24 public inputs; a verifier that
    ///      reverts (e.g. on a malformed proof) counts as a rejection.
    function _verify(bytes calldata proof, bytes32 oldRoot, bytes32 newRoot, bytes32 dc, bytes32 qc) private view {
        try verifier.verify(proof, _publicInputs(oldRoot, newRoot, dc, qc)) returns (bool ok) {
            if (!ok) revert InvalidProof();
        } catch {
            revert InvalidProof();
        }
    }

    /// @dev D9 public inputs: the roots as four 64-bit limbs each (most significant first), the
    ///      commitments as eight 32-bit words each (big-endian).
    function _publicInputs(bytes32 oldRoot, bytes32 newRoot, bytes32 dc, bytes32 qc)
        private
        pure
        returns (uint256[] memory pi)
    {
        pi = new uint256[](24);
        assembly ("memory-safe") {
            let d := add(pi, 0x20)
            for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                let sh := sub(192, shl(6, i))
                mstore(add(d, shl(5, i)), and(shr(sh, oldRoot), 0xffffffffffffffff))
                mstore(add(d, shl(5, add(i, 4))), and(shr(sh, newRoot), 0xffffffffffffffff))
            }
            for { let i := 0 } lt(i, 8) { i := add(i, 1) } {
                let sh := sub(224, shl(5, i))
                mstore(add(d, shl(5, add(i, 8))), and(shr(sh, dc), 0xffffffff))
                mstore(add(d, shl(5, add(i, 16))), and(shr(sh, qc), 0xffffffff))
            }
        }
    }

    /// @dev Walks the pubdata at memory [start, end) (followed by the zero sentinel); see the
    ///      contract notes. Payout records are written past the free memory pointer as they
    ///      come and allocated at the end (nothing in between allocates memory).
    function _processPubdata(uint256 start, uint256 end, uint64 firstId)
        private
        view
        returns (uint64 count, bytes32 commitment, bytes memory payouts)
    {
        uint256 p = start;
        uint256 id = firstId;
        uint256 total = totalPriorityOps;
        uint256 out; // where the next record goes
        assembly ("memory-safe") {
            payouts := mload(0x40)
            out := add(payouts, 0x20)
        }
        while (true) {
            p = Pubdata.skipL2Ops(p);
            if (p >= end) break;
            uint256 opType = Pubdata.opType(p);
            if (opType == Pubdata.WITHDRAW) {
                if (p + Pubdata.WITHDRAW_BYTES > end) revert TruncatedPubdata();
                (uint256 token, uint256 amount, address to) = Pubdata.readWithdraw(p);
                // The L2 only withdraws registered L1 assets; refuse anything else here rather
                // than credit nothing at execution.
                if (token >= MAX_L1_TOKENS || _tokens[token].scale == 0) revert UnknownToken();
                Pubdata.writePayout(out, to, token, amount);
                out += Pubdata.PAYOUT_BYTES;
                p += Pubdata.WITHDRAW_BYTES;
                continue;
            }
            if (opType != Pubdata.DEPOSIT && opType != Pubdata.FULL_EXIT) revert UnknownOpType(p - start);
            // forge-lint: disable-next-line(unsafe-typecast) -- id < total + 1 <= 2^64 (ids are uint64)
            if (id >= total) revert PriorityOpNotQueued(uint64(id));
            PriorityOp storage op = _priorityOps[id];
            if (opType == Pubdata.DEPOSIT) {
                if (p + Pubdata.DEPOSIT_BYTES > end) revert TruncatedPubdata();
                (uint256 token, uint256 amount, uint256 credited) = Pubdata.readDeposit(p);
                if (op.kind != KIND_DEPOSIT || op.token != token || op.amount != amount) {
                    // forge-lint: disable-next-line(unsafe-typecast) -- id < total, a uint64
                    revert PriorityOpMismatch(uint64(id));
                }
                if (credited > 1) revert InvalidCreditedFlag();
                if (credited == 0) {
                    Pubdata.writePayout(out, op.owner, token, amount);
                    out += Pubdata.PAYOUT_BYTES;
                }
                p += Pubdata.DEPOSIT_BYTES;
            } else {
                if (p + Pubdata.FULL_EXIT_BYTES > end) revert TruncatedPubdata();
                (uint256 account, uint256 token, uint256 amount, address owner) = Pubdata.readFullExit(p);
                if (op.kind != KIND_FULL_EXIT || op.amount != account || op.token != token || op.owner != owner) {
                    // forge-lint: disable-next-line(unsafe-typecast) -- id < total, a uint64
                    revert PriorityOpMismatch(uint64(id));
                }
                if (amount != 0) {
                    Pubdata.writePayout(out, owner, token, amount);
                    out += Pubdata.PAYOUT_BYTES;
                }
                p += Pubdata.FULL_EXIT_BYTES;
            }
            commitment = PriorityOps.fold(commitment, op.opHash);
            ++id;
        }
        if (p != end) revert TruncatedPubdata();
        if (id - firstId > MAX_PRIORITY_OPS_PER_BATCH) revert TooManyPriorityOps();
        // forge-lint: disable-next-line(unsafe-typecast) -- id <= totalPriorityOps, a uint64
        count = uint64(id - firstId);
        assembly ("memory-safe") {
            mstore(payouts, sub(out, add(payouts, 0x20)))
            mstore(0x40, and(add(out, 0x1f), not(0x1f)))
        }
    }

    function _hash(StoredBatchInfo calldata b) internal pure returns (bytes32) {
        return keccak256(abi.encode(b));
    }

    // =================================================================== claims

    /// @notice Pays the caller's claimable `token` balance to the caller.
    function withdraw(uint8 token) external returns (uint256) {
        return _claim(msg.sender, token, msg.sender);
    }

    /// @notice Pays the caller's claimable `token` balance to `to` (e.g. when the caller
    ///         cannot receive ETH, or is blocklisted by the token).
    function withdrawTo(uint8 token, address to) external returns (uint256) {
        if (to == address(0)) revert ZeroAddress();
        return _claim(msg.sender, token, to);
    }

    /// @notice Pays `owner`'s claimable `token` balance to `owner` (anyone may trigger it).
    function claim(address owner, uint8 token) external returns (uint256) {
        return _claim(owner, token, owner);
    }

    /// @dev Checks, effects (balance zeroed), then the transfer, under the reentrancy lock.
    function _claim(address owner, uint256 token, address to) private nonReentrant returns (uint256 amount) {
        amount = claimable[owner][token];
        if (amount == 0) revert NothingToClaim();
        claimable[owner][token] = 0;
        // forge-lint: disable-next-line(unsafe-typecast) -- amount <= totalClaimable, a uint192
        _totals[token].claimable -= uint192(amount);
        // forge-lint: disable-next-line(unsafe-typecast) -- token < 128 (claimable is only ever credited to registered ids)
        emit Withdrawn(owner, uint8(token), to, amount);
        if (token == ETH_TOKEN_ID) {
            SafeTransfer.sendETH(to, amount);
        } else {
            SafeTransfer.safeTransfer(_tokens[token].addr, to, amount);
        }
    }

    /// @dev Moves `amount` L2 units of `token` from the L2 supply to `owner`'s claimable
    ///      balance (L1 units). Reverts if the supply would go negative: that cannot happen
    ///      with a sound proof system, and refusing is what keeps the contract solvent if it
    ///      ever did.
    function _credit(address owner, uint256 token, uint256 amount) private {
        uint256 l1Amount = amount * _tokens[token].scale;
        TokenTotals storage t = _totals[token];
        // forge-lint: disable-next-line(unsafe-typecast) -- payout amounts are 8-byte fields, so < 2^64
        t.l2Supply -= uint64(amount);
        // forge-lint: disable-next-line(unsafe-typecast) -- l1Amount < 2^64 * 2^96 = 2^160
        t.claimable += uint192(l1Amount);
        claimable[owner][token] += l1Amount;
    }

    // =================================================================== exodus

    /// @notice Starts exodus mode if the oldest priority op not yet executed is past its
    ///         deadline. Irreversible: batches stop; pending deposits are reclaimable and
    ///         balances exit against the last executed root.
    function activateExodusMode() external notExodus {
        uint64 id = totalPriorityOpsExecuted;
        if (id >= totalPriorityOps || block.timestamp <= _deadline(id)) revert NoExpiredPriorityOp();
        exodusMode = true;
        emit ExodusActivated(id);
    }

    /// @notice Exodus: makes a deposit that no executed batch consumed claimable again by its
    ///         depositor. Anyone may call.
    function reclaimDeposit(uint64 priorityId) external {
        _requireExitRoot();
        if (priorityId < totalPriorityOpsExecuted || priorityId >= totalPriorityOps) revert DepositNotPending();
        PriorityOp storage op = _priorityOps[priorityId];
        if (op.kind != KIND_DEPOSIT) revert DepositNotPending();
        uint64 amount = op.amount;
        if (amount == 0) revert AlreadyReclaimed();
        op.amount = 0;
        address depositor = op.owner;
        uint8 token = op.token;
        _credit(depositor, token, amount);
        emit DepositReclaimed(priorityId, depositor, token, amount);
    }

    /// @notice Exodus: proves balances of one account under the last executed root (one
    ///         proof, 1..=`MAX_OPENINGS` of them) and makes them claimable by the account's
    ///         L1 owner (from the leaf). An L1 asset id below `tokenCount` is credited as is
    ///         (`Exited`); a pool's share token, once the pool is settled (`settlePool`),
    ///         is credited floor(shares · reserve / supply) of each of the pool's reserve
    ///         tokens (`SharesExited`; `ZeroOutput` if both round to zero, `PoolNotSettled`
    ///         before settlement). Each (account, token) exits once (`AlreadyExited`, the
    ///         whole call reverts). Account 0, keyless accounts (owner zero: the bridge
    ///         reserve, pools), zero balances and any other token are refused
    ///         (`InvalidExit`); so is a malformed proof (see `StateProof.root`).
    /// @param lastExecuted The last executed batch as `BatchCommitted` emitted it.
    /// @param proof The account's record, its path, and the balances to exit by strictly
    ///        increasing token id.
    function exit(StoredBatchInfo calldata lastExecuted, StateProof.AccountProof calldata proof) external {
        bytes32 stateRoot = _exitRoot(lastExecuted);
        uint256 account = proof.accountId;
        address owner = proof.owner;
        if (account == 0 || owner == address(0)) revert InvalidExit();
        // Cheap checks first, from calldata: what each opening may exit, and the bitmap of
        // every token it exits (the proof's strict order rules out a token opened twice).
        uint256 n = proof.balances.length;
        uint256 l1Tokens = tokenCount;
        uint256 shareEnd = FIRST_SHARE_TOKEN + poolCount;
        uint256 mask;
        for (uint256 i; i < n; ++i) {
            StateProof.BalanceOpening calldata o = proof.balances[i];
            uint256 token = o.token;
            if (o.balance == 0 || (token >= l1Tokens && (token < FIRST_SHARE_TOKEN || token >= shareEnd))) {
                revert InvalidExit();
            }
            mask |= uint256(1) << token;
        }
        uint256 bits = _exited[account];
        if (bits & mask != 0) revert AlreadyExited();
        if (balanceProofVerifier.rootOf(proof) != stateRoot) revert InvalidStateProof();
        _exited[account] = bits | mask;
        for (uint256 i; i < n; ++i) {
            StateProof.BalanceOpening calldata o = proof.balances[i];
            uint256 token = o.token;
            uint64 balance = o.balance;
            if (token < FIRST_SHARE_TOKEN) {
                _credit(owner, token, balance);
                // forge-lint: disable-next-line(unsafe-typecast) -- a uint32 / uint8 field of the proof
                emit Exited(uint32(account), uint8(token), owner, balance);
            } else {
                _exitShares(account, owner, token, balance);
            }
        }
    }

    /// @dev Credits `shares` of share token `token` as RemoveLiquidity would pay them
    ///      (quire_core::amm::remove_liquidity): floor(shares · r / supply) of each reserve
    ///      against the pool's settled snapshot, refusing both zero. More shares than the
    ///      supply cannot be held on a sound L2; refused all the same.
    function _exitShares(uint256 account, address owner, uint256 token, uint64 shares) private {
        uint256 pool = token - FIRST_SHARE_TOKEN;
        PoolRecord memory p = _pools[pool];
        // forge-lint: disable-next-line(unsafe-typecast) -- pool < poolCount <= 128
        if (!p.settled) revert PoolNotSettled(uint8(pool));
        if (shares > p.supply) revert InvalidExit();
        // shares <= supply, so each amount is at most its reserve (< 2^63).
        uint256 amountA = uint256(shares) * p.reserveA / p.supply;
        uint256 amountB = uint256(shares) * p.reserveB / p.supply;
        if (amountA == 0 && amountB == 0) revert ZeroOutput();
        if (amountA != 0) _credit(owner, p.tokenA, amountA);
        if (amountB != 0) _credit(owner, p.tokenB, amountB);
        // forge-lint: disable-next-line(unsafe-typecast) -- a uint32 / uint8 field of the proof; amounts <= reserves < 2^64
        emit SharesExited(uint32(account), uint8(token), owner, shares, uint64(amountA), uint64(amountB));
    }

    /// @notice Exodus: freezes a genesis pool's reserves and outstanding share supply under
    ///         the last executed root, the snapshot its share exits are paid from. Anyone
    ///         may call it, once per pool (`PoolAlreadySettled`). `proof` must be of the
    ///         pool's keyless account `2 + i` (else `UnknownPool`) and open exactly its two
    ///         reserve tokens in increasing id order (token A first only if its id is the
    ///         smaller), then its share token `128 + i` (else `InvalidPoolProof`): supply =
    ///         MAX_AMOUNT − that share balance.
    /// @param lastExecuted The last executed batch as `BatchCommitted` emitted it.
    /// @param proof The pool account's three balances (core: `State::pool_settlement_proof`).
    function settlePool(StoredBatchInfo calldata lastExecuted, StateProof.AccountProof calldata proof) external {
        bytes32 stateRoot = _exitRoot(lastExecuted);
        uint256 account = proof.accountId;
        if (account < FIRST_POOL_ACCOUNT || account - FIRST_POOL_ACCOUNT >= poolCount) revert UnknownPool();
        uint256 pool = account - FIRST_POOL_ACCOUNT;
        PoolRecord storage rec = _pools[pool];
        (uint8 tokenA, uint8 tokenB, bool settled) = (rec.tokenA, rec.tokenB, rec.settled);
        if (settled) revert PoolAlreadySettled();
        if (proof.owner != address(0) || proof.pubkeyHash != bytes32(0) || proof.balances.length != 3) {
            revert InvalidPoolProof();
        }
        StateProof.BalanceOpening calldata first = proof.balances[0];
        StateProof.BalanceOpening calldata second = proof.balances[1];
        bool aFirst = tokenA < tokenB;
        if (
            first.token != (aFirst ? tokenA : tokenB) || second.token != (aFirst ? tokenB : tokenA)
                || proof.balances[2].token != FIRST_SHARE_TOKEN + pool
        ) revert InvalidPoolProof();
        if (balanceProofVerifier.rootOf(proof) != stateRoot) revert InvalidStateProof();
        (uint64 reserveA, uint64 reserveB) = aFirst ? (first.balance, second.balance) : (second.balance, first.balance);
        // The proof bounds the share balance by MAX_AMOUNT.
        uint64 supply = MAX_AMOUNT - proof.balances[2].balance;
        rec.settled = true;
        rec.reserveA = reserveA;
        rec.reserveB = reserveB;
        rec.supply = supply;
        // forge-lint: disable-next-line(unsafe-typecast) -- pool < poolCount <= 128
        emit PoolSettled(uint8(pool), reserveA, reserveB, supply);
    }

    /// @dev The exit root: exodus, every proven batch executed, and `lastExecuted` the last
    ///      executed batch as stored.
    function _exitRoot(StoredBatchInfo calldata lastExecuted) private view returns (bytes32) {
        _requireExitRoot();
        uint64 n = totalBatchesExecuted;
        if (lastExecuted.batchNumber != n || _hash(lastExecuted) != storedBatchHash[n]) revert BatchMismatch();
        return lastExecuted.stateRoot;
    }

    /// @dev Exits and reclaims are paid from the last executed root, which is final only once
    ///      every batch proven before exodus started is executed (anyone may execute them):
    ///      an exit before that could be paid again by a later batch's withdrawal, and a
    ///      reclaim could refund a deposit the proven batch credited on L2.
    function _requireExitRoot() private view {
        if (!exodusMode) revert NotInExodus();
        if (totalBatchesExecuted != totalBatchesProven) revert ProvenBatchesPending();
    }

    /// @notice Genesis pool `pool`'s reserve tokens, its L2 account and its share token
    ///         (`UnknownPool` past `poolCount`).
    function pools(uint8 pool) external view returns (uint8 tokenA, uint8 tokenB, uint32 account, uint8 shareToken) {
        if (pool >= poolCount) revert UnknownPool();
        PoolRecord memory p = _pools[pool];
        // forge-lint: disable-next-line(unsafe-typecast) -- pool < 128
        return (p.tokenA, p.tokenB, uint32(FIRST_POOL_ACCOUNT + pool), uint8(FIRST_SHARE_TOKEN + pool));
    }

    /// @notice Pool `pool`'s exodus snapshot: whether it is settled, its reserves and its
    ///         outstanding share supply (zeros until `settlePool`).
    function poolSettlement(uint8 pool)
        external
        view
        returns (bool settled, uint64 reserveA, uint64 reserveB, uint64 supply)
    {
        if (pool >= poolCount) revert UnknownPool();
        PoolRecord memory p = _pools[pool];
        return (p.settled, p.reserveA, p.reserveB, p.supply);
    }

    /// @notice Whether (account, token) has exited in exodus.
    function isExited(uint32 accountId, uint8 token) external view returns (bool) {
        return _exited[accountId] & (uint256(1) << token) != 0;
    }
}
